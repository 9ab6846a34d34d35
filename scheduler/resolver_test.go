package scheduler

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// noonInIndia is where the resolver tests start: 12:00 IST, with about half of each day's
// spread budget available.
func noonInIndia() *steppedClock { return &steppedClock{t: indiaTime(12, 0)} }

func TestResolverPendingThenSuccess(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		order := h.checkout(testNumber(1), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 2, Final: kwiksim.Success})
		if order.Status != models.StatusPending {
			t.Fatalf("order after checkout is %s, want pending", order.Status)
		}

		if pass := h.resolve(10 * time.Second); pass.Claimed != 0 {
			t.Errorf("pass before the check interval claimed %d orders, want 0", pass.Claimed)
		}
		for check := 1; check <= 2; check++ {
			h.resolve(DefaultCheckInterval)
			got := h.order(order.ID)
			if got.Status != models.StatusPending || got.Checks != check {
				t.Fatalf("after check %d the order is %s with %d checks, want pending with %d", check, got.Status, got.Checks, check)
			}
		}
		h.resolve(DefaultCheckInterval)
		got := h.order(order.ID)
		if got.Status != models.StatusSuccess {
			t.Fatalf("after the third check the order is %s, want success", got.Status)
		}
		if got.OperatorRef == "" {
			t.Errorf("settled order has no operator reference")
		}

		for range 3 {
			h.resolve(time.Hour)
		}
		if calls := h.sim.Calls(kwik.EndpointStatus); calls != 3 {
			t.Errorf("status calls = %d, want 3", calls)
		}
		notices := h.notices(order)
		if len(notices) != 1 {
			t.Fatalf("customer got %d notices, want 1: %+v", len(notices), notices)
		}
		if !strings.Contains(notices[0].Text, "successful") || !strings.Contains(notices[0].Text, got.OperatorRef) {
			t.Errorf("notice %q does not report the success with the operator reference", notices[0].Text)
		}
		if alerts := h.adminAlerts(); len(alerts) != 0 {
			t.Errorf("admins got %d alerts for a success, want 0: %q", len(alerts), alerts[0].Text)
		}
	})
}

func TestResolverPendingThenFailureRefunds(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		number := testNumber(2)
		order := h.checkout(number, kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 1, Final: kwiksim.Failure})
		if balance := h.balance(order.UserID); balance != startingBalance-order.AmountPaise {
			t.Fatalf("balance after checkout = %d, want %d", balance, startingBalance-order.AmountPaise)
		}

		h.resolve(DefaultCheckInterval)
		h.resolve(DefaultCheckInterval)
		h.resolve(DefaultCheckInterval)

		if got := h.order(order.ID); got.Status != models.StatusFailure {
			t.Fatalf("order is %s, want failure", got.Status)
		}
		if balance := h.balance(order.UserID); balance != startingBalance {
			t.Errorf("balance after the failure = %d, want the refunded %d", balance, startingBalance)
		}
		if sum, _ := s.LedgerSum(h.ctx, order.UserID); sum != startingBalance {
			t.Errorf("ledger sum = %d, want %d", sum, startingBalance)
		}
		notices := h.notices(order)
		if len(notices) != 1 || !strings.Contains(notices[0].Text, "failed") || !strings.Contains(notices[0].Text, "back in your wallet") {
			t.Errorf("customer notices = %+v, want one failure notice with the refund", notices)
		}
		alerts := h.adminAlerts()
		if len(alerts) != 1 {
			t.Fatalf("admins got %d alerts, want 1", len(alerts))
		}
		if !strings.Contains(alerts[0].Text, "KwikAPI message") || !strings.Contains(alerts[0].Text, strconv.FormatInt(order.ID, 10)) {
			t.Errorf("alert %q lacks the order id or KwikAPI's message", alerts[0].Text)
		}
		h.checkNoLeaks(number)
	})
}

