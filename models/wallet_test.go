package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// frozenClock is a settable clock for stores and schedulers under test.
type frozenClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFrozenClock() *frozenClock {
	return &frozenClock{now: time.Date(2026, 3, 14, 18, 45, 0, 0, time.UTC)}
}

func (c *frozenClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *frozenClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ensureCustomer creates a Telegram customer and credits the wallet with balancePaise.
func ensureCustomer(t testing.TB, s *models.Store, telegramID string, balancePaise int64) models.User {
	t.Helper()
	ctx := context.Background()
	user, err := s.EnsureUser(ctx, models.ChannelTelegram, telegramID, telegramID, "Customer "+telegramID)
	if err != nil {
		t.Fatalf("EnsureUser: %v", err)
	}
	if balancePaise > 0 {
		_, err := s.AdjustWallet(ctx, models.WalletChange{UserID: user.ID, AmountPaise: balancePaise, Kind: models.LedgerCredit, Note: "test credit"})
		if err != nil {
			t.Fatalf("credit wallet: %v", err)
		}
	}
	return user
}

// assertBalance checks the wallet balance and that it equals the sum of the ledger.
func assertBalance(t testing.TB, s *models.Store, userID, wantPaise int64) {
	t.Helper()
	ctx := context.Background()
	balance, err := s.Balance(ctx, userID)
	if err != nil {
		t.Fatalf("Balance: %v", err)
	}
	sum, err := s.LedgerSum(ctx, userID)
	if err != nil {
		t.Fatalf("LedgerSum: %v", err)
	}
	if balance != wantPaise {
		t.Errorf("balance = %d paise, want %d", balance, wantPaise)
	}
	if sum != balance {
		t.Errorf("ledger sum = %d paise, balance = %d", sum, balance)
	}
}

func TestAdjustWalletCreditsAndDebits(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 0)
		admin := ensureCustomer(t, s, "1002", 0)

		entry, err := s.AdjustWallet(ctx, models.WalletChange{UserID: user.ID, AmountPaise: 50_000, Kind: models.LedgerCredit, ActorUserID: admin.ID, Note: "cash"})
		if err != nil {
			t.Fatalf("credit: %v", err)
		}
		if entry.BalanceAfterPaise != 50_000 {
			t.Errorf("balance after credit = %d, want 50000", entry.BalanceAfterPaise)
		}
		if entry.ActorUserID == nil || *entry.ActorUserID != admin.ID {
			t.Errorf("actor = %v, want %d", entry.ActorUserID, admin.ID)
		}

		entry, err = s.AdjustWallet(ctx, models.WalletChange{UserID: user.ID, AmountPaise: -20_000, Kind: models.LedgerDebit})
		if err != nil {
			t.Fatalf("debit: %v", err)
		}
		if entry.BalanceAfterPaise != 30_000 {
			t.Errorf("balance after debit = %d, want 30000", entry.BalanceAfterPaise)
		}
		assertBalance(t, s, user.ID, 30_000)

		ledger, err := s.Ledger(ctx, user.ID, 10)
		if err != nil {
			t.Fatalf("Ledger: %v", err)
		}
		if len(ledger) != 2 || ledger[0].Kind != models.LedgerDebit || ledger[1].Kind != models.LedgerCredit {
			t.Errorf("ledger = %+v, want debit then credit", ledger)
		}
	})
}

func TestAdjustWalletRejectsOverdraft(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 10_000)

		_, err := s.AdjustWallet(context.Background(), models.WalletChange{UserID: user.ID, AmountPaise: -10_001, Kind: models.LedgerDebit})
		var insufficient *models.InsufficientFundsError
		if !errors.As(err, &insufficient) {
			t.Fatalf("error = %v, want *InsufficientFundsError", err)
		}
		if !errors.Is(err, models.ErrInsufficientFunds) {
			t.Errorf("error does not match ErrInsufficientFunds")
		}
		if insufficient.BalancePaise != 10_000 || insufficient.NeededPaise != 10_001 || insufficient.MissingPaise() != 1 {
			t.Errorf("error = %+v, want balance 10000, needed 10001, missing 1", insufficient)
		}
		assertBalance(t, s, user.ID, 10_000)
	})
}

func TestAdjustWalletRefKeyAppliesOnce(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 0)
		change := models.WalletChange{UserID: user.ID, AmountPaise: 5_000, Kind: models.LedgerCredit, RefKey: "topup:42"}

		first, err := s.AdjustWallet(ctx, change)
		if err != nil {
			t.Fatalf("first: %v", err)
		}
		second, err := s.AdjustWallet(ctx, change)
		if !errors.Is(err, models.ErrDuplicateRef) {
			t.Fatalf("second error = %v, want ErrDuplicateRef", err)
		}
		if second.ID != first.ID {
			t.Errorf("second returned entry %d, want the first, %d", second.ID, first.ID)
		}
		assertBalance(t, s, user.ID, 5_000)
	})
}

func TestAdjustWalletRejectsBadInput(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 0)
		tests := []struct {
			name   string
			change models.WalletChange
			want   error
		}{
			{"zero amount", models.WalletChange{UserID: user.ID, Kind: models.LedgerCredit}, models.ErrInvalidAmount},
			{"unknown user", models.WalletChange{UserID: 999_999, AmountPaise: 100, Kind: models.LedgerCredit}, models.ErrNotFound},
			{"unknown kind", models.WalletChange{UserID: user.ID, AmountPaise: 100, Kind: "gift"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.AdjustWallet(context.Background(), tt.change)
				if err == nil {
					t.Fatal("AdjustWallet succeeded")
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("error = %v, want %v", err, tt.want)
				}
			})
		}
		assertBalance(t, s, user.ID, 0)
	})
}

func TestAdjustWalletConcurrentDebits(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 10_000)

		var wg sync.WaitGroup
		var mu sync.Mutex
		succeeded := 0
		for i := range 30 {
			wg.Go(func() {
				_, err := s.AdjustWallet(context.Background(), models.WalletChange{
					UserID: user.ID, AmountPaise: -1_000, Kind: models.LedgerDebit, Note: fmt.Sprint("debit ", i),
				})
				if err != nil && !errors.Is(err, models.ErrInsufficientFunds) {
					t.Errorf("debit %d: %v", i, err)
				}
				if err == nil {
					mu.Lock()
					succeeded++
					mu.Unlock()
				}
			})
		}
		wg.Wait()

		if succeeded != 10 {
			t.Errorf("%d debits succeeded, want 10", succeeded)
		}
		assertBalance(t, s, user.ID, 0)
	})
}
