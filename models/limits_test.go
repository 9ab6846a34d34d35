package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestPlaceOrderDailyCap(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "3001", 100_000)
		daily := models.DailyCap{LimitPaise: 30_000, Since: clock.Now()}

		first := newOrder(user, 19_900, "first")
		first.Cap = daily
		if _, err := s.PlaceOrder(ctx, first); err != nil {
			t.Fatalf("PlaceOrder within the cap: %v", err)
		}

		second := newOrder(user, 19_900, "second")
		second.Cap = daily
		_, err := s.PlaceOrder(ctx, second)
		var capped *models.DailyCapError
		if !errors.As(err, &capped) || !errors.Is(err, models.ErrDailyCapReached) {
			t.Fatalf("PlaceOrder over the cap: %v, want a *DailyCapError", err)
		}
		if capped.SpentPaise != 19_900 || capped.NeededPaise != 19_900 || capped.LeftPaise() != 10_100 {
			t.Errorf("error = %+v with %d left, want 19900 spent, 19900 needed, 10100 left", *capped, capped.LeftPaise())
		}
		assertBalance(t, s, user.ID, 100_000-19_900)

		again := newOrder(user, 19_900, "first")
		again.Cap = daily
		if _, err := s.PlaceOrder(ctx, again); !errors.Is(err, models.ErrDuplicateCheckout) {
			t.Errorf("repeated checkout over the cap: %v, want ErrDuplicateCheckout", err)
		}

		prepaid := newOrder(user, 19_900, "prepaid")
		prepaid.Cap, prepaid.Prepaid = daily, true
		if _, err := s.PlaceOrder(ctx, prepaid); err != nil {
			t.Errorf("prepaid order over the cap: %v, want it placed because its hold was checked", err)
		}
	})
}

func TestHoldBulkRunDailyCap(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "3002", 100_000)
		placeOrder(t, s, user, 5_000, "earlier")
		run := createRun(t, s, user, bulkLines(3, 2_000))

		_, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{LimitPaise: 10_000, Since: clock.Now()})
		var capped *models.DailyCapError
		if !errors.As(err, &capped) {
			t.Fatalf("HoldBulkRun over the cap: %v, want a *DailyCapError", err)
		}
		if capped.SpentPaise != 5_000 || capped.NeededPaise != 6_000 {
			t.Errorf("error = %+v, want 5000 spent and 6000 needed", *capped)
		}
		assertBalance(t, s, user.ID, 100_000-5_000)

		if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{LimitPaise: 11_000, Since: clock.Now()}); err != nil {
			t.Errorf("HoldBulkRun exactly at the cap: %v", err)
		}
	})
}

func TestDailyCapConcurrentStores(t *testing.T) {
	clock := newFrozenClock()
	modelstest.EachPair(t, clock.Now, func(t *testing.T, stores [2]*models.Store) {
		user := ensureCustomer(t, stores[0], "3003", 1_000_000)
		daily := models.DailyCap{LimitPaise: 10_000, Since: clock.Now()}

		placed := placeConcurrently(t, 40, models.ErrDailyCapReached, func(i int) error {
			in := newOrder(user, 1_000, fmt.Sprint("token-", i))
			in.Cap = daily
			_, err := stores[i%2].PlaceOrder(context.Background(), in)
			return err
		})

		if placed != 10 {
			t.Errorf("%d orders placed under a cap of 10, want 10", placed)
		}
		spent, err := stores[1].SpentSince(context.Background(), user.ID, daily.Since)
		if err != nil {
			t.Fatalf("SpentSince: %v", err)
		}
		if spent != daily.LimitPaise {
			t.Errorf("spent = %d paise, want the cap of %d", spent, daily.LimitPaise)
		}
	})
}
