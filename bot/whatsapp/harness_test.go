package whatsapp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/bottest"
	"github.com/rechargebot/rechargebot/bot/whatsapp/whatsapptest"
)

var _ Client = (*whatsapptest.Client)(nil)

// Builders of whatsmeow events, under the names the tests of this package use.
var (
	fromPerson = whatsapptest.FromPerson
	textEvent  = whatsapptest.TextMessage
)

func newTestClock() *bottest.Clock {
	return bottest.NewClock(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
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
	client  *whatsapptest.Client
	clock   *bottest.Clock
	handler *recordingHandler
	alerts  *[]string
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	clock := newTestClock()
	fake := whatsapptest.NewClient(clock)
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
	a := NewWithClient(cfg, fake, newSQLiteStore(t))
	t.Cleanup(func() {
		a.cancel()
		a.queues.wait()
	})

	a.HandleEvent(&events.Connected{})
	clock.Advance(time.Minute)
	return &harness{a: a, client: fake, clock: clock, handler: handler, alerts: alerts}
}

// deliver hands evt to the adapter and waits until the work it queued is done.
func (h *harness) deliver(evt any) {
	h.a.HandleEvent(evt)
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

func ptr[T any](v T) *T { return &v }

var errBoom = errors.New("boom")
