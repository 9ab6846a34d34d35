package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rechargebot/rechargebot/models"
)

// BalanceReader reads the merchant's KwikAPI wallet balance. *kwik.Client implements it.
type BalanceReader interface {
	Balance(ctx context.Context) (int64, error)
}

// DefaultBalanceEvery is the default time between two balance checks. Hourly checks use 24 of
// the 48 balance calls KwikAPI allows a day.
const DefaultBalanceEvery = time.Hour

// BalanceCheck alerts admins when the merchant's KwikAPI wallet falls under a threshold, before
// recharges start failing for want of money.
type BalanceCheck struct {
	Kwik BalanceReader
	// Alerts receives the low-balance alert, at most one per alert window.
	Alerts *Alerts
	// ThresholdPaise is the balance under which admins are alerted. Zero or less disables the check.
	ThresholdPaise int64
	// Every is the time between two checks. Zero means DefaultBalanceEvery.
	Every  time.Duration
	Logger *slog.Logger
}

// Check reads the balance once and raises the "low-balance" alert when it is under the
// threshold. A call the daily budget does not allow is skipped without error, because the
// next check comes soon enough.
func (b *BalanceCheck) Check(ctx context.Context) error {
	if b.ThresholdPaise <= 0 {
		return nil
	}

	balance, err := b.Kwik.Balance(ctx)
	if errors.Is(err, models.ErrBudgetExhausted) {
		b.logger().Info("KwikAPI balance check skipped", "reason", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("check kwikapi balance: %w", err)
	}

	b.logger().Debug("KwikAPI balance read", "balance_paise", balance)
	if balance >= b.ThresholdPaise {
		return nil
	}
	b.logger().Warn("KwikAPI balance is low", "balance_paise", balance, "threshold_paise", b.ThresholdPaise)
	return b.Alerts.Raise(ctx, Alert{Key: "low-balance", Text: lowBalanceAlert(balance, b.ThresholdPaise)})
}

// Job returns the periodic balance check for a Runner.
func (b *BalanceCheck) Job() Job {
	return Job{Name: "balance-check", Every: positiveOr(b.Every, DefaultBalanceEvery), Run: b.Check}
}

func (b *BalanceCheck) logger() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Logger
}
