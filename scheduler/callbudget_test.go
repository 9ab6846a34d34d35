package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// indiaTime returns the instant of an India wall-clock time on 4 December 2026.
func indiaTime(hour, minute int) time.Time {
	return time.Date(2026, 12, 4, hour, minute, 0, 0, models.India).UTC()
}

// spendUntilRejected calls BeforeCall until it fails and returns the calls allowed and the error.
func spendUntilRejected(t *testing.T, b *CallBudget, ep kwik.Endpoint) (int, error) {
	t.Helper()
	for n := 0; n < 1000; n++ {
		if err := b.BeforeCall(context.Background(), ep); err != nil {
			return n, err
		}
	}
	t.Fatalf("BeforeCall(%s) allowed 1000 calls", ep)
	return 0, nil
}

func TestCallBudgetSpreadsStatusOverDay(t *testing.T) {
	clock := &steppedClock{t: indiaTime(0, 30)}
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(0, 30)
		b := &CallBudget{Store: s, Now: clock.Now}

		n, err := spendUntilRejected(t, b, kwik.EndpointStatus)
		if n != 5 {
			t.Errorf("status calls allowed before 01:00 IST = %d, want 5 (ceil of 100/24)", n)
		}
		var allowance *AllowanceUsedError
		if !errors.As(err, &allowance) {
			t.Fatalf("error after the allowance = %v, want *AllowanceUsedError", err)
		}
		if !errors.Is(err, models.ErrBudgetExhausted) {
			t.Errorf("errors.Is(%v, ErrBudgetExhausted) = false, want true", err)
		}
		if at, ok := RetryTime(err); !ok || !at.Equal(indiaTime(1, 0)) {
			t.Errorf("RetryTime = %v, %v; want 01:00 IST", at, ok)
		}

		clock.t = indiaTime(1, 0)
		if n, _ := spendUntilRejected(t, b, kwik.EndpointStatus); n != 4 {
			t.Errorf("status calls allowed from 01:00 IST = %d, want 4 (9 in total)", n)
		}
	})
}

func TestCallBudgetStopsAtDailyLimit(t *testing.T) {
	clock := &steppedClock{}
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(23, 10)
		b := &CallBudget{Store: s, Now: clock.Now}

		n, err := spendUntilRejected(t, b, kwik.EndpointTransactions)
		if n != 48 {
			t.Errorf("transactions calls allowed in the last hour of an unused day = %d, want 48", n)
		}
		var exhausted *models.BudgetExhaustedError
		if !errors.As(err, &exhausted) {
			t.Fatalf("error after the daily limit = %v, want *models.BudgetExhaustedError", err)
		}
		if at, ok := RetryTime(err); !ok || !at.Equal(indiaTime(24, 0)) {
			t.Errorf("RetryTime = %v, %v; want the next India midnight", at, ok)
		}

		clock.t = indiaTime(24, 5)
		if err := b.BeforeCall(context.Background(), kwik.EndpointTransactions); err != nil {
			t.Errorf("BeforeCall on the next day = %v, want nil", err)
		}
	})
}

func TestCallBudgetUnspreadEndpoints(t *testing.T) {
	clock := &steppedClock{}
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(0, 10)
		b := &CallBudget{Store: s, Now: clock.Now}

		n, _ := spendUntilRejected(t, b, kwik.EndpointCategories)
		if n != 10 {
			t.Errorf("category calls allowed at 00:10 IST = %d, want the whole daily limit of 10", n)
		}
		for i := range 200 {
			if err := b.BeforeCall(context.Background(), kwik.EndpointRecharge); err != nil {
				t.Fatalf("recharge call %d rejected: %v; recharges have no limit", i+1, err)
			}
		}
		if _, ok := RetryTime(errors.New("connection refused")); ok {
			t.Errorf("RetryTime of a network error reported ok")
		}
	})
}
