package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestCachedPlans(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.CachedPlans(ctx, "plans:1:5", time.Hour); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("CachedPlans of an empty cache = %v, want ErrNotFound", err)
		}

		if err := s.StorePlans(ctx, "plans:1:5", []byte(`{"v":1}`)); err != nil {
			t.Fatalf("StorePlans: %v", err)
		}
		clock.Advance(30 * time.Minute)
		if err := s.StorePlans(ctx, "plans:1:5", []byte(`{"v":2}`)); err != nil {
			t.Fatalf("StorePlans again: %v", err)
		}

		clock.Advance(time.Hour)
		data, err := s.CachedPlans(ctx, "plans:1:5", time.Hour)
		if err != nil || string(data) != `{"v":2}` {
			t.Errorf("CachedPlans = %q, %v; want the newer data", data, err)
		}
		clock.Advance(time.Second)
		if _, err := s.CachedPlans(ctx, "plans:1:5", time.Hour); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("CachedPlans past maxAge = %v, want ErrNotFound", err)
		}
	})
}
