package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// OrderEvent is one change of an order's status. Events are only ever appended. The "placed"
// event has an empty FromStatus.
type OrderEvent struct {
	ID         int64       `gorm:"primaryKey"`
	OrderID    int64       `gorm:"not null;index"`
	FromStatus OrderStatus `gorm:"size:16;not null;default:''"`
	ToStatus   OrderStatus `gorm:"size:16;not null"`
	Note       string      `gorm:"type:text;not null;default:''"`
	CreatedAt  time.Time
}

func init() { register(&OrderEvent{}) }

// Outcome is a result learned about an order, from recharge.php, status.php, the transaction
// list or an admin.
type Outcome struct {
	Status OrderStatus
	// OperatorRef, ChargedPaise and Message overwrite the stored values when non-empty.
	OperatorRef  string
	ChargedPaise int64
	Message      string
	// NextCheckAt is when the resolver should check again. Nil keeps the stored time, and final
	// states ignore it.
	NextCheckAt *time.Time
	// Note goes into the order event.
	Note string
}

// transitions lists the statuses each status may move to. A final status moves only from
// success to refunded.
var transitions = map[OrderStatus][]OrderStatus{
	StatusSending: {StatusSuccess, StatusFailure, StatusPending, StatusUnknown},
	StatusPending: {StatusSuccess, StatusFailure, StatusPending, StatusUnknown, StatusStuck},
	StatusUnknown: {StatusSuccess, StatusFailure, StatusPending, StatusUnknown, StatusStuck},
	StatusStuck:   {StatusSuccess, StatusFailure, StatusStuck},
	StatusSuccess: {StatusRefunded},
}

// CanMove reports whether an order in status from may move to status to.
func CanMove(from, to OrderStatus) bool {
	for _, allowed := range transitions[from] {
		if allowed == to {
			return true
		}
	}
	return false
}

// RecordOutcome applies an outcome to an order in one transaction, with the order row locked:
//   - the same status again changes no status, appends no event, enqueues nothing and returns
//     changed=false. For a non-final status it still stores the outcome's details and
//     NextCheckAt and releases the lease. This makes repeated results (a poll after a callback, two resolvers) harmless.
//   - a move CanMove forbids returns ErrInvalidTransition and changes nothing.
//   - any other move stores the status and details, releases the resolver's lease, appends an
//     OrderEvent, credits the refund for failure and refunded (once per order, RefKey
//     "refund:<id>", also for prepaid bulk orders) and inserts notify into the outbox. A move
//     to a final status first drops the order's unsent OutboxInterim notices.
//
// The returned order is the stored state after the call.
func (s *Store) RecordOutcome(ctx context.Context, orderID int64, out Outcome, notify ...OutboxMessage) (Order, bool, error) {
	var (
		order   Order
		changed bool
	)
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		order, changed, err = s.recordOutcomeTx(tx, orderID, out, notify)
		return err
	})
	if err != nil {
		return Order{}, false, fmt.Errorf("record outcome %s of order %d: %w", out.Status, orderID, err)
	}
	return order, changed, nil
}

func (s *Store) recordOutcomeTx(tx *gorm.DB, orderID int64, out Outcome, notify []OutboxMessage) (Order, bool, error) {
	var order Order
	if err := s.lockRows(tx).Take(&order, orderID).Error; err != nil {
		return Order{}, false, notFound(err)
	}
	now := dbTime(s.Now())

	if out.Status == order.Status {
		if order.Status.Final() {
			return order, false, nil
		}
		err := s.updateOrder(tx, &order, out, now)
		return order, false, err
	}
	if !CanMove(order.Status, out.Status) {
		return order, false, fmt.Errorf("%w: %s to %s", ErrInvalidTransition, order.Status, out.Status)
	}

	from := order.Status
	order.Status = out.Status
	if err := s.updateOrder(tx, &order, out, now); err != nil {
		return Order{}, false, err
	}
	if err := s.appendEvent(tx, order.ID, from, out.Status, out.Note); err != nil {
		return Order{}, false, err
	}
	if out.Status == StatusFailure || out.Status == StatusRefunded {
		if err := s.refundOrder(tx, order); err != nil {
			return Order{}, false, err
		}
	}
	if out.Status.Final() {
		if err := s.dropInterimNotices(tx, order.ID, now); err != nil {
			return Order{}, false, err
		}
	}
	if err := s.enqueueTx(tx, notify); err != nil {
		return Order{}, false, err
	}
	return order, true, nil
}

// updateOrder stores the outcome's details on order and in its row, and releases the
// resolver's lease because the check that held it is over. A final status clears NextCheckAt,
// so the resolver never claims the order again.
func (s *Store) updateOrder(tx *gorm.DB, order *Order, out Outcome, now time.Time) error {
	updates := map[string]any{"status": order.Status, "updated_at": now}
	if out.OperatorRef != "" {
		order.OperatorRef = out.OperatorRef
		updates["operator_ref"] = out.OperatorRef
	}
	if out.ChargedPaise != 0 {
		order.ChargedPaise = out.ChargedPaise
		updates["charged_paise"] = out.ChargedPaise
	}
	if out.Message != "" {
		order.Message = out.Message
		updates["message"] = out.Message
	}

	switch {
	case order.Status.Final():
		order.NextCheckAt = nil
		updates["next_check_at"] = nil
	case out.NextCheckAt != nil:
		next := dbTime(*out.NextCheckAt)
		order.NextCheckAt = &next
		updates["next_check_at"] = next
	}
	order.LeaseUntil = nil
	updates["lease_until"] = nil
	order.UpdatedAt = now

	return tx.Model(&Order{}).Where("id = ?", order.ID).Updates(updates).Error
}

// refundOrder credits the order's amount back once. A refund already written under the
// order's RefKey is left alone, so no path can refund an order twice.
func (s *Store) refundOrder(tx *gorm.DB, order Order) error {
	_, err := s.applyChange(tx, WalletChange{
		UserID: order.UserID, AmountPaise: order.AmountPaise, Kind: LedgerRefund,
		RefKey: "refund:" + strconv.FormatInt(order.ID, 10), OrderID: order.ID,
		Note: "refund of order " + strconv.FormatInt(order.ID, 10),
	})
	if errors.Is(err, ErrDuplicateRef) {
		return nil
	}
	return err
}

func (s *Store) appendEvent(tx *gorm.DB, orderID int64, from, to OrderStatus, note string) error {
	event := OrderEvent{OrderID: orderID, FromStatus: from, ToStatus: to, Note: note, CreatedAt: dbTime(s.Now())}
	return tx.Create(&event).Error
}

// OrderEvents returns the order's events, oldest first.
func (s *Store) OrderEvents(ctx context.Context, orderID int64) ([]OrderEvent, error) {
	var events []OrderEvent
	if err := s.DB(ctx).Where("order_id = ?", orderID).Order("id").Find(&events).Error; err != nil {
		return nil, fmt.Errorf("list events of order %d: %w", orderID, err)
	}
	return events, nil
}
