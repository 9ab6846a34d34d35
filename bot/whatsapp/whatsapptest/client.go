// Package whatsapptest is a fake of the WhatsApp client that the whatsapp adapter drives, for
// tests in any package: pass a Client to whatsapp.NewWithClient, hand the adapter events built
// with FromPerson and TextMessage, and read back what it sent. A bottest.Clock replaces the
// real time, so pacing and reconnect backoff take no real time.
package whatsapptest

import (
	"context"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/rechargebot/rechargebot/bot/bottest"
)

// SentMessage is one message the adapter sent through the fake.
type SentMessage struct {
	To   types.JID
	Text string
	// Doc is the document of a document message, nil for text.
	Doc *waE2E.DocumentMessage
	// At is the Clock's time of the send.
	At time.Time
}

// Client implements whatsapp.Client without a network: it records every call and returns
// what the exported fields script. Set those fields before the adapter uses the client; the
// methods are safe for concurrent use.
type Client struct {
	// LIDs maps a LID user part to the phone number PhoneForLID returns for it.
	LIDs map[string]string
	// Download is the content DownloadDocument returns, whole, even past maxBytes: the
	// adapter must reject a document longer than its limit.
	Download []byte
	// DownloadErr, when set, is returned by DownloadDocument instead of Download.
	DownloadErr error
	// SendErr, when set, fails every SendMessage without recording a message.
	SendErr error
	// ConnectErrs holds the results of the first Connect calls, one each. Later calls succeed.
	ConnectErrs []error
	// OnConnect, when set, runs after each successful Connect with the attempt number,
	// counted from 1. Tests use it to emit the events whatsmeow would, such as Connected.
	OnConnect func(n int)

	clock *bottest.Clock

	mu sync.Mutex
	// ops lists every call in order, for ordering checks: "read ID", "typing composing",
	// "typing paused", "send TEXT", "send document NAME".
	ops         []string
	sent        []SentMessage
	uploads     [][]byte
	downloads   int
	connects    int
	disconnects int
}

// NewClient returns a fake client that stamps sent messages with clock's time.
func NewClient(clock *bottest.Clock) *Client {
	return &Client{clock: clock, LIDs: map[string]string{}}
}

func (f *Client) record(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
}

// Connect counts the attempt and fails with the next of ConnectErrs, if any is left.
func (f *Client) Connect(ctx context.Context) error {
	f.mu.Lock()
	f.connects++
	n := f.connects
	var err error
	if n <= len(f.ConnectErrs) {
		err = f.ConnectErrs[n-1]
	}
	hook := f.OnConnect
	f.mu.Unlock()

	if err == nil && hook != nil {
		hook(n)
	}
	return err
}

// Disconnect counts the call.
func (f *Client) Disconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnects++
}

// SendMessage records msg, or fails with SendErr.
func (f *Client) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.SendErr != nil {
		return f.SendErr
	}
	m := SentMessage{To: to, Text: msg.GetConversation(), Doc: msg.GetDocumentMessage(), At: f.clock.Now()}
	f.sent = append(f.sent, m)
	if m.Doc != nil {
		f.ops = append(f.ops, "send document "+m.Doc.GetFileName())
	} else {
		f.ops = append(f.ops, "send "+m.Text)
	}
	return nil
}

// SendPresence does nothing.
func (f *Client) SendPresence(ctx context.Context, state types.Presence) error {
	return nil
}

// SendChatPresence records "typing STATE".
func (f *Client) SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence) error {
	f.record("typing " + string(state))
	return nil
}

// MarkRead records "read ID".
func (f *Client) MarkRead(ctx context.Context, id types.MessageID, at time.Time, chat, sender types.JID) error {
	f.record("read " + string(id))
	return nil
}

// UploadDocument records data and returns a made-up upload on an example host.
func (f *Client) UploadDocument(ctx context.Context, data []byte) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, data)
	return whatsmeow.UploadResponse{
		URL:        "https://mmg.example/d/1",
		DirectPath: "/d/1",
		MediaKey:   []byte("media-key"),
		FileLength: uint64(len(data)),
	}, nil
}

// DownloadDocument counts the call and returns Download or DownloadErr.
func (f *Client) DownloadDocument(ctx context.Context, doc *waE2E.DocumentMessage, maxBytes int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads++
	if f.DownloadErr != nil {
		return nil, f.DownloadErr
	}
	return f.Download, nil
}

// PhoneForLID returns the phone-number JID that LIDs maps lid to, or an empty JID.
func (f *Client) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if phone, ok := f.LIDs[lid.User]; ok {
		return PhoneJID(phone), nil
	}
	return types.EmptyJID, nil
}

// Sent returns every sent message, in order.
func (f *Client) Sent() []SentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SentMessage(nil), f.sent...)
}

// SentTexts returns the text of every sent message, in order. A document message gives "".
func (f *Client) SentTexts() []string {
	var texts []string
	for _, m := range f.Sent() {
		texts = append(texts, m.Text)
	}
	return texts
}

// Ops returns every recorded call, in order.
func (f *Client) Ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

// Uploads returns the data of every UploadDocument call, in order.
func (f *Client) Uploads() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.uploads...)
}

// Downloads returns the number of DownloadDocument calls.
func (f *Client) Downloads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.downloads
}

// Connects returns the number of Connect calls, failed ones included.
func (f *Client) Connects() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connects
}

// Disconnects returns the number of Disconnect calls.
func (f *Client) Disconnects() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.disconnects
}
