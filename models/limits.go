package models

import (
	"context"
	"fmt"
	"time"
)

// SpentSince returns what the user has committed since a time, for a daily spending cap. It
// sums the amounts of their orders placed at or after since that have not failed or been
// refunded. It adds the queued lines of their running bulk runs, because their money is held
// although their orders do not exist yet.
func (s *Store) SpentSince(ctx context.Context, userID int64, since time.Time) (int64, error) {
	var orders int64
	err := s.DB(ctx).Model(&Order{}).Select("COALESCE(SUM(amount_paise), 0)").
		Where("user_id = ? AND created_at >= ? AND status NOT IN ?",
			userID, dbTime(since), []OrderStatus{StatusFailure, StatusRefunded}).
		Scan(&orders).Error
	if err != nil {
		return 0, fmt.Errorf("sum spending of user %d: %w", userID, err)
	}

	var queued int64
	err = s.DB(ctx).Model(&BulkLine{}).Select("COALESCE(SUM(bulk_lines.amount_paise), 0)").
		Joins("JOIN bulk_runs ON bulk_runs.id = bulk_lines.run_id").
		Where("bulk_runs.user_id = ? AND bulk_runs.status = ? AND bulk_lines.status = ?",
			userID, BulkRunning, BulkLineQueued).
		Scan(&queued).Error
	if err != nil {
		return 0, fmt.Errorf("sum held bulk lines of user %d: %w", userID, err)
	}
	return orders + queued, nil
}
