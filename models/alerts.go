package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AlertState remembers when an alert was last sent, so that a repeating problem alerts admins
// once per window instead of once per occurrence.
type AlertState struct {
	Key        string `gorm:"primaryKey;size:128"`
	LastSentAt time.Time
	// HeldBack counts the occurrences suppressed since LastSentAt.
	HeldBack int `gorm:"not null;default:0"`
}

func init() { register(&AlertState{}) }

// ShouldAlert decides whether the alert named key goes out now. It returns send=true when no
// alert with key went out within window, together with the number of occurrences held back
// since the last one was sent, and then starts a new window. Otherwise it counts this
// occurrence as held back and returns send=false with the count so far. The decision is atomic
// across processes.
func (s *Store) ShouldAlert(ctx context.Context, key string, window time.Duration) (send bool, heldBack int, err error) {
	now := dbTime(s.Now())
	err = s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		// Inserting first gives PostgreSQL a row to lock even for the first alert of a key.
		fresh := AlertState{Key: key, LastSentAt: now}
		created := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh)
		if created.Error != nil {
			return created.Error
		}
		if created.RowsAffected == 1 {
			send = true
			return nil
		}

		var state AlertState
		if err := s.lockRows(tx).Where("key = ?", key).Take(&state).Error; err != nil {
			return err
		}
		if now.Sub(state.LastSentAt) >= window {
			send, heldBack = true, state.HeldBack
			return tx.Model(&AlertState{}).Where("key = ?", key).
				Updates(map[string]any{"last_sent_at": now, "held_back": 0}).Error
		}
		heldBack = state.HeldBack + 1
		return tx.Model(&AlertState{}).Where("key = ?", key).Update("held_back", heldBack).Error
	})
	if err != nil {
		return false, 0, fmt.Errorf("decide alert: %w", err)
	}
	return send, heldBack, nil
}
