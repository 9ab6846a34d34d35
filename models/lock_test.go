package models_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// assertExclusive runs 20 goroutines that each lock key through one of stores and checks that
// no two hold it at once.
func assertExclusive(t *testing.T, stores []*models.Store, key string) {
	t.Helper()
	var inside, entered atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		store := stores[i%len(stores)]
		wg.Go(func() {
			unlock, err := store.LockKey(context.Background(), key)
			if err != nil {
				t.Errorf("LockKey: %v", err)
				return
			}
			if n := inside.Add(1); n != 1 {
				t.Errorf("%d holders at once", n)
			}
			entered.Add(1)
			time.Sleep(time.Millisecond) // widen the window in which a second holder would show
			inside.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if entered.Load() != 20 {
		t.Errorf("%d goroutines got the lock, want 20", entered.Load())
	}
}

func TestLockKeyOneStore(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		assertExclusive(t, []*models.Store{s}, "telegram:1001")
	})
}

func TestLockKeyTwoStoresOnPostgres(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		if engine.Name != "postgres" {
			continue // Two SQLite stores in one process are not a supported setup.
		}
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			assertExclusive(t, []*models.Store{modelstest.Open(t, opts), modelstest.Open(t, opts)}, "telegram:1001")
		})
	}
}

func TestLockKeyOtherKeysDoNotWait(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		unlock, err := s.LockKey(context.Background(), "telegram:1")
		if err != nil {
			t.Fatalf("LockKey: %v", err)
		}
		defer unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		other, err := s.LockKey(ctx, "telegram:2")
		if err != nil {
			t.Fatalf("LockKey of another key: %v", err)
		}
		other()
	})
}

func TestLockKeyWaitEndsWithContext(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			holder := modelstest.Open(t, opts)
			stores := []*models.Store{holder}
			if engine.Name == "postgres" {
				// On PostgreSQL the wait on the advisory lock in another process ends too.
				stores = append(stores, modelstest.Open(t, opts))
			}

			unlock, err := holder.LockKey(context.Background(), "telegram:1001")
			if err != nil {
				t.Fatalf("LockKey: %v", err)
			}
			for _, waiter := range stores {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				_, err := waiter.LockKey(ctx, "telegram:1001")
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("LockKey while held = %v, want context.DeadlineExceeded", err)
				}
			}
			unlock()

			// After the cancelled waits the key can be taken again from every store.
			for _, store := range stores {
				again, err := store.LockKey(context.Background(), "telegram:1001")
				if err != nil {
					t.Fatalf("LockKey after unlock: %v", err)
				}
				again()
			}
		})
	}
}
