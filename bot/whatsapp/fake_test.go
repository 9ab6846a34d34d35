package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

// testClock is a settable clock whose Sleep advances time instead of waiting.
type testClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *testClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// sentMessage is one message the fake client was asked to send.
type sentMessage struct {
	To   types.JID
	Text string
	Doc  *waE2E.DocumentMessage
	At   time.Time
}

// fakeClient records what the adapter sends and returns scripted results.
type fakeClient struct {
	clock *testClock

	mu sync.Mutex
	// ops lists every call in order, for ordering checks: "read ID", "typing composing",
	// "typing paused", "send TEXT", "send document NAME".
	ops       []string
	sent      []sentMessage
	uploads   [][]byte
	lids      map[string]string // LID user → phone number
	download  []byte
	downErr   error
	downloads int
	sendErr   error
	// connectErrs is consumed one per Connect call; past its end Connect succeeds.
	connectErrs []error
	connects    int
	onConnect   func(n int)
	disconnects int
}

var _ client = (*fakeClient)(nil)

func newFakeClient(clock *testClock) *fakeClient {
	return &fakeClient{clock: clock, lids: map[string]string{}}
}

func (f *fakeClient) record(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
}

func (f *fakeClient) Connect(ctx context.Context) error {
	f.mu.Lock()
	f.connects++
	n := f.connects
	var err error
	if n <= len(f.connectErrs) {
		err = f.connectErrs[n-1]
	}
	hook := f.onConnect
	f.mu.Unlock()

	if err == nil && hook != nil {
		hook(n)
	}
	return err
}

func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnects++
}

func (f *fakeClient) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return f.sendErr
	}
	m := sentMessage{To: to, Text: msg.GetConversation(), Doc: msg.GetDocumentMessage(), At: f.clock.Now()}
	f.sent = append(f.sent, m)
	if m.Doc != nil {
		f.ops = append(f.ops, "send document "+m.Doc.GetFileName())
	} else {
		f.ops = append(f.ops, "send "+m.Text)
	}
	return nil
}

func (f *fakeClient) SendPresence(ctx context.Context, state types.Presence) error {
	return nil
}

func (f *fakeClient) SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence) error {
	f.record("typing " + string(state))
	return nil
}

func (f *fakeClient) MarkRead(ctx context.Context, id types.MessageID, at time.Time, chat, sender types.JID) error {
	f.record("read " + string(id))
	return nil
}

func (f *fakeClient) UploadDocument(ctx context.Context, data []byte) (whatsmeow.UploadResponse, error) {
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

func (f *fakeClient) DownloadDocument(ctx context.Context, doc *waE2E.DocumentMessage, maxBytes int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads++
	if f.downErr != nil {
		return nil, f.downErr
	}
	if int64(len(f.download)) > maxBytes {
		return nil, errFileTooLarge
	}
	return f.download, nil
}

func (f *fakeClient) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if phone, ok := f.lids[lid.User]; ok {
		return types.NewJID(phone, types.DefaultUserServer), nil
	}
	return types.EmptyJID, nil
}

func (f *fakeClient) Sent() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.sent...)
}

// SentTexts returns the text of every sent message, in order.
func (f *fakeClient) SentTexts() []string {
	var texts []string
	for _, m := range f.Sent() {
		texts = append(texts, m.Text)
	}
	return texts
}

func (f *fakeClient) Ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

// recordingHandler keeps every Inbound it gets and returns reply(in) as its replies.
type recordingHandler struct {
	mu    sync.Mutex
	got   []bot.Inbound
	reply func(in bot.Inbound) ([]bot.Outbound, error)
}

func (h *recordingHandler) Handle(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
	h.mu.Lock()
	h.got = append(h.got, in)
	h.mu.Unlock()
	if h.reply == nil {
		return []bot.Outbound{{Text: "echo: " + in.Text}}, nil
	}
	return h.reply(in)
}

func (h *recordingHandler) Got() []bot.Inbound {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Inbound(nil), h.got...)
}

// harness is an adapter over a fake client, a test clock and a real SQLite store, already
// past its login.
type harness struct {
	a       *Adapter
	client  *fakeClient
	clock   *testClock
	handler *recordingHandler
	alerts  *[]string
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	clock := newTestClock()
	fake := newFakeClient(clock)
	handler := &recordingHandler{}
	alerts := &[]string{}
	var alertsMu sync.Mutex

	if cfg.Handler == nil {
		cfg.Handler = handler
	}
	cfg.Now = clock.Now
	cfg.Sleep = clock.Sleep
	cfg.Alert = func(ctx context.Context, text string) {
		alertsMu.Lock()
		defer alertsMu.Unlock()
		*alerts = append(*alerts, text)
	}
	a := newAdapter(cfg, fake, newSQLiteStore(t))
	t.Cleanup(func() {
		a.cancel()
		a.queues.wait()
	})

	a.handleEvent(&events.Connected{})
	clock.Advance(time.Minute)
	return &harness{a: a, client: fake, clock: clock, handler: handler, alerts: alerts}
}

// deliver hands evt to the adapter and waits until the work it queued is done.
func (h *harness) deliver(evt any) {
	h.a.handleEvent(evt)
	h.a.queues.wait()
}

// Phone numbers and LIDs used by the tests.
const (
	customerPhone = "919876543210"
	agentPhone    = "919812345678"
	strangerPhone = "919000000001"
	customerLID   = "123456789012345"
)

var (
	customerJID = types.NewJID(customerPhone, types.DefaultUserServer)
	agentJID    = types.NewJID(agentPhone, types.DefaultUserServer)
	lidJID      = types.NewJID(customerLID, types.HiddenUserServer)
)

var messageCounter struct {
	sync.Mutex
	n int
}

func nextMessageID() types.MessageID {
	messageCounter.Lock()
	defer messageCounter.Unlock()
	messageCounter.n++
	return types.MessageID(fmt.Sprintf("3EB0%06d", messageCounter.n))
}

// fromPerson builds the info of a one-to-one message that from sent at at.
func fromPerson(from types.JID, at time.Time) types.MessageInfo {
	return types.MessageInfo{
		MessageSource: types.MessageSource{Chat: from.ToNonAD(), Sender: from},
		ID:            nextMessageID(),
		PushName:      "Asha",
		Timestamp:     at.Truncate(time.Second),
	}
}

func textEvent(info types.MessageInfo, text string) *events.Message {
	return &events.Message{Info: info, Message: &waE2E.Message{Conversation: &text}}
}

func ptr[T any](v T) *T { return &v }

var errBoom = errors.New("boom")
