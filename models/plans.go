package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// PlanCache is a stored KwikAPI plan list, so that browsing plans does not spend the plans
// budget on every conversation.
type PlanCache struct {
	// Key names the list, for example "plans:1:DL" or "dth:23".
	Key       string `gorm:"primaryKey;size:96"`
	Data      []byte `gorm:"not null"`
	FetchedAt time.Time
}

func init() { register(&PlanCache{}) }

// TableName keeps the table name singular, as the row is one cache entry.
func (PlanCache) TableName() string { return "plan_cache" }

// CachedPlans returns the data stored under key if it is at most maxAge old. An older or
// missing entry returns ErrNotFound.
func (s *Store) CachedPlans(ctx context.Context, key string, maxAge time.Duration) ([]byte, error) {
	var entry PlanCache
	err := s.DB(ctx).Where("key = ? AND fetched_at >= ?", key, dbTime(s.Now().Add(-maxAge))).Take(&entry).Error
	if err != nil {
		return nil, fmt.Errorf("read cached plans: %w", notFound(err))
	}
	return entry.Data, nil
}

// StorePlans stores data under key, replacing an older entry, with the current time.
func (s *Store) StorePlans(ctx context.Context, key string, data []byte) error {
	entry := PlanCache{Key: key, Data: data, FetchedAt: dbTime(s.Now())}
	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "fetched_at"}),
	}).Create(&entry).Error
	if err != nil {
		return fmt.Errorf("store plans: %w", err)
	}
	return nil
}
