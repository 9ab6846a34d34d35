package models_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// newOrder returns a mobile order of amountPaise for user with a checkout token of its own.
func newOrder(user models.User, amountPaise int64, token string) models.NewOrder {
	return models.NewOrder{
		UserID: user.ID, Kind: models.KindMobile, Number: "9876543210", OperatorID: "1",
		OperatorName: "Airtel", CircleCode: "5", AmountPaise: amountPaise, Plan: "28 days",
		CheckoutToken: token, ChatChannel: models.ChannelTelegram, ChatID: "1001",
	}
}

func placeOrder(t testing.TB, s *models.Store, user models.User, amountPaise int64, token string) models.Order {
	t.Helper()
	order, err := s.PlaceOrder(context.Background(), newOrder(user, amountPaise, token))
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	return order
}

func TestPlaceOrderDebitsAndRecords(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 50_000)

		order := placeOrder(t, s, user, 19_900, "checkout-1")

		if order.Status != models.StatusSending {
			t.Errorf("status = %s, want sending", order.Status)
		}
		assertBalance(t, s, user.ID, 30_100)

		ledger, _ := s.Ledger(ctx, user.ID, 1)
		if len(ledger) != 1 || ledger[0].Kind != models.LedgerOrder || ledger[0].AmountPaise != -19_900 {
			t.Fatalf("latest ledger entry = %+v, want an order debit of 19900", ledger)
		}
		if ledger[0].OrderID == nil || *ledger[0].OrderID != order.ID {
			t.Errorf("ledger entry order = %v, want %d", ledger[0].OrderID, order.ID)
		}
		if ledger[0].RefKey == nil || *ledger[0].RefKey != "order:"+strconv.FormatInt(order.ID, 10) {
			t.Errorf("ledger ref key = %v, want order:<id>", ledger[0].RefKey)
		}

		stored, err := s.GetOrder(ctx, order.ID)
		if err != nil {
			t.Fatalf("GetOrder: %v", err)
		}
		if stored.AmountPaise != 19_900 || stored.Number != "9876543210" || stored.CheckoutToken != "checkout-1" {
			t.Errorf("stored order = %+v", stored)
		}
		wantDue := clock.Now().Add(models.SendingGrace)
		if stored.NextCheckAt == nil || !stored.NextCheckAt.Equal(wantDue) {
			t.Errorf("next check = %v, want %v", stored.NextCheckAt, wantDue)
		}

		events, _ := s.OrderEvents(ctx, order.ID)
		if len(events) != 1 || events[0].ToStatus != models.StatusSending || events[0].Note != "placed" {
			t.Errorf("events = %+v, want one placed event", events)
		}
	})
}

func TestPlaceOrderIDFormat(t *testing.T) {
	// 20:00 UTC on 14 March is 01:30 on 15 March in India.
	clock := &frozenClock{now: time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)}
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 1_000_000)
		seen := map[int64]bool{}
		for i := range 20 {
			order := placeOrder(t, s, user, 1_000, fmt.Sprint("token-", i))
			id := strconv.FormatInt(order.ID, 10)
			if len(id) != 14 || id[:6] != "260315" {
				t.Errorf("order id %s, want 14 digits starting with 260315", id)
			}
			if seen[order.ID] {
				t.Errorf("order id %d reused", order.ID)
			}
			seen[order.ID] = true
		}
	})
}

func TestPlaceOrderDuplicateCheckout(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		first := placeOrder(t, s, user, 10_000, "checkout-1")

		second, err := s.PlaceOrder(context.Background(), newOrder(user, 10_000, "checkout-1"))
		if !errors.Is(err, models.ErrDuplicateCheckout) {
			t.Fatalf("second PlaceOrder error = %v, want ErrDuplicateCheckout", err)
		}
		if second.ID != first.ID {
			t.Errorf("second PlaceOrder returned order %d, want %d", second.ID, first.ID)
		}
		assertBalance(t, s, user.ID, 40_000)
	})
}

