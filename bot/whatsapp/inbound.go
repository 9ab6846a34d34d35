package whatsapp

import (
	"context"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

// incoming is an accepted one-to-one message from a person, reduced to what replies need.
type incoming struct {
	id types.MessageID
	// chat is the destination of replies: the chat as WhatsApp addressed it, by phone number or LID.
	chat   types.JID
	sender types.JID
	// phone is the sender's number, digits with the country code: the user's identity.
	phone  string
	name   string
	sentAt time.Time
}

func (m incoming) chatID() bot.ChatID { return bot.ChatID{Channel: bot.WhatsApp, ID: m.phone} }

// skipReason returns why a message from src is not for the bot, or "" for a one-to-one
// message from another person.
func skipReason(src types.MessageSource) string {
	switch {
	case src.IsFromMe:
		return "own message"
	case src.Chat == types.StatusBroadcastJID:
		return "status broadcast"
	case src.Chat.Server == types.BroadcastServer:
		return "broadcast list"
	case src.IsGroup || src.Chat.Server == types.GroupServer:
		return "group"
	case src.Chat.Server == types.NewsletterServer:
		return "newsletter"
	case src.Chat.Server != types.DefaultUserServer && src.Chat.Server != types.HiddenUserServer:
		return "not a person's chat"
	}
	return ""
}

func (a *Adapter) handleMessage(evt *events.Message) {
	if a.stopped() != nil {
		return
	}
	if reason := skipReason(evt.Info.MessageSource); reason != "" {
		a.log.Debug("WhatsApp message ignored", "reason", reason, "message_id", evt.Info.ID)
		return
	}
	if evt.IsEdit {
		a.log.Debug("WhatsApp message ignored", "reason", "edit", "message_id", evt.Info.ID)
		return
	}
	msg, ok := a.identify(evt.Info)
	if !ok {
		return
	}
	if a.isBacklog(msg.sentAt) {
		a.handleBacklog(msg)
		return
	}

	content := evt.Message
	text := messageText(content)
	switch {
	case content.GetDocumentMessage() != nil:
		doc := content.GetDocumentMessage()
		a.queue(msg, func(ctx context.Context) { a.serveDocument(ctx, msg, doc) })
	case text != "":
		a.queue(msg, func(ctx context.Context) { a.serve(ctx, msg, a.inbound(msg, text)) })
	case isUnsupportedMedia(content):
		a.queueNotice(msg, "unsupported", noticeUnsupported)
	default:
		// Reactions, poll votes, protocol messages and the like carry no request for the bot.
		a.log.Debug("WhatsApp message ignored", "reason", "no text", "message_id", evt.Info.ID)
	}
}

// handleUndecryptable replies to a message whatsmeow could not decrypt with one "please send
// it again" per chat and NoticeInterval. The message never reaches the handler, so the
// conversation stays where it was.
func (a *Adapter) handleUndecryptable(evt *events.UndecryptableMessage) {
	if a.stopped() != nil {
		return
	}
	if reason := skipReason(evt.Info.MessageSource); reason != "" {
		a.log.Debug("undecryptable WhatsApp message ignored", "reason", reason, "message_id", evt.Info.ID)
		return
	}
	// WhatsApp marks some messages as not meant for linked devices (view-once media, hidden
	// fail modes), and their senders expect no reply.
	if evt.DecryptFailMode == events.DecryptFailHide || evt.UnavailableType == events.UnavailableTypeViewOnce {
		return
	}
	msg, ok := a.identify(evt.Info)
	if !ok {
		return
	}
	a.log.Warn("WhatsApp message could not be decrypted", "chat", msg.chatID().String(), "message_id", msg.id)
	if a.isBacklog(msg.sentAt) {
		a.handleBacklog(msg)
		return
	}
	a.queueNotice(msg, "undecryptable", noticeUndecryptable)
}

// handleBacklog replies to a message that arrived while the bot was offline with one "please
// send it again" instead of acting on it late. Messages older than backlogNoticeAge get nothing.
func (a *Adapter) handleBacklog(msg incoming) {
	age := a.cfg.Now().Sub(msg.sentAt)
	a.log.Info("WhatsApp message from before the connection ignored", "chat", msg.chatID().String(),
		"message_id", msg.id, "age", age.Round(time.Second))
	if age < backlogNoticeAge {
		a.queueNotice(msg, "backlog", noticeBacklog)
	}
}

// isBacklog reports whether a message sent at sentAt predates the current session. WhatsApp
// timestamps have whole seconds, so the login time is truncated the same way.
func (a *Adapter) isBacklog(sentAt time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return sentAt.Before(a.connectedAt.Truncate(time.Second))
}

// identify returns the message's sender by phone number. A sender addressed by LID is looked
// up in whatsmeow's LID map. Without a mapping the message is logged and skipped, because the
// bot identifies users by phone number only and never stores a LID in their place.
// WhatsApp usually sends the phone number along with one-to-one messages.
func (a *Adapter) identify(info types.MessageInfo) (incoming, bool) {
	sender := info.Sender
	if sender.IsEmpty() {
		sender = info.Chat
	}

	phone, err := a.phoneOf(sender, info.SenderAlt)
	if err != nil {
		a.log.Warn("WhatsApp message skipped", "message_id", info.ID, "error", err)
		return incoming{}, false
	}
	return incoming{
		id:     info.ID,
		chat:   info.Chat.ToNonAD(),
		sender: sender,
		phone:  phone,
		name:   info.PushName,
		sentAt: info.Timestamp,
	}, true
}

// phoneOf returns the phone number of sender, using alt (the other address WhatsApp sent
// along) or whatsmeow's LID map when sender is a LID. Errors never hold a full number or LID.
func (a *Adapter) phoneOf(sender, alt types.JID) (string, error) {
	var phone string
	switch sender.Server {
	case types.DefaultUserServer:
		phone = sender.User
	case types.HiddenUserServer:
		if alt.Server == types.DefaultUserServer {
			phone = alt.User
			break
		}
		pn, err := a.client.PhoneForLID(a.ctx, sender.ToNonAD())
		if err != nil {
			return "", fmt.Errorf("look up phone number of LID %s: %w", bot.Mask(sender.User), scrubError(err))
		}
		if pn.Server != types.DefaultUserServer || pn.User == "" {
			return "", fmt.Errorf("no phone number known for LID %s", bot.Mask(sender.User))
		}
		phone = pn.User
	default:
		return "", fmt.Errorf("sender on server %q has no phone number", sender.Server)
	}

	if err := checkPhone(phone); err != nil {
		return "", fmt.Errorf("sender %s: %w", bot.Mask(phone), err)
	}
	return phone, nil
}

// messageText returns the typed text of a plain or extended text message, or "".
func messageText(m *waE2E.Message) string {
	if text := m.GetConversation(); text != "" {
		return text
	}
	return m.GetExtendedTextMessage().GetText()
}

// isUnsupportedMedia reports content a person sent that the bot cannot read: pictures, voice,
// video, stickers, locations and contact cards.
func isUnsupportedMedia(m *waE2E.Message) bool {
	return m.GetImageMessage() != nil || m.GetVideoMessage() != nil || m.GetAudioMessage() != nil ||
		m.GetStickerMessage() != nil || m.GetLocationMessage() != nil || m.GetLiveLocationMessage() != nil ||
		m.GetContactMessage() != nil || m.GetContactsArrayMessage() != nil || m.GetPtvMessage() != nil
}

// inbound builds what the handler receives for msg.
func (a *Adapter) inbound(msg incoming, text string) bot.Inbound {
	return bot.Inbound{
		Chat:        msg.chatID(),
		UserID:      msg.phone,
		DisplayName: msg.name,
		Text:        text,
		UpdateID:    string(msg.id),
		ReceivedAt:  a.cfg.Now().UTC(),
	}
}

// queue runs job after the earlier jobs of the same sender. The job gets the adapter's
// lifetime context, which ends when Run returns.
func (a *Adapter) queue(msg incoming, job func(ctx context.Context)) {
	if !a.queues.add(msg.phone, func() { job(a.ctx) }) {
		a.log.Warn("WhatsApp message dropped: too many waiting from this chat",
			"chat", msg.chatID().String(), "message_id", msg.id)
	}
}

// queueNotice sends text to msg's chat in turn with its other replies, at most once per kind
// per NoticeInterval.
func (a *Adapter) queueNotice(msg incoming, kind, text string) {
	if !a.notices.allow(kind+":"+msg.phone, a.cfg.Now()) {
		a.log.Debug("WhatsApp notice held back", "kind", kind, "chat", msg.chatID().String())
		return
	}
	a.queue(msg, func(ctx context.Context) {
		a.remember(ctx, msg)
		a.reply(ctx, msg, bot.Outbound{Text: text})
	})
}
