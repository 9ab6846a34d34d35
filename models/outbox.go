package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Outbox message kinds.
const (
	// OutboxNotice is a message to a customer or agent about their own order or wallet.
	OutboxNotice = "notice"
	// OutboxAlert is a message to an admin about something that needs a person.
	OutboxAlert = "alert"
	// OutboxInterim is a notice that an order is still open (pending, unknown or stuck). It
	// carries the OrderID, and RecordOutcome drops it unsent once the order settles, so that
	// it never arrives after the result.
	OutboxInterim = "interim"
)

// OutboxMessage is a chat message waiting for delivery. It is written in the transaction of
// the change it reports, then sent by the scheduler, so a crash or a failed send delays it but
// does not lose it.
type OutboxMessage struct {
	ID      int64  `gorm:"primaryKey"`
	Channel string `gorm:"size:16;not null"`
	ChatID  string `gorm:"size:64;not null"`
	Text    string `gorm:"type:text;not null;default:''"`
	// Options is a JSON array of {"label": ..., "data": ...} objects, or empty.
	Options      string `gorm:"type:text;not null;default:''"`
	DocumentName string `gorm:"size:256;not null;default:''"`
	DocumentData []byte
	Kind         string `gorm:"size:16;not null;default:notice"`
	// DedupeKey, when set, keeps a second message with the same key out of the outbox.
	DedupeKey *string `gorm:"size:128;uniqueIndex"`
	// OrderID is the order a notice reports on, or nil.
	OrderID *int64 `gorm:"index"`
	// Attempts counts the claims for delivery, including the current one.
	Attempts      int       `gorm:"not null;default:0"`
	NextAttemptAt time.Time `gorm:"not null;index"`
	LeaseUntil    *time.Time
	SentAt        *time.Time
	DeadAt        *time.Time
	LastError     string `gorm:"type:text;not null;default:''"`
	CreatedAt     time.Time
}

func init() { register(&OutboxMessage{}) }

// Enqueue adds messages to the outbox in one transaction. A message whose DedupeKey is already
// there is skipped without error. A zero NextAttemptAt means now and an empty Kind a notice.
func (s *Store) Enqueue(ctx context.Context, msgs ...OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error { return s.enqueueTx(tx, msgs) })
	if err != nil {
		return fmt.Errorf("enqueue %d messages: %w", len(msgs), err)
	}
	return nil
}

// enqueueTx inserts msgs inside tx. Each row is its own statement because a batch insert that
// skips conflicts would not report which rows were skipped on every engine.
func (s *Store) enqueueTx(tx *gorm.DB, msgs []OutboxMessage) error {
	now := dbTime(s.Now())
	for _, msg := range msgs {
		msg.ID = 0
		msg.CreatedAt = now
		if msg.NextAttemptAt.IsZero() {
			msg.NextAttemptAt = now
		}
		msg.NextAttemptAt = dbTime(msg.NextAttemptAt)
		if msg.Kind == "" {
			msg.Kind = OutboxNotice
		}
		if msg.DedupeKey != nil && *msg.DedupeKey == "" {
			msg.DedupeKey = nil
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&msg).Error; err != nil {
			return err
		}
	}
	return nil
}

// ClaimOutbox leases up to limit undelivered messages that are due at now, in the order they
// were written, until now+lease, and counts the attempt. channels, when given, restricts the
// claim to messages for those channels, so a process claims only what it can send. On
// PostgreSQL rows locked by a concurrent claim are skipped, so two processes never claim the
// same message. The lease must outlast a send, or a slow send can be repeated by another process.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration, channels ...string) ([]OutboxMessage, error) {
	now = dbTime(now)
	var msgs []OutboxMessage
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		// A message about an order waits while another message about it is being sent, so
		// that two processes never deliver one order's messages out of order.
		busy := tx.Table("outbox_messages AS busy").Select("1").
			Where("busy.order_id = outbox_messages.order_id AND busy.id <> outbox_messages.id").
			Where("busy.sent_at IS NULL AND busy.lease_until > ?", now)
		query := s.lockRowsSkipLocked(tx).
			Where("sent_at IS NULL AND dead_at IS NULL AND next_attempt_at <= ?", now).
			Where("lease_until IS NULL OR lease_until <= ?", now).
			Where("order_id IS NULL OR NOT EXISTS (?)", busy)
		if len(channels) > 0 {
			query = query.Where("channel IN ?", channels)
		}
		if err := query.Order("id").Limit(limit).Find(&msgs).Error; err != nil || len(msgs) == 0 {
			return err
		}

		until := now.Add(lease)
		ids := make([]int64, len(msgs))
		for i := range msgs {
			ids[i] = msgs[i].ID
			msgs[i].LeaseUntil = &until
			msgs[i].Attempts++
		}
		return tx.Model(&OutboxMessage{}).Where("id IN ?", ids).Updates(map[string]any{
			"lease_until": until, "attempts": gorm.Expr("attempts + 1"),
		}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return msgs, nil
}

// dropInterimNotices marks the unsent interim notices of an order dead, because the order has
// settled and its result supersedes them. A notice being sent keeps its lease, so ClaimOutbox
// holds the order's result back until that send ends.
func (s *Store) dropInterimNotices(tx *gorm.DB, orderID int64, now time.Time) error {
	return tx.Model(&OutboxMessage{}).
		Where("order_id = ? AND kind = ? AND sent_at IS NULL AND dead_at IS NULL", orderID, OutboxInterim).
		Updates(map[string]any{"dead_at": now, "last_error": "superseded: the order settled"}).Error
}

// MarkSent records the delivery of a message at now.
func (s *Store) MarkSent(ctx context.Context, id int64, now time.Time) error {
	return s.updateOutbox(ctx, "mark message sent", id, map[string]any{
		"sent_at": dbTime(now), "lease_until": nil, "last_error": "",
	})
}

// MarkRetry schedules another attempt at next and records why this one failed.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error {
	return s.updateOutbox(ctx, "schedule message retry", id, map[string]any{
		"next_attempt_at": dbTime(next), "lease_until": nil, "last_error": errText,
	})
}

// MarkDead gives up on a message and records why.
func (s *Store) MarkDead(ctx context.Context, id int64, errText string) error {
	return s.updateOutbox(ctx, "mark message dead", id, map[string]any{
		"dead_at": dbTime(s.Now()), "lease_until": nil, "last_error": errText,
	})
}

func (s *Store) updateOutbox(ctx context.Context, action string, id int64, updates map[string]any) error {
	result := s.DB(ctx).Model(&OutboxMessage{}).Where("id = ?", id).Updates(updates)
	if result.Error != nil {
		return fmt.Errorf("%s %d: %w", action, id, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("%s %d: %w", action, id, ErrNotFound)
	}
	return nil
}

// OutboxMessages returns up to limit messages, newest first, for admin views and tests.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var msgs []OutboxMessage
	if err := s.DB(ctx).Order("id DESC").Limit(limit).Find(&msgs).Error; err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return msgs, nil
}
