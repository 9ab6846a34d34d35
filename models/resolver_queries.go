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
