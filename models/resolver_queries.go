package models

import (
	"context"
	"fmt"
	"time"
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

// OrdersPlacedBetween returns the orders placed at or after from and before to, oldest first,
// at most limit of them.
func (s *Store) OrdersPlacedBetween(ctx context.Context, from, to time.Time, limit int) ([]Order, error) {
	var orders []Order
	err := s.DB(ctx).Where("created_at >= ? AND created_at < ?", dbTime(from), dbTime(to)).
		Order("created_at, id").Limit(limit).Find(&orders).Error
	if err != nil {
		return nil, fmt.Errorf("list orders placed from %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return orders, nil
}
