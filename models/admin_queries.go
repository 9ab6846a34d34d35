package models

import (
	"context"
	"fmt"
)

// LatestOrdersByStatus returns up to limit orders in any of statuses, newest first.
func (s *Store) LatestOrdersByStatus(ctx context.Context, statuses []OrderStatus, limit int) ([]Order, error) {
	var orders []Order
	err := s.DB(ctx).Where("status IN ?", statuses).Order("created_at DESC, id DESC").Limit(limit).Find(&orders).Error
	if err != nil {
		return nil, fmt.Errorf("list latest orders by status: %w", err)
	}
	return orders, nil
}