func TestResolverStuckAfterMaxChecks(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		number := testNumber(3)
		order := h.checkout(number, kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 1000})

		for range DefaultMaxChecks {
			h.resolve(DefaultCheckInterval)
		}
		got := h.order(order.ID)
		if got.Status != models.StatusStuck || got.Checks != DefaultMaxChecks {
			t.Fatalf("order after %d checks is %s with %d checks, want stuck", DefaultMaxChecks, got.Status, got.Checks)
		}
		if want := clock.Now().Add(DefaultStuckInterval); got.NextCheckAt == nil || !got.NextCheckAt.Equal(want) {
			t.Errorf("next check of the stuck order = %v, want %v", got.NextCheckAt, want)
		}
		notices := h.notices(order)
		if len(notices) != 1 || !strings.Contains(notices[0].Text, "longer than usual") {
			t.Errorf("customer notices = %+v, want one delay notice", notices)
		}
		alerts := h.adminAlerts()
		if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "stuck after 5 checks") {
			t.Fatalf("admin alerts = %+v, want one stuck alert", alerts)
		}

		if pass := h.resolve(DefaultCheckInterval); pass.Claimed != 0 {
			t.Errorf("stuck order claimed again after %v, want after an hour", DefaultCheckInterval)
		}
		h.resolve(DefaultStuckInterval)
		got = h.order(order.ID)
		if got.Status != models.StatusStuck || got.Checks != DefaultMaxChecks+1 {
			t.Errorf("after the hourly check the order is %s with %d checks, want stuck with %d", got.Status, got.Checks, DefaultMaxChecks+1)
		}
		if calls := h.sim.Calls(kwik.EndpointStatus); calls != DefaultMaxChecks+1 {
			t.Errorf("status calls = %d, want %d", calls, DefaultMaxChecks+1)
		}
		if n := len(h.notices(order)); n != 1 {
			t.Errorf("customer got %d notices after the hourly check, want still 1", n)
		}
		if n := len(h.adminAlerts()); n != 1 {
			t.Errorf("admins got %d alerts after the hourly check, want still 1", n)
		}
		h.checkNoLeaks(number)
	})
}

func TestResolverSettlesManyWithTransactionList(t *testing.T) {
	const orders = 50
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		placed := make([]models.Order, orders)
		for i := range placed {
			placed[i] = h.checkout(testNumber(100+i), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 2, Final: kwiksim.Success})
		}

		for range 10 {
			h.resolve(DefaultCheckInterval)
		}

		for _, o := range placed {
			if got := h.order(o.ID); got.Status != models.StatusSuccess {
				t.Errorf("order %d is %s, want success", o.ID, got.Status)
			}
			if n := len(h.notices(o)); n != 1 {
				t.Errorf("customer of order %d got %d notices, want 1", o.ID, n)
			}
		}
		transactionCalls := h.sim.Calls(kwik.EndpointTransactions)
		if transactionCalls > 5 {
			t.Errorf("transactions calls = %d, want at most 5 for %d orders", transactionCalls, orders)
		}
		if calls := h.sim.Calls(kwik.EndpointStatus); calls != 0 {
			t.Errorf("status calls = %d, want 0 while the transaction list settles every order", calls)
		}
		if spent, _ := s.CallsToday(h.ctx, string(kwik.EndpointTransactions)); spent != transactionCalls || spent > hourlyAllowance(48, clock.Now()) {
			t.Errorf("transactions calls counted = %d, want %d and within the allowance of %d", spent, transactionCalls, hourlyAllowance(48, clock.Now()))
		}
	})
}

