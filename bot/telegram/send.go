package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/rechargebot/rechargebot/bot"
)

// maxRateLimitRetries is how many 429 responses one send waits out before giving up.
const maxRateLimitRetries = 5

var errEmptyMessage = errors.New("message has no text and no document")

var _ bot.Sender = (*Adapter)(nil)

// Send delivers msg to a Telegram chat outside of a reply and returns the id of the last message
// sent, which carries the buttons. Texts are sent without a parse mode, so every character
// shows exactly as written. An error wraps bot.ErrUnreachable when the user blocked the bot or
// the chat is gone.
//
// While a message of the same chat is being handled, Send first waits up to RequestTimeout for
// its replies to go out. So a notification the handler caused, such as a recharge result, does
// not arrive before the reply that announces it.
func (a *Adapter) Send(ctx context.Context, to bot.ChatID, msg bot.Outbound) (bot.MessageRef, error) {
	chat, err := parseChat(to)
	if err != nil {
		return "", err
	}
	if !a.dispatch.waitIdle(ctx, chat, a.cfg.RequestTimeout) {
		a.log.Debug("Sending while the chat's message is still being handled", "chat", to.String())
	}
	ref, err := a.deliver(ctx, chat, msg)
	if err != nil {
		return ref, fmt.Errorf("send telegram message to %s: %w", to, err)
	}
	return ref, nil
}

func parseChat(to bot.ChatID) (int64, error) {
	if to.Channel != bot.Telegram {
		return 0, fmt.Errorf("telegram: chat %s: %w", to, bot.ErrNoChannel)
	}
	id, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram: chat id %q is invalid: want a decimal Telegram chat id", to.ID)
	}
	return id, nil
}

// deliver renders one Outbound into Bot API calls: a document, an edit of an earlier message,
// or one or more text messages with the buttons on the last.
func (a *Adapter) deliver(ctx context.Context, chat int64, out bot.Outbound) (bot.MessageRef, error) {
	markup, err := keyboard(out.Options)
	if err != nil {
		return "", err
	}
	text := strings.ToValidUTF8(out.Text, "\uFFFD")
	if out.Document != nil {
		return a.sendDocument(ctx, chat, out, text, markup)
	}

	parts := textParts(text)
	if len(parts) == 0 {
		return "", errEmptyMessage
	}
	var ref bot.MessageRef
	for i, part := range parts {
		var m models.ReplyMarkup
		if i == len(parts)-1 && markup != nil {
			m = markup
		}
		if i == 0 && out.Edit != "" {
			ref, err = a.edit(ctx, chat, out.Edit, part, m)
		} else {
			ref, err = a.sendText(ctx, chat, part, m)
		}
		if err != nil {
			return ref, err
		}
	}
	return ref, nil
}

// textParts splits text to Telegram's length limit and drops the parts that are only blank
// space, which Telegram rejects as empty.
func textParts(text string) []string {
	var parts []string
	for _, p := range splitText(text, maxTextUnits) {
		p = strings.TrimRight(p, "\n")
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

func (a *Adapter) sendText(ctx context.Context, chat int64, text string, markup models.ReplyMarkup) (bot.MessageRef, error) {
	var sent *models.Message
	err := a.callAPI(ctx, chat, "sendMessage", func(ctx context.Context) error {
		var err error
		sent, err = a.api.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID:             chat,
			Text:               text,
			ReplyMarkup:        markup,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		})
		return err
	})
	if err != nil {
		return "", err
	}
	return messageRef(sent), nil
}

// edit replaces the text and buttons of an earlier message. An edit that changes nothing
// succeeds; a message that can no longer be edited (deleted, or too old) is sent anew.
func (a *Adapter) edit(ctx context.Context, chat int64, ref bot.MessageRef, text string, markup models.ReplyMarkup) (bot.MessageRef, error) {
	id, err := strconv.Atoi(string(ref))
	if err != nil || id <= 0 {
		a.log.Warn("Edit of an invalid message reference; sending a new message", "chat", chatOf(chat).String(), "message_ref", string(ref))
		return a.sendText(ctx, chat, text, markup)
	}

	err = a.callAPI(ctx, chat, "editMessageText", func(ctx context.Context) error {
		_, err := a.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID:             chat,
			MessageID:          id,
			Text:               text,
			ReplyMarkup:        markup,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()},
		})
		return err
	})
	switch {
	case err == nil, isNotModified(err):
		return ref, nil
	case isNotEditable(err):
		a.log.Debug("Message cannot be edited; sending a new one", "chat", chatOf(chat).String(), "error", err)
		return a.sendText(ctx, chat, text, markup)
	default:
		return "", err
	}
}

