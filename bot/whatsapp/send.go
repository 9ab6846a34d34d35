package whatsapp

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/rechargebot/rechargebot/bot"
)

// Send delivers msg to a WhatsApp chat outside of a reply (bot.Sender). WhatsApp messages
// cannot be edited by this adapter, so msg.Edit is ignored, a new message is sent, and the
// returned MessageRef is always empty.
//
// The bot writes only to numbers that have written to it first: any other number, and an
// invalid one, gives an error wrapping bot.ErrUnreachable. A stopped channel gives an error
// wrapping ErrStopped; a send failure gives the scrubbed whatsmeow error, worth a retry.
func (a *Adapter) Send(ctx context.Context, to bot.ChatID, msg bot.Outbound) (bot.MessageRef, error) {
	if to.Channel != bot.WhatsApp {
		return "", fmt.Errorf("send whatsapp message to %s: %w", to, bot.ErrNoChannel)
	}
	if err := checkPhone(to.ID); err != nil {
		return "", fmt.Errorf("send whatsapp message to %s: %w: %w", to, bot.ErrUnreachable, err)
	}
	wrote, err := a.store.hasWritten(ctx, to.ID)
	if err != nil {
		return "", fmt.Errorf("send whatsapp message to %s: %w", to, err)
	}
	if !wrote {
		return "", fmt.Errorf("send whatsapp message to %s: the number never wrote to the bot: %w", to, bot.ErrUnreachable)
	}
	if err := a.stopped(); err != nil {
		return "", fmt.Errorf("send whatsapp message to %s: %w", to, err)
	}

	jid := types.NewJID(to.ID, types.DefaultUserServer)
	if err := a.deliver(ctx, jid, msg); err != nil {
		return "", err
	}
	return "", nil
}

// deliver sends out to a chat: its rendered texts, then its document. Each message waits its
// turn in the pacer. A failure part way leaves the earlier parts sent.
func (a *Adapter) deliver(ctx context.Context, to types.JID, out bot.Outbound) error {
	for _, text := range render(out) {
		if err := a.sendText(ctx, to, text); err != nil {
			return err
		}
	}
	if out.Document != nil {
		return a.sendDocument(ctx, to, out.Document)
	}
	return nil
}

func (a *Adapter) sendText(ctx context.Context, to types.JID, text string) error {
	return a.send(ctx, to, &waE2E.Message{Conversation: &text})
}

// sendDocument uploads file and sends it as a document message.
func (a *Adapter) sendDocument(ctx context.Context, to types.JID, file *bot.File) error {
	name := file.Name
	if name == "" {
		name = "document"
	}
	mime := file.MIME
	if mime == "" {
		mime = "application/octet-stream"
	}

	up, err := a.client.UploadDocument(ctx, file.Data)
	if err != nil {
		return fmt.Errorf("upload whatsapp document for %s: %w", maskJID(to), scrubError(err))
	}
	return a.send(ctx, to, &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		URL:           &up.URL,
		DirectPath:    &up.DirectPath,
		MediaKey:      up.MediaKey,
		FileEncSHA256: up.FileEncSHA256,
		FileSHA256:    up.FileSHA256,
		FileLength:    &up.FileLength,
		Mimetype:      &mime,
		FileName:      &name,
		Title:         &name,
	}})
}

// send waits for the pacer, then sends one message.
func (a *Adapter) send(ctx context.Context, to types.JID, msg *waE2E.Message) error {
	if err := a.pacer.wait(ctx); err != nil {
		return fmt.Errorf("send whatsapp message to %s: %w", maskJID(to), err)
	}
	if err := a.client.SendMessage(ctx, to, msg); err != nil {
		return fmt.Errorf("send whatsapp message to %s: %w", maskJID(to), scrubError(err))
	}
	return nil
}

// maskJID shows a JID with its user part masked to the last four characters.
func maskJID(j types.JID) string { return bot.Mask(j.User) + "@" + j.Server }

// scrubbedError is a whatsmeow error whose text has numbers and keys masked, so that it can go
// into logs and the outbox. errors.Is and errors.As still see the original.
type scrubbedError struct{ err error }

func (e scrubbedError) Error() string { return scrubLog(e.err.Error()) }
func (e scrubbedError) Unwrap() error { return e.err }

func scrubError(err error) error {
	if err == nil {
		return nil
	}
	return scrubbedError{err: err}
}
