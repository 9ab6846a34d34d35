package conversation

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
	"github.com/rechargebot/rechargebot/scheduler"
)

// testStart is the frozen time the journeys start at: a weekday afternoon in India.
var testStart = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

// clock is a frozen clock that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: testStart} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is an engine on a real store, talking to the simulator over HTTP, with a synced
// catalog.
type harness struct {
	t        testing.TB
	store    *models.Store
	sim      *kwiksim.Simulator
	client   *kwik.Client
	engine   *Engine
	clock    *clock
	cfg      Config
	notified atomic.Int64
	logs     *syncBuffer
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eachEngine runs fn on SQLite and, when configured, PostgreSQL, with a fresh harness.
func eachEngine(t *testing.T, fn func(t *testing.T, h *harness)) {
	c := newClock()
	modelstest.Each(t, c.Now, func(t *testing.T, s *models.Store) {
		fn(t, newHarness(t, s, c, nil))
	})
}

// newHarness wires an engine to store. configure, when set, adjusts the engine's Config.
func newHarness(t testing.TB, store *models.Store, c *clock, configure func(*Config)) *harness {
	t.Helper()
	sim := kwiksim.New(kwiksim.Options{Now: c.Now, Limits: noLimits()})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)

	client, err := kwik.New(srv.URL, sim.APIKey(), kwik.WithRechargeTimeout(500*time.Millisecond), kwik.WithRetry(1, time.Millisecond))
	if err != nil {
		t.Fatalf("new kwik client: %v", err)
	}

	ctx := context.Background()
	sync := &scheduler.CatalogSync{Store: store, Client: client, Now: c.Now}
	if _, err := sync.Sync(ctx); err != nil {
		t.Fatalf("sync catalog: %v", err)
	}

	h := &harness{t: t, store: store, sim: sim, client: client, clock: c, logs: &syncBuffer{}}
	h.cfg = Config{
		Store: store, Kwik: client, Now: c.Now,
		Logger:           slog.New(slog.NewTextHandler(io.MultiWriter(h.logs, debugLog()), &slog.HandlerOptions{Level: slog.LevelDebug})),
		AdminTelegramIDs: []string{adminID},
		Notify:           func() { h.notified.Add(1) },
	}
	if configure != nil {
		configure(&h.cfg)
	}
	h.engine = h.newEngine()
	return h
}

// debugLog returns stderr when TEST_LOG is set, for reading a failing journey's log.
func debugLog() io.Writer {
	if os.Getenv("TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

func (h *harness) newEngine() *Engine {
	h.t.Helper()
	e, err := New(h.cfg)
	if err != nil {
		h.t.Fatalf("new engine: %v", err)
	}
	return e
}

// noLimits lifts the simulator's daily call limits, which journeys would exhaust.
func noLimits() map[kwik.Endpoint]int {
	limits := map[kwik.Endpoint]int{}
	for ep := range kwik.DailyLimits() {
		limits[ep] = 0
	}
	return limits
}

// The chat users of the journeys.
const (
	customerID = "1001"
	adminID    = "9001"
)

func inbound(user, text string) bot.Inbound {
	return bot.Inbound{
		Chat: bot.ChatID{Channel: bot.Telegram, ID: user}, UserID: user, DisplayName: "User " + user, Text: text,
	}
}

// send handles text typed by user and returns the replies.
func (h *harness) send(user, text string) []bot.Outbound {
	h.t.Helper()
	return h.handle(inbound(user, text))
}

// press handles a tap on the option with data.
func (h *harness) press(user, data string) []bot.Outbound {
	h.t.Helper()
	in := inbound(user, "")
	in.Data = data
	return h.handle(in)
}

func (h *harness) handle(in bot.Inbound) []bot.Outbound {
	h.t.Helper()
	out, err := h.engine.Handle(context.Background(), in)
	if err != nil {
		h.t.Fatalf("handle %q: %v", in.Text+in.Data, err)
	}
	for _, o := range out {
		if strings.Contains(o.Text, "went wrong") {
			h.t.Fatalf("handle %q: internal error reply; log:\n%s", in.Text+in.Data, h.logs.String())
		}
		for _, opt := range o.Options {
			if len(opt.Data) > bot.MaxOptionData {
				h.t.Errorf("option %q data is %d bytes, over %d", opt.Label, len(opt.Data), bot.MaxOptionData)
			}
		}
	}
	return out
}

// user returns the store's user behind a chat user id, creating it.
func (h *harness) user(id string) models.User {
	h.t.Helper()
	u, err := h.store.EnsureUser(context.Background(), string(bot.Telegram), id, id, "User "+id)
	if err != nil {
		h.t.Fatalf("ensure user %s: %v", id, err)
	}
	return u
}

// fund credits the wallet of chat user id.
func (h *harness) fund(id string, paise int64) {
	h.t.Helper()
	_, err := h.store.AdjustWallet(context.Background(), models.WalletChange{
		UserID: h.user(id).ID, AmountPaise: paise, Kind: models.LedgerCredit, Note: "test",
	})
	if err != nil {
		h.t.Fatalf("fund %s: %v", id, err)
	}
}

func (h *harness) balance(id string) int64 {
	h.t.Helper()
	b, err := h.store.Balance(context.Background(), h.user(id).ID)
	if err != nil {
		h.t.Fatalf("balance: %v", err)
	}
	return b
}

func (h *harness) orders(id string) []models.Order {
	h.t.Helper()
	orders, err := h.store.UserOrders(context.Background(), h.user(id).ID, 100, 0)
	if err != nil {
		h.t.Fatalf("orders: %v", err)
	}
	return orders
}

// onlyOrder returns the user's one order, failing unless there is exactly one.
func (h *harness) onlyOrder(id string) models.Order {
	h.t.Helper()
	orders := h.orders(id)
	if len(orders) != 1 {
		h.t.Fatalf("user %s has %d orders, want 1", id, len(orders))
	}
	return orders[0]
}

// state returns the persisted state of chat user id's conversation.
func (h *harness) state(id string) string {
	h.t.Helper()
	s, err := h.store.LoadSession(context.Background(), "telegram:"+id)
	if err != nil {
		h.t.Fatalf("load session: %v", err)
	}
	return s.State
}

// outbox returns the texts queued for chat user id, oldest first.
func (h *harness) outbox(chat string) []string {
	h.t.Helper()
	msgs, err := h.store.OutboxMessages(context.Background(), 1000)
	if err != nil {
		h.t.Fatalf("outbox: %v", err)
	}
	var texts []string
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].ChatID == chat {
			texts = append(texts, msgs[i].Text)
		}
	}
	return texts
}