func TestPlaceOrderDuplicateCheckoutConcurrent(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		ids := make([]int64, 10)
		duplicates := make([]bool, 10)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				order, err := s.PlaceOrder(context.Background(), newOrder(user, 10_000, "double-tap"))
				if err != nil && !errors.Is(err, models.ErrDuplicateCheckout) {
					t.Errorf("PlaceOrder %d: %v", i, err)
				}
				ids[i], duplicates[i] = order.ID, err != nil
			})
		}
		wg.Wait()

		placed := 0
		for i := range ids {
			if ids[i] != ids[0] {
				t.Errorf("call %d returned order %d, want %d", i, ids[i], ids[0])
			}
			if !duplicates[i] {
				placed++
			}
		}
		if placed != 1 {
			t.Errorf("%d calls placed an order, want 1", placed)
		}
		assertBalance(t, s, user.ID, 40_000)
	})
}

func TestPlaceOrderInsufficientFunds(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 15_000)

		_, err := s.PlaceOrder(ctx, newOrder(user, 19_900, "checkout-1"))
		var insufficient *models.InsufficientFundsError
		if !errors.As(err, &insufficient) {
			t.Fatalf("error = %v, want *InsufficientFundsError", err)
		}
		if insufficient.BalancePaise != 15_000 || insufficient.NeededPaise != 19_900 || insufficient.MissingPaise() != 4_900 {
			t.Errorf("error = %+v, want balance 15000, needed 19900", insufficient)
		}
		if _, err := s.LastOrder(ctx, user.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("LastOrder = %v, want ErrNotFound: no order may be stored", err)
		}
		assertBalance(t, s, user.ID, 15_000)

		// The token was not used up: the same checkout goes through after a top-up.
		ensureCredit(t, s, user.ID, 5_000)
		if _, err := s.PlaceOrder(ctx, newOrder(user, 19_900, "checkout-1")); err != nil {
			t.Errorf("PlaceOrder after top-up: %v", err)
		}
		assertBalance(t, s, user.ID, 100)
	})
}

func ensureCredit(t testing.TB, s *models.Store, userID, amountPaise int64) {
	t.Helper()
	_, err := s.AdjustWallet(context.Background(), models.WalletChange{UserID: userID, AmountPaise: amountPaise, Kind: models.LedgerCredit})
	if err != nil {
		t.Fatalf("credit wallet: %v", err)
	}
}

func TestPlaceOrderPrepaidWritesNoDebit(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 0)
		in := newOrder(user, 10_000, "bulk-1-line-1")
		in.Prepaid = true
		if _, err := s.PlaceOrder(context.Background(), in); err != nil {
			t.Fatalf("PlaceOrder: %v", err)
		}
		assertBalance(t, s, user.ID, 0)
	})
}

func TestPlaceOrderRejectsBadInput(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		tests := []struct {
			name   string
			change func(*models.NewOrder)
		}{
			{"no token", func(o *models.NewOrder) { o.CheckoutToken = "" }},
			{"zero amount", func(o *models.NewOrder) { o.AmountPaise = 0 }},
			{"negative amount", func(o *models.NewOrder) { o.AmountPaise = -100 }},
			{"unknown kind", func(o *models.NewOrder) { o.Kind = "postpaid" }},
			{"no number", func(o *models.NewOrder) { o.Number = "" }},
			{"unknown user", func(o *models.NewOrder) { o.UserID = 999_999 }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := newOrder(user, 1_000, "token-"+tt.name)
				tt.change(&in)
				if _, err := s.PlaceOrder(context.Background(), in); err == nil {
					t.Error("PlaceOrder succeeded")
				}
			})
		}
		assertBalance(t, s, user.ID, 50_000)
	})
}

