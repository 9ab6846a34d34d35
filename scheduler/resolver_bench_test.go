package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// timedKwik is a KwikAPI stand-in whose pending orders settle at a set time, however often
// they are checked, as real recharges do. It counts the status and transactions calls.
type timedKwik struct {
	now func() time.Time

	mu                sync.Mutex
	orders            []*timedOrder
	byID              map[string]*timedOrder
	statusCalls       int
	transactionsCalls int
}

type timedOrder struct {
	id       string
	number   string
	amount   int64
	placed   time.Time
	settleAt time.Time
	final    kwik.Status
}

func (k *timedKwik) add(o models.Order, settleAfter time.Duration, final kwik.Status) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byID == nil {
		k.byID = map[string]*timedOrder{}
	}
	entry := &timedOrder{
		id: strconv.FormatInt(o.ID, 10), number: o.Number, amount: o.AmountPaise,
		placed: o.CreatedAt, settleAt: o.CreatedAt.Add(settleAfter), final: final,
	}
	k.orders = append(k.orders, entry)
	k.byID[entry.id] = entry
}

func (o *timedOrder) statusAt(now time.Time) kwik.Status {
	if now.Before(o.settleAt) {
		return kwik.StatusPending
	}
	return o.final
}

func (k *timedKwik) Status(ctx context.Context, orderID string) (kwik.StatusResult, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.statusCalls++
	o, ok := k.byID[orderID]
	if !ok {
		return kwik.StatusResult{}, &kwik.APIError{Endpoint: kwik.EndpointStatus, Message: "Order not found", Kind: kwik.ErrOrderNotFound}
	}
	return kwik.StatusResult{OrderID: o.id, Number: o.number, Status: o.statusAt(k.now()), AmountPaise: o.amount, Date: o.placed}, nil
}

func (k *timedKwik) Transactions(ctx context.Context) ([]kwik.Transaction, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.transactionsCalls++
	var txs []kwik.Transaction
	for i := len(k.orders) - 1; i >= 0 && len(txs) < 100; i-- {
		o := k.orders[i]
		txs = append(txs, kwik.Transaction{
			OrderID: o.id, Number: o.number, Status: o.statusAt(k.now()), AmountPaise: o.amount, Date: o.placed,
		})
	}
	return txs, nil
}

// budgetedKwik spends a CallBudget before each call of the stand-in, as kwik.WithBeforeCall does.
type budgetedKwik struct {
	inner  *timedKwik
	budget *CallBudget
}

func (k budgetedKwik) Status(ctx context.Context, orderID string) (kwik.StatusResult, error) {
	if err := k.budget.BeforeCall(ctx, kwik.EndpointStatus); err != nil {
		return kwik.StatusResult{}, err
	}
	return k.inner.Status(ctx, orderID)
}

func (k budgetedKwik) Transactions(ctx context.Context) ([]kwik.Transaction, error) {
	if err := k.budget.BeforeCall(ctx, kwik.EndpointTransactions); err != nil {
		return nil, err
	}
	return k.inner.Transactions(ctx)
}

// statusOnly is the naive approach's KwikAPI: its transaction list always fails before any
// call, so the resolver checks every order with status.php.
type statusOnly struct{ ResolverKwik }

func (statusOnly) Transactions(ctx context.Context) ([]kwik.Transaction, error) {
	return nil, errors.New("the naive approach reads no transaction list")
}

// pendingLoad describes a stream of recharges that KwikAPI reports PENDING at first.
type pendingLoad struct {
	name string
	// gap is the time between two pending orders.
	gap time.Duration
	// orders is the number of pending orders placed.
	orders int
}

// loadResult is what one run of a load measured.
type loadResult struct {
	statusCalls, transactionsCalls int
	settled                        int
	// settleTime is the sum over settled orders of the time from placing to settling.
	settleTime time.Duration
}

