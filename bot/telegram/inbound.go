package telegram

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/rechargebot/rechargebot/bot"
)

// Replies the adapter sends on its own, without the handler.
const (
	apologyText        = "Sorry, something went wrong on our side while handling that message. Please try again in a minute, or send /start to begin again."
	unsupportedText    = "I can read text messages, button presses and documents. Please type your request, or send /start."
	fileTooLargeText   = "That file is too large (%s). Please send a file of at most %s."
	downloadFailedText = "I could not download that file. Please send it again."
	groupHintText      = "I only work in a private chat: open @%s and send /start there."
	groupHintNoName    = "I only work in a private chat: message me directly and send /start there."
)

// accept hands an update from polling or the webhook to the dispatcher.
func (a *Adapter) accept(u *models.Update) {
	switch a.dispatch.submit(u) {
	case submitDuplicate:
		a.received("duplicate")
		a.log.Debug("Dropped repeated Telegram update", "update_id", u.ID)
	case submitQueueFull:
		a.log.Warn("Dropped Telegram update: too many updates waiting in this chat", "update_id", u.ID, "chat", chatOf(chatKey(u)).String())
	case submitClosed:
		a.log.Warn("Dropped Telegram update received during shutdown", "update_id", u.ID)
	}
}

// process handles one update. It runs on the dispatcher's worker of the update's chat, and it
// recovers a panic so that one bad update cannot stop the process.
func (a *Adapter) process(ctx context.Context, u *models.Update) {
	chat := chatKey(u)
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("Recovered panic while handling Telegram update",
				"update_id", u.ID, "chat", chatOf(chat).String(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if chat != 0 {
				a.reply(ctx, chat, apologyText)
			}
		}
	}()

	switch {
	case u.Message != nil:
		a.processMessage(ctx, u)
	case u.CallbackQuery != nil:
		a.processCallback(ctx, u)
	default:
		a.log.Debug("Ignored Telegram update of an unrequested kind", "update_id", u.ID)
	}
}

func (a *Adapter) processMessage(ctx context.Context, u *models.Update) {
	m := u.Message
	if m.Chat.Type != models.ChatTypePrivate {
		a.received("group")
		a.hintGroup(ctx, m.Chat.ID)
		return
	}
	if m.From == nil {
		return
	}

	in := a.inbound(u, m.Chat.ID, m.From)
	switch {
	case m.Document != nil:
		file, problem := a.download(ctx, m.Document)
		if problem != "" {
			a.received("rejected_document")
			a.reply(ctx, m.Chat.ID, problem)
			return
		}
		a.received("document")
		in.File = file
		in.Text = m.Caption
	case m.Text != "":
		a.received("text")
		in.Text = a.stripBotName(m.Text)
	default:
		a.received("unsupported")
		a.reply(ctx, m.Chat.ID, unsupportedText)
		return
	}
	a.handle(ctx, m.Chat.ID, in)
}

// processCallback acknowledges a button press with answerCallbackQuery at once, so the client
// stops its progress indicator, and then passes the button's data to the handler.
func (a *Adapter) processCallback(ctx context.Context, u *models.Update) {
	cq := u.CallbackQuery
	chat, chatType, messageID := callbackChat(cq)
	if chat == 0 {
		a.answerCallback(ctx, cq.ID, "")
		return
	}
	if chatType != models.ChatTypePrivate {
		a.received("group")
		a.answerCallback(ctx, cq.ID, a.groupHint())
		return
	}
	a.answerCallback(ctx, cq.ID, "")
	if cq.Data == "" {
		return
	}

	a.received("button")
	in := a.inbound(u, chat, &cq.From)
	in.Data = cq.Data
	in.MessageRef = bot.MessageRef(strconv.Itoa(messageID))
	a.handle(ctx, chat, in)
}