// text joins the texts of replies.
func text(out []bot.Outbound) string {
	var parts []string
	for _, o := range out {
		parts = append(parts, o.Text)
	}
	return strings.Join(parts, "\n---\n")
}

// optionData returns the data of the first option whose label starts with label.
func optionData(t testing.TB, out []bot.Outbound, label string) string {
	t.Helper()
	for i := len(out) - 1; i >= 0; i-- {
		for _, opt := range out[i].Options {
			if strings.HasPrefix(opt.Label, label) {
				return opt.Data
			}
		}
	}
	t.Fatalf("no option %q in replies:\n%s", label, text(out))
	return ""
}

// wantText fails unless the replies contain every part.
func wantText(t testing.TB, out []bot.Outbound, parts ...string) {
	t.Helper()
	got := text(out)
	for _, part := range parts {
		if !strings.Contains(got, part) {
			t.Errorf("replies lack %q:\n%s", part, got)
		}
	}
}

// wantNoText fails when the replies contain part.
func wantNoText(t testing.TB, out []bot.Outbound, part string) {
	t.Helper()
	if got := text(out); strings.Contains(got, part) {
		t.Errorf("replies contain %q:\n%s", part, got)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// outs wraps texts as replies, for wantText.
func outs(texts ...string) []bot.Outbound {
	out := make([]bot.Outbound, len(texts))
	for i, s := range texts {
		out[i] = bot.Outbound{Text: s}
	}
	return out
}

// wantNoFullNumberInLogs fails when the log shows number whole.
func (h *harness) wantNoFullNumberInLogs(number string) {
	h.t.Helper()
	if strings.Contains(h.logs.String(), number) {
		h.t.Errorf("log shows the full number %s:\n%s", number, h.logs.String())
	}
}

// wantLedgerMatches fails unless the balance of chat user id equals the sum of their ledger.
func (h *harness) wantLedgerMatches(id string) {
	h.t.Helper()
	u := h.user(id)
	sum, err := h.store.LedgerSum(context.Background(), u.ID)
	if err != nil {
		h.t.Fatalf("ledger sum: %v", err)
	}
	if b := h.balance(id); b != sum {
		h.t.Errorf("balance %d != ledger sum %d", b, sum)
	}
}

func modelstestEngines(t *testing.T) []modelstest.Engine { return modelstest.Engines(t) }

func openStore(t *testing.T, opts models.Options) *models.Store { return modelstest.Open(t, opts) }