// runLoad places load's pending orders on a fresh SQLite store, one every load.gap from noon
// in India, and runs a resolver pass every 15 seconds until every order settles or, with
// budgets on, until two hours after the last order. Order i settles at KwikAPI 20s +
// (i mod 5)*40s after it was placed, so between 20 seconds and 3 minutes. naive makes the
// resolver check each order with its own status call when due, never with a transaction list.
// budgeted spends every call through a CallBudget with KwikAPI's daily limits.
func runLoad(b *testing.B, load pendingLoad, naive, budgeted bool) loadResult {
	b.Helper()
	ctx := context.Background()
	clock := noonInIndia()
	opts := modelstest.Engines(b)[0].NewDatabase(b)
	opts.Now = clock.Now
	store := modelstest.Open(b, opts)
	fake := &timedKwik{now: clock.Now}
	resolver := &Resolver{Store: store, Kwik: fake, Now: clock.Now}
	if budgeted {
		resolver.Kwik = budgetedKwik{inner: fake, budget: &CallBudget{Store: store, Now: clock.Now}}
	}
	if naive {
		resolver.Kwik = statusOnly{resolver.Kwik}
		resolver.BatchFrom = 1 << 30
		resolver.Ahead = time.Nanosecond
	}
	user, err := store.EnsureUser(ctx, models.ChannelTelegram, "9001", "9001", "Bench")
	if err != nil {
		b.Fatalf("create user: %v", err)
	}
	if _, err := store.AdjustWallet(ctx, models.WalletChange{UserID: user.ID, AmountPaise: int64(load.orders) * 199_00, Kind: models.LedgerCredit}); err != nil {
		b.Fatalf("top up: %v", err)
	}

	const tick = 15 * time.Second
	deadline := clock.Now().Add(time.Duration(load.orders)*load.gap + 2*time.Hour)
	placed, nextArrival := 0, clock.Now()
	for clock.Now().Before(deadline) || !budgeted {
		for placed < load.orders && !clock.Now().Before(nextArrival) {
			placePending(b, store, fake, user.ID, placed, clock.Now())
			placed++
			nextArrival = nextArrival.Add(load.gap)
		}
		if _, err := resolver.ResolveDue(ctx); err != nil {
			b.Fatalf("ResolveDue: %v", err)
		}
		if placed == load.orders && openOrders(b, store) == 0 {
			break
		}
		clock.Advance(tick)
	}
	return measureLoad(b, store, fake)
}

func measureLoad(b *testing.B, store *models.Store, fake *timedKwik) loadResult {
	b.Helper()
	orders, err := store.OrdersByStatus(context.Background(),
		[]models.OrderStatus{models.StatusSuccess, models.StatusFailure}, 100_000)
	if err != nil {
		b.Fatalf("list settled orders: %v", err)
	}
	result := loadResult{statusCalls: fake.statusCalls, transactionsCalls: fake.transactionsCalls, settled: len(orders)}
	for _, o := range orders {
		result.settleTime += o.UpdatedAt.Sub(o.CreatedAt)
	}
	return result
}

func placePending(b *testing.B, store *models.Store, fake *timedKwik, userID int64, i int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	order, err := store.PlaceOrder(ctx, models.NewOrder{
		UserID: userID, Kind: models.KindMobile, Number: testNumber(i), OperatorID: "1", OperatorName: "Airtel",
		AmountPaise: 199_00, CheckoutToken: fmt.Sprintf("bench-%d", i), ChatChannel: models.ChannelTelegram, ChatID: "9001",
	})
	if err != nil {
		b.Fatalf("place order: %v", err)
	}
	final := kwik.StatusSuccess
	if i%7 == 3 {
		final = kwik.StatusFailure
	}
	fake.add(order, 20*time.Second+time.Duration(i%5)*40*time.Second, final)

	next := now.Add(DefaultCheckInterval)
	if _, _, err := store.RecordOutcome(ctx, order.ID, models.Outcome{Status: models.StatusPending, NextCheckAt: &next}); err != nil {
		b.Fatalf("record pending: %v", err)
	}
}

func openOrders(b *testing.B, store *models.Store) int {
	b.Helper()
	open, err := store.OrdersByStatus(context.Background(),
		[]models.OrderStatus{models.StatusSending, models.StatusPending, models.StatusUnknown, models.StatusStuck}, 1)
	if err != nil {
		b.Fatalf("list open orders: %v", err)
	}
	return len(open)
}

// BenchmarkResolverCalls measures the KwikAPI calls spent per settled pending order on the
// same loads in the same run. The resolver reads one transaction list when two or more orders
// are due. The naive approach makes one status call per order per check. Without budgets
// the numbers show the strategy alone. With KwikAPI's daily limits spread over the day
// (budgeted), settled-% shows how many orders each approach can settle at all.
func BenchmarkResolverCalls(b *testing.B) {
	loads := []pendingLoad{
		{name: "quiet-1per10m", gap: 10 * time.Minute, orders: 12},
		{name: "steady-1per2m", gap: 2 * time.Minute, orders: 60},
		{name: "busy-1per30s", gap: 30 * time.Second, orders: 240},
	}
	for _, budgeted := range []bool{false, true} {
		for _, load := range loads {
			for _, strategy := range []string{"resolver", "naive"} {
				name := load.name + "/" + strategy
				if budgeted {
					name = "budgeted/" + name
				}
				b.Run(name, func(b *testing.B) {
					var result loadResult
					for b.Loop() {
						result = runLoad(b, load, strategy == "naive", budgeted)
					}
					reportLoad(b, load, result)
				})
			}
		}
	}
}

func reportLoad(b *testing.B, load pendingLoad, r loadResult) {
	settled := float64(max(r.settled, 1))
	b.ReportMetric(float64(r.statusCalls+r.transactionsCalls)/settled, "calls/order")
	b.ReportMetric(float64(r.statusCalls)/settled, "status/order")
	b.ReportMetric(float64(r.transactionsCalls)/settled, "transactions/order")
	b.ReportMetric(100*float64(r.settled)/float64(load.orders), "settled-%")
	b.ReportMetric(r.settleTime.Seconds()/settled, "settle-s/order")
}