func TestResolverWaitsForNextDayWhenBudgetUsed(t *testing.T) {
	clock := &steppedClock{}
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(23, 40)
		h := newResolverHarness(t, s, clock)
		order := h.checkout(testNumber(4), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 0, Final: kwiksim.Success})
		for _, ep := range []kwik.Endpoint{kwik.EndpointStatus, kwik.EndpointTransactions} {
			for range kwik.DailyLimits()[ep] {
				if err := s.SpendCall(h.ctx, string(ep), 0); err != nil {
					t.Fatalf("spend %s call: %v", ep, err)
				}
			}
		}

		pass := h.resolve(DefaultCheckInterval)
		if pass.Deferred != 1 {
			t.Errorf("pass deferred %d orders, want 1", pass.Deferred)
		}
		got := h.order(order.ID)
		midnight := indiaTime(24, 0)
		if got.NextCheckAt == nil || !got.NextCheckAt.Equal(midnight) {
			t.Errorf("next check = %v, want the budget reset at %v", got.NextCheckAt, midnight)
		}
		if got.Checks != 0 || got.Status != models.StatusPending {
			t.Errorf("order is %s with %d checks, want pending with 0", got.Status, got.Checks)
		}
		if calls := h.sim.Calls(kwik.EndpointStatus) + h.sim.Calls(kwik.EndpointTransactions); calls != 0 {
			t.Errorf("KwikAPI got %d status and transactions calls, want 0 past the budget", calls)
		}

		if pass := h.resolve(5 * time.Minute); pass.Claimed != 0 {
			t.Errorf("pass before midnight claimed %d orders, want 0", pass.Claimed)
		}
		clock.t = midnight
		h.resolve(time.Second)
		if got := h.order(order.ID); got.Status != models.StatusSuccess {
			t.Errorf("order after midnight is %s, want success", got.Status)
		}
	})
}

func TestResolverSpreadsBudgetOverDay(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		order := h.checkout(testNumber(13), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 0, Final: kwiksim.Success})
		// The morning used every call allowed until 13:00, although most of the day's remain.
		for _, ep := range []kwik.Endpoint{kwik.EndpointStatus, kwik.EndpointTransactions} {
			for range hourlyAllowance(kwik.DailyLimits()[ep], clock.Now()) {
				if err := s.SpendCall(h.ctx, string(ep), 0); err != nil {
					t.Fatalf("spend %s call: %v", ep, err)
				}
			}
		}

		if pass := h.resolve(DefaultCheckInterval); pass.Deferred != 1 {
			t.Fatalf("pass deferred %d orders, want 1", pass.Deferred)
		}
		if got := h.order(order.ID); got.NextCheckAt == nil || !got.NextCheckAt.Equal(indiaTime(13, 0)) {
			t.Errorf("next check = %v, want 13:00 IST when the next hour's calls are allowed", got.NextCheckAt)
		}

		clock.t = indiaTime(13, 0)
		h.resolve(0)
		if got := h.order(order.ID); got.Status != models.StatusSuccess {
			t.Errorf("order at 13:00 IST is %s, want success", got.Status)
		}
	})
}

func TestResolverCrashLeftSendingKnown(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		order := h.placeOrder(testNumber(5))
		if _, err := h.sendRecharge(order); err != nil {
			t.Fatalf("recharge: %v", err)
		}

		if pass := h.resolve(models.SendingGrace - time.Second); pass.Claimed != 0 {
			t.Errorf("sending order claimed within the grace period")
		}
		h.resolve(time.Second)

		got := h.order(order.ID)
		if got.Status != models.StatusSuccess {
			t.Fatalf("crash-left order KwikAPI knows is %s, want success", got.Status)
		}
		if balance := h.balance(order.UserID); balance != startingBalance-order.AmountPaise {
			t.Errorf("balance = %d, want %d after a success", balance, startingBalance-order.AmountPaise)
		}
		if n := len(h.notices(order)); n != 1 {
			t.Errorf("customer got %d notices, want 1", n)
		}
		if n := h.sim.RechargeCalls(strconv.FormatInt(order.ID, 10)); n != 1 {
			t.Errorf("recharge calls of the order = %d, want exactly 1", n)
		}
	})
}

