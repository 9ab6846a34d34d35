package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestSpendCallStopsAtLimit(t *testing.T) {
	// 17:00 UTC is 22:30 in India, so the budget resets 90 minutes later.
	now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	modelstest.Each(t, func() time.Time { return now }, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for i := range 2 {
			if err := s.SpendCall(ctx, "circle_codes", 2); err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
		}

		err := s.SpendCall(ctx, "circle_codes", 2)
		var exhausted *models.BudgetExhaustedError
		if !errors.As(err, &exhausted) {
			t.Fatalf("third call error = %v, want *BudgetExhaustedError", err)
		}
		if !errors.Is(err, models.ErrBudgetExhausted) {
			t.Error("error does not match ErrBudgetExhausted")
		}
		want := models.BudgetExhaustedError{Endpoint: "circle_codes", Limit: 2, ResetAt: time.Date(2026, 3, 2, 18, 30, 0, 0, time.UTC)}
		if *exhausted != want {
			t.Errorf("error = %+v, want %+v", *exhausted, want)
		}

		calls, err := s.CallsToday(ctx, "circle_codes")
		if err != nil {
			t.Fatalf("CallsToday: %v", err)
		}
		if calls != 2 {
			t.Errorf("CallsToday = %d, want 2: a rejected call is not counted", calls)
		}
		if err := s.SpendCall(ctx, "categories", 2); err != nil {
			t.Errorf("another endpoint is rejected: %v", err)
		}
	})
}

func TestSpendCallResetsAtIndiaMidnight(t *testing.T) {
	var now time.Time
	modelstest.Each(t, func() time.Time { return now }, func(t *testing.T, s *models.Store) {
		now = time.Date(2026, 3, 2, 18, 29, 59, 0, time.UTC) // 23:59:59 in India
		ctx := context.Background()
		if err := s.SpendCall(ctx, "status", 1); err != nil {
			t.Fatalf("first call: %v", err)
		}
		if err := s.SpendCall(ctx, "status", 1); !errors.Is(err, models.ErrBudgetExhausted) {
			t.Fatalf("second call before midnight: error = %v, want ErrBudgetExhausted", err)
		}

		now = now.Add(time.Second)
		if err := s.SpendCall(ctx, "status", 1); err != nil {
			t.Errorf("first call of the new India day: %v", err)
		}
	})
}

func TestSpendCallWithoutLimitCounts(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for i := range 5 {
			if err := s.SpendCall(ctx, "recharge", 0); err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
		}
		calls, err := s.CallsToday(ctx, "recharge")
		if err != nil {
			t.Fatalf("CallsToday: %v", err)
		}
		if calls != 5 {
			t.Errorf("CallsToday = %d, want 5", calls)
		}
	})
}

func TestSpendCallSurvivesRestart(t *testing.T) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			opts.Now = clock
			first := modelstest.Open(t, opts)
			for range 3 {
				if err := first.SpendCall(context.Background(), "categories", 3); err != nil {
					t.Fatalf("spend before restart: %v", err)
				}
			}
			first.Close()

			second := modelstest.Open(t, opts)
			err := second.SpendCall(context.Background(), "categories", 3)
			if !errors.Is(err, models.ErrBudgetExhausted) {
				t.Errorf("spend after restart: error = %v, want ErrBudgetExhausted", err)
			}
		})
	}
}

// TestSpendCallConcurrentStores spends from two stores on one database, as two processes
// would, and checks that exactly limit calls get through.
func TestSpendCallConcurrentStores(t *testing.T) {
	const limit, callers = 7, 24
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			stores := []*models.Store{modelstest.Open(t, opts), modelstest.Open(t, opts)}

			var mu sync.Mutex
			spent, rejected := 0, 0
			var wg sync.WaitGroup
			for i := range callers {
				wg.Go(func() {
					err := stores[i%2].SpendCall(context.Background(), "operator_codes", limit)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						spent++
					case errors.Is(err, models.ErrBudgetExhausted):
						rejected++
					default:
						t.Errorf("SpendCall: %v", err)
					}
				})
			}
			wg.Wait()

			if spent != limit || rejected != callers-limit {
				t.Errorf("spent %d, rejected %d; want %d and %d", spent, rejected, limit, callers-limit)
			}
		})
	}
}

func TestReturnCallGivesBackOne(t *testing.T) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	modelstest.Each(t, func() time.Time { return now }, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for range 2 {
			if err := s.SpendCall(ctx, "circle_codes", 2); err != nil {
				t.Fatalf("SpendCall: %v", err)
			}
		}

		if err := s.ReturnCall(ctx, "circle_codes"); err != nil {
			t.Fatalf("ReturnCall: %v", err)
		}
		if err := s.SpendCall(ctx, "circle_codes", 2); err != nil {
			t.Errorf("SpendCall after a returned call = %v, want room for one more", err)
		}

		for range 3 {
			if err := s.ReturnCall(ctx, "circle_codes"); err != nil {
				t.Fatalf("ReturnCall: %v", err)
			}
		}
		if calls, _ := s.CallsToday(ctx, "circle_codes"); calls != 0 {
			t.Errorf("CallsToday = %d after returning more than was spent, want 0", calls)
		}
		if err := s.ReturnCall(ctx, "never_called"); err != nil {
			t.Errorf("ReturnCall for an endpoint never called = %v, want nil", err)
		}
	})
}
