package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/rechargebot/rechargebot/bot"
)

// serve runs the handler on one message and sends its replies, showing the typing indicator
// while the handler works.
func (a *Adapter) serve(ctx context.Context, msg incoming, in bot.Inbound) {
	a.remember(ctx, msg)
	a.markRead(ctx, msg)

	stopTyping := a.startTyping(ctx, msg.chat)
	outs, err := a.cfg.Handler.Handle(ctx, in)
	stopTyping()

	if err != nil {
		if ctx.Err() != nil {
			return
		}
		a.log.Error("WhatsApp message not handled", "chat", msg.chatID().String(), "message_id", msg.id, "error", err)
		outs = []bot.Outbound{{Text: noticeHandlerFailed}}
	}
	a.reply(ctx, msg, outs...)
}

// serveDocument downloads a document within MaxFileBytes and hands it to the handler, with
// its caption as the text.
func (a *Adapter) serveDocument(ctx context.Context, msg incoming, doc *waE2E.DocumentMessage) {
	a.remember(ctx, msg)
	a.markRead(ctx, msg)

	limit := a.cfg.MaxFileBytes
	if doc.GetFileLength() > uint64(limit) {
		a.reply(ctx, msg, bot.Outbound{Text: fileTooLargeNotice(limit)})
		return
	}
	data, err := a.client.DownloadDocument(ctx, doc, limit)
	switch {
	case errors.Is(err, errFileTooLarge), err == nil && int64(len(data)) > limit:
		a.reply(ctx, msg, bot.Outbound{Text: fileTooLargeNotice(limit)})
		return
	case err != nil:
		a.log.Warn("WhatsApp document download failed", "chat", msg.chatID().String(), "message_id", msg.id,
			"error", scrubError(err))
		a.reply(ctx, msg, bot.Outbound{Text: noticeDownload})
		return
	}

	in := a.inbound(msg, doc.GetCaption())
	in.File = &bot.File{Name: doc.GetFileName(), MIME: doc.GetMimetype(), Data: data}
	a.serve(ctx, msg, in)
}

// fileTooLargeNotice returns the reply to a file over limit bytes, stating the limit.
func fileTooLargeNotice(limit int64) string {
	size := fmt.Sprintf("%d KB", limit/1024)
	if limit%(1<<20) == 0 {
		size = fmt.Sprintf("%d MB", limit/(1<<20))
	}
	return fmt.Sprintf("That file is too large: I accept files up to %s. Please send a smaller file.", size)
}

// reply sends outs to msg's chat in order, stopping at the first failure.
func (a *Adapter) reply(ctx context.Context, msg incoming, outs ...bot.Outbound) {
	for _, out := range outs {
		if err := a.deliver(ctx, msg.chat, out); err != nil {
			if ctx.Err() == nil {
				a.log.Error("WhatsApp reply not sent", "chat", msg.chatID().String(), "message_id", msg.id, "error", err)
			}
			return
		}
	}
}

// remember records that msg's sender wrote to the bot, so that Send may reach them later.
func (a *Adapter) remember(ctx context.Context, msg incoming) {
	if err := a.store.rememberWriter(ctx, msg.phone, a.cfg.Now()); err != nil {
		a.log.Error("WhatsApp chat not remembered", "chat", msg.chatID().String(), "error", err)
	}
}

// markRead shows the sender the blue ticks. A failure only costs the ticks.
func (a *Adapter) markRead(ctx context.Context, msg incoming) {
	if err := a.client.MarkRead(ctx, msg.id, a.cfg.Now(), msg.chat, msg.sender); err != nil {
		a.log.Debug("WhatsApp read receipt not sent", "chat", msg.chatID().String(), "error", scrubError(err))
	}
}

// startTyping shows "typing…" in chat, renewed every typingRefresh, until the returned
// function is called; that function sets the chat to paused.
func (a *Adapter) startTyping(ctx context.Context, chat types.JID) (stop func()) {
	a.chatPresence(ctx, chat, types.ChatPresenceComposing)

	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ticker := time.NewTicker(typingRefresh)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-ticker.C:
				a.chatPresence(ctx, chat, types.ChatPresenceComposing)
			}
		}
	}()

	return func() {
		close(done)
		<-finished
		a.chatPresence(ctx, chat, types.ChatPresencePaused)
	}
}

func (a *Adapter) chatPresence(ctx context.Context, chat types.JID, state types.ChatPresence) {
	if err := a.client.SendChatPresence(ctx, chat, state); err != nil {
		a.log.Debug("WhatsApp typing indicator not sent", "state", string(state), "error", scrubError(err))
	}
}
