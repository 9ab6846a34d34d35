package models_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestShouldAlertHoldsBackRepeats(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		steps := []struct {
			advance  time.Duration
			key      string
			wantSend bool
			wantHeld int
		}{
			{0, "low_balance", true, 0},
			{time.Minute, "low_balance", false, 1},
			{time.Minute, "low_balance", false, 2},
			{0, "auth_error", true, 0},
			{58 * time.Minute, "low_balance", true, 2},
			{time.Minute, "low_balance", false, 1},
			{time.Hour, "low_balance", true, 1},
			{time.Hour, "low_balance", true, 0},
		}
		for i, step := range steps {
			clock.Advance(step.advance)
			send, held, err := s.ShouldAlert(ctx, step.key, time.Hour)
			if err != nil {
				t.Fatalf("step %d: ShouldAlert: %v", i, err)
			}
			if send != step.wantSend || held != step.wantHeld {
				t.Errorf("step %d (%s): send %v, held back %d; want %v, %d", i, step.key, send, held, step.wantSend, step.wantHeld)
			}
		}
	})
}

func TestShouldAlertConcurrentSendsOnce(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		sent := 0
		for range 10 {
			wg.Go(func() {
				send, _, err := s.ShouldAlert(context.Background(), "stuck:1", time.Hour)
				if err != nil {
					t.Errorf("ShouldAlert: %v", err)
				}
				if send {
					mu.Lock()
					sent++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if sent != 1 {
			t.Errorf("%d alerts sent, want 1", sent)
		}
		_, held, _ := s.ShouldAlert(context.Background(), "stuck:1", time.Hour)
		if held != 10 {
			t.Errorf("held back %d, want 10", held)
		}
	})
}