// TestPlaceOrderConcurrentOneWallet places 50 orders at once against a wallet that pays for 20.
func TestPlaceOrderConcurrentOneWallet(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 20*1_000)

		placed := placeConcurrently(t, 50, models.ErrInsufficientFunds, func(i int) error {
			_, err := s.PlaceOrder(ctx, newOrder(user, 1_000, fmt.Sprint("token-", i)))
			return err
		})

		if placed != 20 {
			t.Errorf("%d orders placed, want 20", placed)
		}
		orders, err := s.UserOrders(ctx, user.ID, 100, 0)
		if err != nil {
			t.Fatalf("UserOrders: %v", err)
		}
		if len(orders) != placed {
			t.Errorf("%d orders stored, %d placed", len(orders), placed)
		}
		ledger, _ := s.Ledger(ctx, user.ID, 100)
		debits := 0
		for _, entry := range ledger {
			if entry.Kind == models.LedgerOrder {
				debits++
			}
			if entry.BalanceAfterPaise < 0 {
				t.Errorf("entry %d leaves balance %d", entry.ID, entry.BalanceAfterPaise)
			}
		}
		if debits != len(orders) {
			t.Errorf("%d order debits for %d orders", debits, len(orders))
		}
		assertBalance(t, s, user.ID, 0)
	})
}

