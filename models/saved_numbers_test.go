package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestSavedNumbers(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		const user, other = 1, 2

		if err := s.SaveNumber(ctx, models.SavedNumber{UserID: user, Name: "Mom", Number: "9876543210"}); err != nil {
			t.Fatalf("save: %v", err)
		}
		if err := s.SaveNumber(ctx, models.SavedNumber{UserID: user, Name: "mom", Number: "9123456780"}); err != nil {
			t.Fatalf("save again: %v", err)
		}
		if err := s.SaveNumber(ctx, models.SavedNumber{UserID: other, Name: "mom", Number: "9000000001"}); err != nil {
			t.Fatalf("save for another user: %v", err)
		}

		got, err := s.SavedNumber(ctx, user, "MOM")
		if err != nil {
			t.Fatalf("find: %v", err)
		}
		if got.Number != "9123456780" || got.Name != "mom" {
			t.Errorf("saved number = %+v, want mom 9123456780 (replaced, lower case)", got)
		}

		list, err := s.SavedNumbers(ctx, user)
		if err != nil || len(list) != 1 {
			t.Fatalf("list = %+v, %v; want one number", list, err)
		}

		if err := s.RemoveSavedNumber(ctx, user, "Mom"); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if err := s.RemoveSavedNumber(ctx, user, "mom"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("second remove = %v, want ErrNotFound", err)
		}
		if _, err := s.SavedNumber(ctx, user, "mom"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("find removed = %v, want ErrNotFound", err)
		}
		if _, err := s.SavedNumber(ctx, other, "mom"); err != nil {
			t.Errorf("another user's number went with it: %v", err)
		}
	})
}

func TestSavedNumbersLimit(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for i := range models.MaxSavedNumbers {
			if err := s.SaveNumber(ctx, models.SavedNumber{UserID: 1, Name: fmt.Sprintf("n%d", i), Number: "9876543210"}); err != nil {
				t.Fatalf("save %d: %v", i, err)
			}
		}
		err := s.SaveNumber(ctx, models.SavedNumber{UserID: 1, Name: "extra", Number: "9876543210"})
		if !errors.Is(err, models.ErrSavedNumbersFull) {
			t.Errorf("save beyond the limit = %v, want ErrSavedNumbersFull", err)
		}
		if err := s.SaveNumber(ctx, models.SavedNumber{UserID: 1, Name: "n0", Number: "9123456780"}); err != nil {
			t.Errorf("replacing at the limit = %v, want success", err)
		}
	})
}
