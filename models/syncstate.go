package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SyncState records how one part of a periodic sync last went, such as the catalog's
// "categories" or "operators:Prepaid". The sync reads LastSuccessAt to decide what is stale.
type SyncState struct {
	Part string `gorm:"primaryKey;size:64"`
	// LastSuccessAt is when the part last completed; nil means never.
	LastSuccessAt *time.Time
	// LastAttemptAt is when the part was last tried, successfully or not.
	LastAttemptAt *time.Time
	// LastError is the error of the last attempt, empty after a success.
	LastError string `gorm:"not null;default:''"`
	// Items is the number of rows the last successful run stored.
	Items     int `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

func init() { register(&SyncState{}) }

// SyncStates returns the state of every part that has been attempted, by part name.
func (s *Store) SyncStates(ctx context.Context) ([]SyncState, error) {
	var states []SyncState
	if err := s.DB(ctx).Order("part").Find(&states).Error; err != nil {
		return nil, fmt.Errorf("list sync states: %w", err)
	}
	return states, nil
}

// SyncState returns the state of part, or ErrNotFound when it was never attempted.
func (s *Store) SyncState(ctx context.Context, part string) (SyncState, error) {
	var state SyncState
	err := s.DB(ctx).Where("part = ?", part).Take(&state).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return SyncState{}, fmt.Errorf("get sync state %s: %w", part, ErrNotFound)
	}
	if err != nil {
		return SyncState{}, fmt.Errorf("get sync state %s: %w", part, err)
	}
	return state, nil
}

// RecordSyncSuccess notes that part completed at at, storing items rows.
func (s *Store) RecordSyncSuccess(ctx context.Context, part string, at time.Time, items int) error {
	at = at.UTC()
	state := SyncState{Part: part, LastSuccessAt: &at, LastAttemptAt: &at, Items: items, UpdatedAt: s.Now()}
	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "part"}},
		DoUpdates: clause.Assignments(map[string]any{
			"last_success_at": at, "last_attempt_at": at, "last_error": "", "items": items, "updated_at": state.UpdatedAt,
		}),
	}).Create(&state).Error
	if err != nil {
		return fmt.Errorf("record sync success of %s: %w", part, err)
	}
	return nil
}

// RecordSyncFailure notes that part failed at at with errText and keeps its last success time,
// so the part stays due and the next run retries it.
func (s *Store) RecordSyncFailure(ctx context.Context, part string, at time.Time, errText string) error {
	at = at.UTC()
	state := SyncState{Part: part, LastAttemptAt: &at, LastError: errText, UpdatedAt: s.Now()}
	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "part"}},
		DoUpdates: clause.Assignments(map[string]any{
			"last_attempt_at": at, "last_error": errText, "updated_at": state.UpdatedAt,
		}),
	}).Create(&state).Error
	if err != nil {
		return fmt.Errorf("record sync failure of %s: %w", part, err)
	}
	return nil
}
