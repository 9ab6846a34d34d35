package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrVersionConflict reports a session saved by someone else since it was loaded.
var ErrVersionConflict = errors.New("session version conflict")

// Session is the persisted state of one chat's conversation.
type Session struct {
	// Key is the chat, as "channel:id" (for example "telegram:123").
	Key    string `gorm:"primaryKey;size:96"`
	UserID int64  `gorm:"not null;index"`
	State  string `gorm:"size:64;not null;default:''"`
	// Data is the conversation's context as JSON.
	Data string `gorm:"type:text;not null;default:''"`
	// Version counts the saves. SaveSession uses it for optimistic concurrency control.
	Version   int64 `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

func init() { register(&Session{}) }

// LoadSession returns the session with key, or ErrNotFound.
func (s *Store) LoadSession(ctx context.Context, key string) (Session, error) {
	var session Session
	if err := s.DB(ctx).Where("key = ?", key).Take(&session).Error; err != nil {
		return Session{}, fmt.Errorf("load session: %w", notFound(err))
	}
	return session, nil
}

// SaveSession writes session unless another save happened since it was loaded. Version 0
// inserts a new session, and any other version updates the row only while it still has that
// version. On success the session's Version and UpdatedAt advance. On ErrVersionConflict
// nothing is written, and the caller should load the session again.
func (s *Store) SaveSession(ctx context.Context, session *Session) error {
	now := dbTime(s.Now())

	if session.Version == 0 {
		row := *session
		row.Version = 1
		row.UpdatedAt = now
		err := s.DB(ctx).Create(&row).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("save session: %w", ErrVersionConflict)
		}
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		*session = row
		return nil
	}

	result := s.DB(ctx).Model(&Session{}).
		Where("key = ? AND version = ?", session.Key, session.Version).
		Updates(map[string]any{
			"user_id": session.UserID, "state": session.State, "data": session.Data,
			"version": session.Version + 1, "updated_at": now,
		})
	if result.Error != nil {
		return fmt.Errorf("save session: %w", result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("save session: %w", ErrVersionConflict)
	}
	session.Version++
	session.UpdatedAt = now
	return nil
}

// DeleteSession removes the session with key. A missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, key string) error {
	if err := s.DB(ctx).Where("key = ?", key).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
