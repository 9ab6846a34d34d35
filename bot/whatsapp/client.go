package whatsapp

import (
	"context"
	"errors"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Client is the part of *whatsmeow.Client the adapter calls. New wraps the real client;
// NewWithClient takes any other, such as the fake in package whatsapptest.
type Client interface {
	// Connect opens the websocket; the session's loops live until ctx ends or Disconnect.
	Connect(ctx context.Context) error
	Disconnect()
	SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message) error
	// SendPresence marks the bot online, which WhatsApp needs before it shows typing.
	SendPresence(ctx context.Context, state types.Presence) error
	SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence) error
	MarkRead(ctx context.Context, id types.MessageID, at time.Time, chat, sender types.JID) error
	// UploadDocument encrypts and uploads data as a document attachment.
	UploadDocument(ctx context.Context, data []byte) (whatsmeow.UploadResponse, error)
	// DownloadDocument fetches and decrypts a received document. It should stop once more
	// than maxBytes arrive, as the real client does with errFileTooLarge. Data longer than
	// maxBytes is rejected as too large either way.
	DownloadDocument(ctx context.Context, doc *waE2E.DocumentMessage, maxBytes int64) ([]byte, error)
	// PhoneForLID returns the phone-number JID that whatsmeow's store maps lid to, or an empty
	// JID when it has no mapping.
	PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// whatsmeowClient is the Client over a real *whatsmeow.Client.
type whatsmeowClient struct {
	cli *whatsmeow.Client
}

var _ Client = (*whatsmeowClient)(nil)

func (c *whatsmeowClient) Connect(ctx context.Context) error {
	err := c.cli.ConnectContext(ctx)
	if errors.Is(err, whatsmeow.ErrAlreadyConnected) {
		return nil
	}
	return err
}

func (c *whatsmeowClient) Disconnect() { c.cli.Disconnect() }

func (c *whatsmeowClient) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message) error {
	_, err := c.cli.SendMessage(ctx, to, msg)
	return err
}

func (c *whatsmeowClient) SendPresence(ctx context.Context, state types.Presence) error {
	return c.cli.SendPresence(ctx, state)
}

func (c *whatsmeowClient) SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence) error {
	return c.cli.SendChatPresence(ctx, chat, state, types.ChatPresenceMediaText)
}

func (c *whatsmeowClient) MarkRead(ctx context.Context, id types.MessageID, at time.Time, chat, sender types.JID) error {
	return c.cli.MarkRead(ctx, []types.MessageID{id}, at, chat, sender)
}

func (c *whatsmeowClient) UploadDocument(ctx context.Context, data []byte) (whatsmeow.UploadResponse, error) {
	return c.cli.Upload(ctx, data, whatsmeow.MediaDocument)
}

func (c *whatsmeowClient) DownloadDocument(ctx context.Context, doc *waE2E.DocumentMessage, maxBytes int64) ([]byte, error) {
	// The encrypted download is the plaintext padded to the AES block plus a 10-byte MAC.
	file := newMemoryFile(maxBytes + 32)
	if err := c.cli.DownloadToFile(ctx, doc, file); err != nil {
		return nil, err
	}
	data := file.Bytes()
	if int64(len(data)) > maxBytes {
		return nil, errFileTooLarge
	}
	return data, nil
}

func (c *whatsmeowClient) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	return c.cli.Store.LIDs.GetPNForLID(ctx, lid)
}