func TestResolverCrashLeftSendingUnknownToKwik(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		number := testNumber(6)
		order := h.placeOrder(number)

		h.resolve(models.SendingGrace)

		got := h.order(order.ID)
		if got.Status != models.StatusFailure {
			t.Fatalf("crash-left order KwikAPI does not know is %s, want failure", got.Status)
		}
		if balance := h.balance(order.UserID); balance != startingBalance {
			t.Errorf("balance = %d, want the refunded %d", balance, startingBalance)
		}
		if n := len(h.notices(order)); n != 1 {
			t.Errorf("customer got %d notices, want 1", n)
		}
		alerts := h.adminAlerts()
		if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "no record") {
			t.Errorf("admin alerts = %+v, want one saying KwikAPI has no record", alerts)
		}
		if n := h.sim.RechargeCalls(strconv.FormatInt(order.ID, 10)); n != 0 {
			t.Errorf("recharge calls of the order = %d, want 0: the resolver never sends a recharge", n)
		}
		h.checkNoLeaks(number)
	})
}

func TestResolverCrashLeftSendingBothWaysInList(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		// An older recharge makes the transaction list reach back past the new orders.
		h.checkout(testNumber(7), kwiksim.Scenario{})
		clock.Advance(time.Hour)
		known := h.placeOrder(testNumber(8))
		if _, err := h.sendRecharge(known); err != nil {
			t.Fatalf("recharge: %v", err)
		}
		unknown := h.placeOrder(testNumber(9))

		pass := h.resolve(models.SendingGrace)

		if pass.TransactionsCalls != 1 || pass.StatusCalls != 0 {
			t.Errorf("pass made %d transactions and %d status calls, want 1 and 0", pass.TransactionsCalls, pass.StatusCalls)
		}
		if got := h.order(known.ID); got.Status != models.StatusSuccess {
			t.Errorf("order KwikAPI lists is %s, want success", got.Status)
		}
		if got := h.order(unknown.ID); got.Status != models.StatusFailure {
			t.Errorf("order KwikAPI does not list is %s, want failure", got.Status)
		}
		if balance := h.balance(unknown.UserID); balance != startingBalance {
			t.Errorf("balance of the unlisted order's owner = %d, want the refunded %d", balance, startingBalance)
		}
	})
}

func TestResolverRefundAfterSuccess(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		number := testNumber(10)
		refunded := h.checkout(number, kwiksim.Scenario{Outcome: kwiksim.Refund, Checks: 0})
		if refunded.Status != models.StatusSuccess {
			t.Fatalf("order after checkout is %s, want success", refunded.Status)
		}
		// Two pending orders make the resolver read the transaction list, which reports the refund.
		h.checkout(testNumber(11), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 5})
		h.checkout(testNumber(12), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 5})

		h.resolve(DefaultCheckInterval)
		got := h.order(refunded.ID)
		if got.Status != models.StatusRefunded {
			t.Fatalf("order after a pass that read the transaction list is %s, want refunded", got.Status)
		}

		// Reading the refund again, by a later pass or by the reconciliation, changes nothing.
		h.resolve(DefaultCheckInterval)
		if err := h.resolver.ApplyTransactions(h.ctx, h.transactions()); err != nil {
			t.Fatalf("ApplyTransactions: %v", err)
		}
		if balance := h.balance(refunded.UserID); balance != startingBalance {
			t.Errorf("balance = %d, want %d after exactly one refund", balance, startingBalance)
		}
		notices := h.notices(refunded)
		if len(notices) != 1 || !strings.Contains(notices[0].Text, "reversed") {
			t.Errorf("customer notices = %+v, want one reversal notice", notices)
		}
		alerts := h.adminAlerts()
		if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "after reporting success") {
			t.Errorf("admin alerts = %+v, want one refund alert", alerts)
		}
		h.checkNoLeaks(number)
	})
}

// transactions reads the simulator's transaction list outside the budget.
func (h *resolverHarness) transactions() []kwik.Transaction {
	h.t.Helper()
	txs, err := h.client.Transactions(h.ctx)
	if err != nil {
		h.t.Fatalf("list transactions: %v", err)
	}
	return txs
}