// placeConcurrently runs place for 0 to n-1 at once and returns how many succeeded. An error
// other than refused fails the test.
func placeConcurrently(t *testing.T, n int, refused error, place func(i int) error) int {
	t.Helper()
	var wg sync.WaitGroup
	var placed atomic.Int64
	for i := range n {
		wg.Go(func() {
			err := place(i)
			switch {
			case err == nil:
				placed.Add(1)
			case !errors.Is(err, refused):
				t.Errorf("place %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return int(placed.Load())
}

// claimUntilEmpty claims with six workers at once, three on each store, until claim finds
// nothing, and returns how many times each id was claimed.
func claimUntilEmpty(t *testing.T, stores [2]*models.Store, claim func(s *models.Store) ([]int64, error)) map[int64]int {
	t.Helper()
	claims := make(map[int64]int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for worker := range 6 {
		store := stores[worker%2]
		wg.Go(func() {
			for {
				ids, err := claim(store)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					claims[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return claims
}

func TestOrderQueries(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 100_000)
		start := clock.Now()

		first := placeOrder(t, s, user, 10_000, "a")
		clock.Advance(time.Minute)
		second := placeOrder(t, s, user, 20_000, "b")
		clock.Advance(time.Minute)
		third := placeOrder(t, s, user, 10_000, "c")
		recordOutcome(t, s, first.ID, models.Outcome{Status: models.StatusSuccess})
		recordOutcome(t, s, second.ID, models.Outcome{Status: models.StatusFailure})

		page, err := s.UserOrders(ctx, user.ID, 2, 1)
		if err != nil || len(page) != 2 || page[0].ID != second.ID || page[1].ID != first.ID {
			t.Errorf("UserOrders(2, 1) = %v, %v; want second then first", orderIDs(page), err)
		}
		last, err := s.LastOrder(ctx, user.ID)
		if err != nil || last.ID != third.ID {
			t.Errorf("LastOrder = %d, %v; want %d", last.ID, err, third.ID)
		}
		sending, err := s.OrdersByStatus(ctx, []models.OrderStatus{models.StatusSending}, 10)
		if err != nil || len(sending) != 1 || sending[0].ID != third.ID {
			t.Errorf("OrdersByStatus(sending) = %v, %v; want the third", orderIDs(sending), err)
		}

		recent, err := s.RecentSuccess(ctx, user.ID, "9876543210", 10_000, start)
		if err != nil || recent.ID != first.ID {
			t.Errorf("RecentSuccess = %d, %v; want %d", recent.ID, err, first.ID)
		}
		if _, err := s.RecentSuccess(ctx, user.ID, "9876543210", 10_000, start.Add(time.Second)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RecentSuccess after the order = %v, want ErrNotFound", err)
		}
		if _, err := s.RecentSuccess(ctx, user.ID, "9876543210", 20_000, start); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RecentSuccess of a failed amount = %v, want ErrNotFound", err)
		}

		stats, err := s.OrderStats(ctx, start)
		if err != nil {
			t.Fatalf("OrderStats: %v", err)
		}
		if stats.Total != 3 || stats.ByStatus[models.StatusSuccess] != 1 || stats.ByStatus[models.StatusFailure] != 1 ||
			stats.ByStatus[models.StatusSending] != 1 || stats.SuccessPaise != 10_000 {
			t.Errorf("OrderStats = %+v", stats)
		}
		if _, err := s.GetOrder(ctx, 1); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("GetOrder(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func orderIDs(orders []models.Order) []int64 {
	ids := make([]int64, len(orders))
	for i, order := range orders {
		ids[i] = order.ID
	}
	return ids
}

func TestClaimDueOrders(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 100_000)
		sending := placeOrder(t, s, user, 1_000, "sending")
		pending := placeOrder(t, s, user, 1_000, "pending")
		done := placeOrder(t, s, user, 1_000, "done")
		next := clock.Now().Add(45 * time.Second)
		recordOutcome(t, s, pending.ID, models.Outcome{Status: models.StatusPending, NextCheckAt: &next})
		recordOutcome(t, s, done.ID, models.Outcome{Status: models.StatusSuccess})

		if got := claimIDs(t, s, clock.Now()); len(got) != 0 {
			t.Errorf("claimed %v before anything was due", got)
		}

		clock.Advance(45 * time.Second)
		if got := claimIDs(t, s, clock.Now()); len(got) != 1 || got[0] != pending.ID {
			t.Errorf("claimed %v after 45s, want only the pending order %d", got, pending.ID)
		}
		if got := claimIDs(t, s, clock.Now()); len(got) != 0 {
			t.Errorf("claimed %v again within the lease", got)
		}

		clock.Advance(models.SendingGrace)
		if got := claimIDs(t, s, clock.Now()); len(got) != 2 || got[0] != pending.ID || got[1] != sending.ID {
			t.Errorf("claimed %v after the lease and the grace, want [%d %d]", got, pending.ID, sending.ID)
		}

		// NoteCheck releases the lease and moves the next check.
		if err := s.NoteCheck(ctx, pending.ID, 1, clock.Now().Add(time.Minute)); err != nil {
			t.Fatalf("NoteCheck: %v", err)
		}
		stored, _ := s.GetOrder(ctx, pending.ID)
		if stored.Checks != 1 || stored.LeaseUntil != nil {
			t.Errorf("after NoteCheck: checks %d, lease %v; want 1 and none", stored.Checks, stored.LeaseUntil)
		}
		clock.Advance(time.Minute)
		// The sending order's lease has run out too, and it has been due for longer.
		if got := claimIDs(t, s, clock.Now()); len(got) != 2 || got[0] != sending.ID || got[1] != pending.ID {
			t.Errorf("claimed %v a minute after NoteCheck, want [%d %d]", got, sending.ID, pending.ID)
		}
		if err := s.NoteCheck(ctx, 1, 1, clock.Now()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("NoteCheck(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func claimIDs(t testing.TB, s *models.Store, now time.Time) []int64 {
	t.Helper()
	orders, err := s.ClaimDueOrders(context.Background(), now, 10, 30*time.Second)
	if err != nil {
		t.Fatalf("ClaimDueOrders: %v", err)
	}
	return orderIDs(orders)
}

// TestClaimDueOrdersTwoStores claims from two stores on one database at once, as two processes
// would: every order must be claimed exactly once.
func TestClaimDueOrdersTwoStores(t *testing.T) {
	clock := newFrozenClock()
	modelstest.EachPair(t, clock.Now, func(t *testing.T, stores [2]*models.Store) {
		user := ensureCustomer(t, stores[0], "1001", 1_000_000)
		const orders = 60
		for i := range orders {
			order := placeOrder(t, stores[0], user, 1_000, fmt.Sprint("token-", i))
			recordOutcome(t, stores[0], order.ID, models.Outcome{Status: models.StatusPending, NextCheckAt: ptr(clock.Now())})
		}

		claims := claimUntilEmpty(t, stores, func(s *models.Store) ([]int64, error) {
			claimed, err := s.ClaimDueOrders(context.Background(), clock.Now(), 4, time.Minute)
			return orderIDs(claimed), err
		})

		if len(claims) != orders {
			t.Errorf("%d orders claimed, want %d", len(claims), orders)
		}
		for id, n := range claims {
			if n != 1 {
				t.Errorf("order %d claimed %d times", id, n)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
