package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MaxSavedNumbers is how many numbers one user may save.
const MaxSavedNumbers = 20

// ErrSavedNumbersFull reports a new saved number beyond MaxSavedNumbers.
var ErrSavedNumbersFull = errors.New("too many saved numbers")

// SavedNumber is a mobile number a user saved under a nickname, such as "mom", to recharge it
// by typing the nickname. Names are stored in lower case and are unique per user.
type SavedNumber struct {
	ID        int64  `gorm:"primaryKey"`
	UserID    int64  `gorm:"not null;uniqueIndex:idx_saved_numbers_user_name"`
	Name      string `gorm:"size:32;not null;uniqueIndex:idx_saved_numbers_user_name"`
	Number    string `gorm:"size:16;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func init() { register(&SavedNumber{}) }

// SaveNumber stores n.Number under n.Name for n.UserID, replacing the number of an existing
// name. A new name beyond MaxSavedNumbers returns ErrSavedNumbersFull.
func (s *Store) SaveNumber(ctx context.Context, n SavedNumber) error {
	n.Name = strings.ToLower(n.Name)
	now := dbTime(s.Now())
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		result := tx.Model(&SavedNumber{}).Where("user_id = ? AND name = ?", n.UserID, n.Name).
			Updates(map[string]any{"number": n.Number, "updated_at": now})
		if result.Error != nil || result.RowsAffected > 0 {
			return result.Error
		}

		var count int64
		if err := tx.Model(&SavedNumber{}).Where("user_id = ?", n.UserID).Count(&count).Error; err != nil {
			return err
		}
		if count >= MaxSavedNumbers {
			return ErrSavedNumbersFull
		}
		row := SavedNumber{UserID: n.UserID, Name: n.Name, Number: n.Number, CreatedAt: now, UpdatedAt: now}
		return tx.Create(&row).Error
	})
	if err != nil {
		return fmt.Errorf("save number for user %d: %w", n.UserID, err)
	}
	return nil
}

// SavedNumbers returns the user's saved numbers by name.
func (s *Store) SavedNumbers(ctx context.Context, userID int64) ([]SavedNumber, error) {
	var numbers []SavedNumber
	if err := s.DB(ctx).Where("user_id = ?", userID).Order("name").Find(&numbers).Error; err != nil {
		return nil, fmt.Errorf("list saved numbers of user %d: %w", userID, err)
	}
	return numbers, nil
}

// SavedNumber returns the user's number saved under name (any case), or ErrNotFound.
func (s *Store) SavedNumber(ctx context.Context, userID int64, name string) (SavedNumber, error) {
	var n SavedNumber
	err := s.DB(ctx).Where("user_id = ? AND name = ?", userID, strings.ToLower(name)).Take(&n).Error
	if err != nil {
		return SavedNumber{}, fmt.Errorf("find saved number of user %d: %w", userID, notFound(err))
	}
	return n, nil
}

// RemoveSavedNumber deletes the user's number saved under name, or returns ErrNotFound.
func (s *Store) RemoveSavedNumber(ctx context.Context, userID int64, name string) error {
	result := s.DB(ctx).Where("user_id = ? AND name = ?", userID, strings.ToLower(name)).Delete(&SavedNumber{})
	if result.Error != nil {
		return fmt.Errorf("remove saved number of user %d: %w", userID, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("remove saved number of user %d: %w", userID, ErrNotFound)
	}
	return nil
}