func TestTwoResolversNeverDoubleNotify(t *testing.T) {
	const orders = 30
	clock := noonInIndia()
	for _, engine := range modelstest.Engines(t) {
		if engine.Name != "postgres" {
			continue
		}
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			opts.Now = clock.Now
			first := modelstest.Open(t, opts)
			second := modelstest.Open(t, opts)
			h := newResolverHarness(t, first, clock)
			other := h.newResolver(second, h.client)
			h.resolver.ClaimLimit, other.ClaimLimit = 4, 4

			placed := make([]models.Order, orders)
			for i := range placed {
				// Alternate scenarios so both the status and the transactions paths settle orders.
				sc := kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: i % 3, Final: kwiksim.Success}
				if i%4 == 0 {
					sc.Final = kwiksim.Failure
				}
				placed[i] = h.checkout(testNumber(200+i), sc)
			}

			claimed := make([]int, 2)
			for range 8 {
				clock.Advance(DefaultCheckInterval)
				var wg sync.WaitGroup
				for i, r := range []*Resolver{h.resolver, other} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 3 {
							pass, err := r.ResolveDue(context.Background())
							if err != nil {
								t.Errorf("ResolveDue: %v", err)
							}
							claimed[i] += pass.Claimed
						}
					}()
				}
				wg.Wait()
			}
			if claimed[0] == 0 || claimed[1] == 0 {
				t.Errorf("orders claimed by each resolver = %v, want both to have worked", claimed)
			}

			for _, o := range placed {
				got := h.order(o.ID)
				if !got.Status.Final() {
					t.Errorf("order %d is %s, want a final status", o.ID, got.Status)
				}
				if n := len(h.notices(o)); n != 1 {
					t.Errorf("customer of order %d got %d notices, want exactly 1", o.ID, n)
				}
				want := startingBalance - o.AmountPaise
				if got.Status == models.StatusFailure {
					want = startingBalance
				}
				if balance := h.balance(o.UserID); balance != want {
					t.Errorf("balance of order %d's owner = %d, want %d", o.ID, balance, want)
				}
			}
		})
	}
}

func TestResolverUnknownOutcome(t *testing.T) {
	cases := map[string]struct {
		scenario kwiksim.Scenario
		want     models.OrderStatus
	}{
		"recorded by KwikAPI":   {kwiksim.Scenario{Outcome: kwiksim.ServerError, Final: kwiksim.Success}, models.StatusSuccess},
		"never reached KwikAPI": {kwiksim.Scenario{Outcome: kwiksim.ServerError, Unrecorded: true}, models.StatusFailure},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			clock := noonInIndia()
			modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
				clock.t = indiaTime(12, 0)
				h := newResolverHarness(t, s, clock)
				order := h.checkout(testNumber(40), tc.scenario)
				if order.Status != models.StatusUnknown {
					t.Fatalf("order after a 500 reply is %s, want unknown", order.Status)
				}

				// Eight passes span six minutes, past the grace period of a recharge KwikAPI never got.
				for range 8 {
					h.resolve(DefaultCheckInterval)
				}

				got := h.order(order.ID)
				if got.Status != tc.want {
					t.Fatalf("order is %s, want %s", got.Status, tc.want)
				}
				wantBalance := startingBalance - order.AmountPaise
				if tc.want == models.StatusFailure {
					wantBalance = startingBalance
				}
				if balance := h.balance(order.UserID); balance != wantBalance {
					t.Errorf("balance = %d, want %d", balance, wantBalance)
				}
				if n := len(h.notices(order)); n != 1 {
					t.Errorf("customer got %d notices, want 1", n)
				}
				for _, alert := range h.adminAlerts() {
					if strings.Contains(alert.Text, "stuck") {
						t.Errorf("alert %q: an order KwikAPI never got must fail, not become stuck", alert.Text)
					}
				}
				if n := h.sim.RechargeCalls(strconv.FormatInt(order.ID, 10)); n != 1 {
					t.Errorf("recharge calls = %d, want the checkout's 1 only", n)
				}
			})
		})
	}
}