// sendDocument sends a file with text as its caption. A text too long for a caption follows
// the file as a message of its own, which then carries the buttons.
func (a *Adapter) sendDocument(ctx context.Context, chat int64, out bot.Outbound, text string, markup *inlineKeyboard) (bot.MessageRef, error) {
	doc := out.Document
	name := doc.Name
	if name == "" {
		name = "document"
	}
	caption, rest := text, ""
	if utf16Len(text) > maxCaptionUnits {
		caption, rest = "", text
	}
	var m models.ReplyMarkup
	if markup != nil && rest == "" {
		m = markup
	}

	var sent *models.Message
	err := a.callAPI(ctx, chat, "sendDocument", func(ctx context.Context) error {
		var err error
		sent, err = a.api.SendDocument(ctx, &tgbot.SendDocumentParams{
			ChatID:      chat,
			Document:    &models.InputFileUpload{Filename: name, Data: bytes.NewReader(doc.Data)},
			Caption:     caption,
			ReplyMarkup: m,
		})
		return err
	})
	if err != nil {
		return "", err
	}
	if rest == "" {
		return messageRef(sent), nil
	}
	return a.deliver(ctx, chat, bot.Outbound{Text: rest, Options: out.Options})
}

func messageRef(m *models.Message) bot.MessageRef {
	if m == nil || m.ID == 0 {
		return ""
	}
	return bot.MessageRef(strconv.Itoa(m.ID))
}

// callAPI runs one Bot API call that sends to chat. It waits for the send rate limits, waits
// out a 429 response for its retry_after and calls again (up to maxRateLimitRetries times), and
// returns errors with the token scrubbed and blocked chats marked with bot.ErrUnreachable.
func (a *Adapter) callAPI(ctx context.Context, chat int64, method string, call func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		if err := a.limits.wait(ctx, chat); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}

		callCtx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
		err := a.scrubber.err(call(callCtx))
		cancel()
		a.sent(method, err)

		var tooMany *tgbot.TooManyRequestsError
		if !errors.As(err, &tooMany) || attempt > maxRateLimitRetries {
			return classify(method, err)
		}
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		a.log.Warn("Telegram rate limit hit, waiting before sending again",
			"method", method, "chat", chatOf(chat).String(), "retry_after", wait, "attempt", attempt)
		if err := a.sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: wait after rate limit: %w", method, err)
		}
	}
}

// classify adds the method to err and marks errors that mean the chat is unreachable.
func classify(method string, err error) error {
	switch {
	case err == nil:
		return nil
	case isUnreachable(err):
		return fmt.Errorf("%s: %w: %w", method, bot.ErrUnreachable, err)
	default:
		return fmt.Errorf("%s: %w", method, err)
	}
}

// isUnreachable reports a Bot API error that retrying cannot fix: 403 (the user blocked the
// bot, deleted the account, or the bot left the group) or a chat that does not exist.
func isUnreachable(err error) bool {
	if errors.Is(err, tgbot.ErrorForbidden) {
		return true
	}
	return errors.Is(err, tgbot.ErrorBadRequest) && containsAny(err, "chat not found", "user is deactivated", "peer_id_invalid")
}

func isNotModified(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && containsAny(err, "message is not modified")
}

func isNotEditable(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) &&
		containsAny(err, "message to edit not found", "message can't be edited", "there is no text in the message to edit", "message_id_invalid")
}

func containsAny(err error, fragments ...string) bool {
	msg := strings.ToLower(err.Error())
	for _, f := range fragments {
		if strings.Contains(msg, f) {
			return true
		}
	}
	return false
}

func (a *Adapter) sent(method string, err error) {
	if a.cfg.Sent == nil {
		return
	}
	if isNotModified(err) {
		err = nil
	}
	a.cfg.Sent(method, err)
}
