package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrDailyCapReached matches a *DailyCapError.
var ErrDailyCapReached = errors.New("daily spending cap reached")

// DailyCap caps what one user may commit since the start of their day. A LimitPaise of 0 or
// less sets no cap.
type DailyCap struct {
	LimitPaise int64
	// Since is the start of the day the cap counts, such as the last midnight in India.
	Since time.Time
}

// DailyCapError reports a payment that would take a user past their DailyCap. It matches
// ErrDailyCapReached.
type DailyCapError struct {
	LimitPaise  int64
	SpentPaise  int64
	NeededPaise int64
}

func (e *DailyCapError) Error() string {
	return fmt.Sprintf("daily spending cap of %d paise reached: spent %d paise, needed %d paise",
		e.LimitPaise, e.SpentPaise, e.NeededPaise)
}

// Is makes errors.Is(err, ErrDailyCapReached) true.
func (e *DailyCapError) Is(target error) bool { return target == ErrDailyCapReached }

// LeftPaise returns what the user may still spend today, never below zero.
func (e *DailyCapError) LeftPaise() int64 { return max(e.LimitPaise-e.SpentPaise, 0) }

// SpentSince returns what the user has committed since a time, for a daily spending cap. It
// sums the amounts of their orders placed at or after since that have not failed or been
// refunded. It adds the queued lines of their running bulk runs, because their money is held
// although their orders do not exist yet.
func (s *Store) SpentSince(ctx context.Context, userID int64, since time.Time) (int64, error) {
	return spentSince(s.DB(ctx), userID, since)
}

// checkDailyCap returns a *DailyCapError when neededPaise more would take the user past c.
// The caller holds the user's wallet lock, so that two payments of one user cannot both pass
// the check before either is written.
func checkDailyCap(tx *gorm.DB, userID int64, c DailyCap, neededPaise int64) error {
	if c.LimitPaise <= 0 {
		return nil
	}
	spent, err := spentSince(tx, userID, c.Since)
	if err != nil {
		return err
	}
	if spent+neededPaise > c.LimitPaise {
		return &DailyCapError{LimitPaise: c.LimitPaise, SpentPaise: spent, NeededPaise: neededPaise}
	}
	return nil
}

func spentSince(db *gorm.DB, userID int64, since time.Time) (int64, error) {
	var orders int64
	err := db.Model(&Order{}).Select("COALESCE(SUM(amount_paise), 0)").
		Where("user_id = ? AND created_at >= ? AND status NOT IN ?",
			userID, dbTime(since), []OrderStatus{StatusFailure, StatusRefunded}).
		Scan(&orders).Error
	if err != nil {
		return 0, fmt.Errorf("sum spending of user %d: %w", userID, err)
	}

	var queued int64
	err = db.Model(&BulkLine{}).Select("COALESCE(SUM(bulk_lines.amount_paise), 0)").
		Joins("JOIN bulk_runs ON bulk_runs.id = bulk_lines.run_id").
		Where("bulk_runs.user_id = ? AND bulk_runs.status = ? AND bulk_lines.status = ?",
			userID, BulkRunning, BulkLineQueued).
		Scan(&queued).Error
	if err != nil {
		return 0, fmt.Errorf("sum held bulk lines of user %d: %w", userID, err)
	}
	return orders + queued, nil
}