func TestResolverChecksEarlyOnlyTogether(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		first := h.checkout(testNumber(50), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 10})

		// Alone and due in 10 seconds: not checked early, and left due as before.
		if pass := h.resolve(DefaultCheckInterval - 10*time.Second); pass.Claimed != 0 {
			t.Errorf("lone order claimed %v before it was due", 10*time.Second)
		}
		if got := h.order(first.ID); !got.NextCheckAt.Equal(*first.NextCheckAt) || got.LeaseUntil != nil {
			t.Errorf("lone order after the pass: next check %v, lease %v; want %v and no lease", got.NextCheckAt, got.LeaseUntil, first.NextCheckAt)
		}

		// A second order due in 10 seconds shares the first one's transaction list.
		second := h.checkout(testNumber(51), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 10})
		pass := h.resolve(DefaultCheckInterval - 10*time.Second)
		if pass.Claimed != 2 || pass.TransactionsCalls != 1 || pass.StatusCalls != 0 {
			t.Errorf("pass claimed %d orders with %d transactions and %d status calls, want 2, 1 and 0",
				pass.Claimed, pass.TransactionsCalls, pass.StatusCalls)
		}
		a, b := h.order(first.ID), h.order(second.ID)
		if a.Checks != 1 || b.Checks != 1 || !a.NextCheckAt.Equal(*b.NextCheckAt) {
			t.Errorf("after the shared check: checks %d and %d, next checks %v and %v; want 1, 1 and equal",
				a.Checks, b.Checks, a.NextCheckAt, b.NextCheckAt)
		}
	})
}

func TestStuckAlertNamesInterval(t *testing.T) {
	cases := map[time.Duration]string{
		time.Hour:                    "checked hourly until",
		6 * time.Second:              "checked every 6s until",
		30 * time.Minute:             "checked every 30m until",
		90 * time.Minute:             "checked every 1h30m until",
		2 * time.Hour:                "checked every 2h until",
		time.Minute + 30*time.Second: "checked every 1m30s until",
	}
	for every, want := range cases {
		if text := stuckAlert(models.Order{ID: 1}, 5, every); !strings.Contains(text, want) {
			t.Errorf("stuck alert with interval %v = %q, want %q", every, text, want)
		}
	}
}

func TestStuckAlertCountsChecks(t *testing.T) {
	for checks, want := range map[int]string{1: "stuck after 1 check:", 5: "stuck after 5 checks:"} {
		if text := stuckAlert(models.Order{ID: 1}, checks, time.Hour); !strings.Contains(text, want) {
			t.Errorf("stuck alert after %d checks = %q, want %q", checks, text, want)
		}
	}
}

func TestResolverSettledStuckDropsDelayNotice(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		number := testNumber(4)
		// Pending for every regular check, success at the first hourly check.
		order := h.checkout(number, kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: DefaultMaxChecks, Final: kwiksim.Success})
		for range DefaultMaxChecks {
			h.resolve(DefaultCheckInterval)
		}
		if got := h.order(order.ID); got.Status != models.StatusStuck {
			t.Fatalf("order is %s after the regular checks, want stuck", got.Status)
		}

		// The delay notice is still unsent when the order settles.
		h.resolve(DefaultStuckInterval)
		if got := h.order(order.ID); got.Status != models.StatusSuccess {
			t.Fatalf("order is %s after the hourly check, want success", got.Status)
		}
		notices := h.notices(order)
		if len(notices) != 2 {
			t.Fatalf("customer notices = %+v, want the delay notice and the result", notices)
		}
		if delay := notices[0]; delay.Kind != models.OutboxInterim || delay.DeadAt == nil {
			t.Errorf("delay notice = %+v, want an interim notice dropped unsent", delay)
		}
		if result := notices[1]; result.Kind != models.OutboxNotice || result.DeadAt != nil || !strings.Contains(result.Text, "successful") {
			t.Errorf("result notice = %+v, want the success waiting to be sent", result)
		}
	})
}
