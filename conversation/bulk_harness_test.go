package conversation

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
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

// agentID is the chat user of the bulk journeys; bulk harnesses make them an agent.
const agentID = "2001"

// simLatency is the simulator's delay per KwikAPI reply in bulk tests, like a fast real API.
const simLatency = 20 * time.Millisecond

// Set moves the clock to at.
func (c *clock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
}

// recordingSender is a bot.Sender that keeps what it was asked to send. A new message gets
// the reference "m<n>"; an edit returns the reference it edited.
type recordingSender struct {
	mu   sync.Mutex
	sent []sentMessage
}

type sentMessage struct {
	To  bot.ChatID
	Out bot.Outbound
	At  time.Time
}

func (s *recordingSender) Send(_ context.Context, to bot.ChatID, out bot.Outbound) (bot.MessageRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sentMessage{To: to, Out: out})
	if out.Edit != "" {
		return out.Edit, nil
	}
	return bot.MessageRef("m" + strconv.Itoa(len(s.sent))), nil
}

func (s *recordingSender) messages() []sentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentMessage(nil), s.sent...)
}

// eachBulkEngine runs fn on SQLite and, when configured, PostgreSQL, with a bulk harness:
// the simulator replies after simLatency, the agent has the agent role, and a recording
// sender takes the progress messages. Each engine gets a clock of its own, starting at
// testStart. configure, when set, adjusts the engine's Config.
func eachBulkEngine(t *testing.T, configure func(*Config), fn func(t *testing.T, h *harness, sender *recordingSender)) {
	c := newClock()
	modelstest.Each(t, c.Now, func(t *testing.T, s *models.Store) {
		c.Set(testStart)
		sender := &recordingSender{}
		h := newBulkHarness(t, s, c, simLatency, func(cfg *Config) {
			cfg.Sender = sender
			if configure != nil {
				configure(cfg)
			}
		})
		fn(t, h, sender)
	})
}

// newBulkHarness is newHarness with a simulator that replies after latency and with the
// agent user in the agent role.
func newBulkHarness(t testing.TB, store *models.Store, c *clock, latency time.Duration, configure func(*Config)) *harness {
	t.Helper()
	sim := kwiksim.New(kwiksim.Options{Now: c.Now, Limits: noLimits(), Latency: latency})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)

	client, err := kwik.New(srv.URL, sim.APIKey(), kwik.WithRechargeTimeout(2*time.Second), kwik.WithRetry(1, time.Millisecond))
	if err != nil {
		t.Fatalf("new kwik client: %v", err)
	}
	ctx := context.Background()
	if _, err := (&scheduler.CatalogSync{Store: store, Client: client, Now: c.Now}).Sync(ctx); err != nil {
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
	if err := store.SetRole(ctx, h.user(agentID).ID, models.RoleAgent); err != nil {
		t.Fatalf("make %s an agent: %v", agentID, err)
	}
	return h
}

// latestRun returns the agent's newest bulk run of any status.
func (h *harness) latestRun(id string) models.BulkRun {
	h.t.Helper()
	var run models.BulkRun
	err := h.store.DB(context.Background()).Where("user_id = ?", h.user(id).ID).Order("id DESC").Take(&run).Error
	if err != nil {
		h.t.Fatalf("latest bulk run: %v", err)
	}
	return run
}

// bulkReport returns the CSV report queued for chat user id, as rows without the header.
func (h *harness) bulkReport(id string) [][]string {
	h.t.Helper()
	msgs, err := h.store.OutboxMessages(context.Background(), 10000)
	if err != nil {
		h.t.Fatalf("outbox: %v", err)
	}
	for _, msg := range msgs {
		if msg.ChatID != id || len(msg.DocumentData) == 0 {
			continue
		}
		rows, err := csv.NewReader(bytes.NewReader(msg.DocumentData)).ReadAll()
		if err != nil {
			h.t.Fatalf("read report %s: %v", msg.DocumentName, err)
		}
		if len(rows) == 0 || rows[0][0] != "line" {
			h.t.Fatalf("report %s has no header: %q", msg.DocumentName, rows)
		}
		return rows[1:]
	}
	h.t.Fatalf("no report queued for %s", id)
	return nil
}

