package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// OrdersByID returns the stored orders among ids, ordered by id. Ids with no order are skipped.
func (s *Store) OrdersByID(ctx context.Context, ids []int64) ([]Order, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var orders []Order
	if err := s.DB(ctx).Where("id IN ?", ids).Order("id").Find(&orders).Error; err != nil {
		return nil, fmt.Errorf("list %d orders by id: %w", len(ids), err)
	}
	return orders, nil
}

// OrdersPlacedSince returns the orders placed at or after since, newest first, at most limit
// of them.
func (s *Store) OrdersPlacedSince(ctx context.Context, since time.Time, limit int) ([]Order, error) {
	var orders []Order
	err := s.DB(ctx).Where("created_at >= ?", dbTime(since)).
		Order("created_at DESC, id DESC").Limit(limit).Find(&orders).Error
	if err != nil {
		return nil, fmt.Errorf("list orders placed since %s: %w", since.Format(time.RFC3339), err)
	}
	return orders, nil
}

// ClaimOrdersDueBy is ClaimDueOrders with a horizon apart from the clock: it leases, until
// now+lease, up to limit open orders whose lease expired by now and whose NextCheckAt is at or
// before dueBy, oldest check first. Orders in StatusSending must be due by now, because their
// due time ends the grace period of the recharge call. A resolver passes a dueBy a little
// after now, so that orders due close together are checked together. On PostgreSQL rows
// locked by a concurrent claim are skipped, so two processes never claim the same order.
func (s *Store) ClaimOrdersDueBy(ctx context.Context, now, dueBy time.Time, limit int, lease time.Duration) ([]Order, error) {
	now, dueBy = dbTime(now), dbTime(dueBy)
	var orders []Order
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		err := s.lockRowsSkipLocked(tx).
			Where("(status IN ? AND next_check_at <= ?) OR (status = ? AND next_check_at <= ?)",
				[]OrderStatus{StatusPending, StatusUnknown, StatusStuck}, dueBy, StatusSending, now).
			Where("lease_until IS NULL OR lease_until <= ?", now).
			Order("next_check_at, id").Limit(limit).Find(&orders).Error
		if err != nil || len(orders) == 0 {
			return err
		}

		until := now.Add(lease)
		ids := make([]int64, len(orders))
		for i := range orders {
			ids[i] = orders[i].ID
			orders[i].LeaseUntil = &until
		}
		return tx.Model(&Order{}).Where("id IN ?", ids).Update("lease_until", until).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim orders due by %s: %w", dueBy.Format(time.RFC3339), err)
	}
	return orders, nil
}
