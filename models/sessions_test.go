package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestSessionSaveAndLoad(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.LoadSession(ctx, "telegram:1001"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("LoadSession of a new chat = %v, want ErrNotFound", err)
		}

		session := models.Session{Key: "telegram:1001", UserID: 7, State: "idle", Data: "{}"}
		if err := s.SaveSession(ctx, &session); err != nil {
			t.Fatalf("insert: %v", err)
		}
		if session.Version != 1 {
			t.Errorf("version after insert = %d, want 1", session.Version)
		}

		session.State = "confirming"
		session.Data = `{"amount_paise":19900}`
		if err := s.SaveSession(ctx, &session); err != nil {
			t.Fatalf("update: %v", err)
		}
		loaded, err := s.LoadSession(ctx, "telegram:1001")
		if err != nil {
			t.Fatalf("LoadSession: %v", err)
		}
		if loaded.Version != 2 || loaded.State != "confirming" || loaded.Data != session.Data || loaded.UserID != 7 {
			t.Errorf("loaded = %+v", loaded)
		}

		if err := s.DeleteSession(ctx, "telegram:1001"); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
		if _, err := s.LoadSession(ctx, "telegram:1001"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("LoadSession after delete = %v, want ErrNotFound", err)
		}
	})
}

func TestSessionVersionConflict(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		first := models.Session{Key: "telegram:1001", State: "idle"}
		if err := s.SaveSession(ctx, &first); err != nil {
			t.Fatalf("insert: %v", err)
		}

		twin := models.Session{Key: "telegram:1001", State: "other"}
		if err := s.SaveSession(ctx, &twin); !errors.Is(err, models.ErrVersionConflict) {
			t.Errorf("second insert = %v, want ErrVersionConflict", err)
		}

		stale, _ := s.LoadSession(ctx, "telegram:1001")
		first.State = "number"
		if err := s.SaveSession(ctx, &first); err != nil {
			t.Fatalf("update: %v", err)
		}
		stale.State = "lost"
		if err := s.SaveSession(ctx, &stale); !errors.Is(err, models.ErrVersionConflict) {
			t.Errorf("stale update = %v, want ErrVersionConflict", err)
		}
		if stale.Version != 1 {
			t.Errorf("a failed save changed the version to %d", stale.Version)
		}
		loaded, _ := s.LoadSession(ctx, "telegram:1001")
		if loaded.State != "number" {
			t.Errorf("state = %q, want the winner's", loaded.State)
		}
	})
}

func TestSessionConcurrentSavesOneWins(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		base := models.Session{Key: "whatsapp:919876543210", State: "idle"}
		if err := s.SaveSession(ctx, &base); err != nil {
			t.Fatalf("insert: %v", err)
		}

		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Go(func() {
				attempt := base
				attempt.State = "paying"
				err := s.SaveSession(ctx, &attempt)
				if err != nil && !errors.Is(err, models.ErrVersionConflict) {
					t.Errorf("SaveSession: %v", err)
				}
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d saves won, want 1", wins)
		}
	})
}