// checkWallet fails unless the user's balance equals the sum of their ledger and want.
func (h *harness) checkWallet(id string, want int64) {
	h.t.Helper()
	ctx := context.Background()
	user := h.user(id)
	balance, err := h.store.Balance(ctx, user.ID)
	if err != nil {
		h.t.Fatalf("balance: %v", err)
	}
	sum, err := h.store.LedgerSum(ctx, user.ID)
	if err != nil {
		h.t.Fatalf("ledger sum: %v", err)
	}
	if balance != sum {
		h.t.Errorf("balance %d paise, ledger sum %d: the wallet does not match its ledger", balance, sum)
	}
	if balance != want {
		h.t.Errorf("balance = %d paise, want %d", balance, want)
	}
}

// runOrders returns the orders of a bulk run by id.
func (h *harness) runOrders(runID int64) map[int64]models.Order {
	h.t.Helper()
	var orders []models.Order
	if err := h.store.DB(context.Background()).Where("bulk_run_id = ?", runID).Find(&orders).Error; err != nil {
		h.t.Fatalf("orders of run %d: %v", runID, err)
	}
	byID := make(map[int64]models.Order, len(orders))
	for _, o := range orders {
		byID[o.ID] = o
	}
	return byID
}

// ledgerKinds sums the user's ledger entries by kind: count and paise.
func (h *harness) ledgerKinds(id string) (map[models.LedgerKind]int, map[models.LedgerKind]int64) {
	h.t.Helper()
	entries, err := h.store.Ledger(context.Background(), h.user(id).ID, 100000)
	if err != nil {
		h.t.Fatalf("ledger: %v", err)
	}
	counts, sums := map[models.LedgerKind]int{}, map[models.LedgerKind]int64{}
	for _, e := range entries {
		counts[e.Kind]++
		sums[e.Kind] += e.AmountPaise
	}
	return counts, sums
}

// stoppingKwik calls stop once its Recharge has been called after times, as a process that
// is shut down in the middle of a run.
type stoppingKwik struct {
	KwikAPI
	after int64
	calls atomic.Int64
	stop  func()
}

func (k *stoppingKwik) Recharge(ctx context.Context, r kwik.RechargeRequest) (kwik.RechargeResult, error) {
	if k.calls.Add(1) == k.after {
		k.stop()
	}
	return k.KwikAPI.Recharge(ctx, r)
}

// gatedKwik lets open recharges through and holds every later one until release is closed,
// telling held the first time it holds one.
type gatedKwik struct {
	KwikAPI
	open    int64
	calls   atomic.Int64
	held    chan struct{}
	holding sync.Once
	release chan struct{}
}

func newGatedKwik(k KwikAPI, open int64) *gatedKwik {
	return &gatedKwik{KwikAPI: k, open: open, held: make(chan struct{}), release: make(chan struct{})}
}

func (k *gatedKwik) Recharge(ctx context.Context, r kwik.RechargeRequest) (kwik.RechargeResult, error) {
	if k.calls.Add(1) > k.open {
		k.holding.Do(func() { close(k.held) })
		<-k.release
	}
	return k.KwikAPI.Recharge(ctx, r)
}

// runUntilStop confirms a bulk run of lines on a new engine of h that stops after its
// afterCalls-th recharge call, as a process going away mid-run, and waits until the run pauses.
func (h *harness) runUntilStop(t *testing.T, lines []string, afterCalls int64) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	cfg := h.cfg
	cfg.Kwik = &stoppingKwik{KwikAPI: h.client, after: afterCalls, stop: stop}
	h.engine = mustEngine(t, cfg)
	if err := h.engine.ResumeBulkRuns(ctx); err != nil {
		t.Fatalf("ResumeBulkRuns: %v", err)
	}
	out := h.send(agentID, "/bulk\n"+strings.Join(lines, "\n"))
	h.press(agentID, optionData(t, out, "Confirm"))
	h.engine.WaitBulkRuns()
}

// runUntilHeld confirms a bulk run of lines ₹100 recharges to numbers from 98765 first on,
// on a new engine of h whose KwikAPI holds every recharge after the first open, and returns
// once one is held. Closing the gate's release lets them go on.
func (h *harness) runUntilHeld(t *testing.T, lines, first int, open int64) *gatedKwik {
	t.Helper()
	gate := newGatedKwik(h.client, open)
	cfg := h.cfg
	cfg.Kwik = gate
	h.engine = mustEngine(t, cfg)

	texts := make([]string, lines)
	for i := range texts {
		texts[i] = fmt.Sprintf("98765%05d 100 Airtel", first+i)
	}
	out := h.send(agentID, "/bulk\n"+strings.Join(texts, "\n"))
	h.press(agentID, optionData(t, out, "Confirm"))
	<-gate.held
	return gate
}