// callbackChat returns the chat, its type and the message that carried the pressed button.
// The chat is 0 for a button on an inline-mode message, which has no chat.
func callbackChat(cq *models.CallbackQuery) (int64, models.ChatType, int) {
	if m := cq.Message.Message; m != nil {
		return m.Chat.ID, m.Chat.Type, m.ID
	}
	if m := cq.Message.InaccessibleMessage; m != nil && m.Chat.ID != 0 {
		return m.Chat.ID, m.Chat.Type, m.MessageID
	}
	return 0, "", 0
}

// handle runs the handler and sends its replies in order.
func (a *Adapter) handle(ctx context.Context, chat int64, in bot.Inbound) {
	outs, err := a.cfg.Handler.Handle(ctx, in)
	if ctx.Err() != nil {
		a.log.Warn("Handling of Telegram update cut short by shutdown", "update_id", in.UpdateID, "chat", in.Chat.String(), "error", err)
		return
	}
	if err != nil {
		a.log.Error("Handle Telegram update failed", "update_id", in.UpdateID, "chat", in.Chat.String(), "error", err)
		if len(outs) == 0 {
			outs = []bot.Outbound{{Text: apologyText}}
		}
	}

	for _, out := range outs {
		if _, err := a.deliver(ctx, chat, out); err != nil {
			a.logSendError(in.Chat, in.UpdateID, err)
			if errors.Is(err, bot.ErrUnreachable) {
				return
			}
		}
	}
}

// reply sends a text of the adapter's own and logs a failure.
func (a *Adapter) reply(ctx context.Context, chat int64, text string) {
	if _, err := a.deliver(ctx, chat, bot.Outbound{Text: text}); err != nil {
		a.logSendError(chatOf(chat), "", err)
	}
}

func (a *Adapter) logSendError(chat bot.ChatID, updateID string, err error) {
	if errors.Is(err, bot.ErrUnreachable) {
		a.log.Info("Telegram chat unreachable", "chat", chat.String(), "update_id", updateID, "error", err)
		if a.cfg.Unreachable != nil {
			a.cfg.Unreachable(chat)
		}
		return
	}
	a.log.Error("Send Telegram reply failed", "chat", chat.String(), "update_id", updateID, "error", err)
}

func (a *Adapter) answerCallback(ctx context.Context, id, text string) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	_, err := a.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text})
	if err != nil {
		a.log.Warn("Telegram answerCallbackQuery failed", "error", a.scrubber.err(err))
	}
}

// hintGroup sends a group the one-line hint to use a private chat, at most once per cooldown.
func (a *Adapter) hintGroup(ctx context.Context, chat int64) {
	if !a.hints.allow(chat) {
		return
	}
	a.reply(ctx, chat, a.groupHint())
}

func (a *Adapter) groupHint() string {
	if name := a.Username(); name != "" {
		return fmt.Sprintf(groupHintText, name)
	}
	return groupHintNoName
}

func (a *Adapter) inbound(u *models.Update, chat int64, from *models.User) bot.Inbound {
	return bot.Inbound{
		Chat:        chatOf(chat),
		UserID:      strconv.FormatInt(from.ID, 10),
		DisplayName: displayName(from),
		UpdateID:    strconv.FormatInt(u.ID, 10),
		ReceivedAt:  a.now(),
	}
}

// stripBotName turns "/start@our_bot args" into "/start args"; clients add the suffix when a
// command is picked from a menu that lists several bots.
func (a *Adapter) stripBotName(text string) string {
	name := a.Username()
	if name == "" || !strings.HasPrefix(text, "/") {
		return text
	}
	command, rest, _ := strings.Cut(text, " ")
	base, suffix, found := strings.Cut(command, "@")
	if !found || !strings.EqualFold(suffix, name) {
		return text
	}
	if rest == "" {
		return base
	}
	return base + " " + rest
}

func displayName(u *models.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.Username
	}
	return name
}

func chatOf(id int64) bot.ChatID {
	return bot.ChatID{Channel: bot.Telegram, ID: strconv.FormatInt(id, 10)}
}

func (a *Adapter) received(kind string) {
	if a.cfg.Received != nil {
		a.cfg.Received(kind)
	}
}
