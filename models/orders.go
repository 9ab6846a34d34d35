package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// OrderStatus is the stage of an order. See RecordOutcome for the allowed transitions.
type OrderStatus string

// The order states.
const (
	// StatusSending: paid, with no reply from recharge.php yet (or the process died while waiting).
	StatusSending OrderStatus = "sending"
	StatusSuccess OrderStatus = "success"
	// StatusFailure: the recharge failed and the payment was refunded.
	StatusFailure OrderStatus = "failure"
	// StatusPending: KwikAPI accepted the recharge and has no result yet.
	StatusPending OrderStatus = "pending"
	// StatusUnknown: the recharge call timed out or got a bad reply, so the money may have moved.
	StatusUnknown OrderStatus = "unknown"
	// StatusStuck: still unresolved after the allowed number of checks, so admins get an alert.
	StatusStuck OrderStatus = "stuck"
	// StatusRefunded: KwikAPI reversed a successful recharge and the payment was refunded.
	StatusRefunded OrderStatus = "refunded"
)

// Final reports whether s ends the order's checks: success, failure or refunded.
func (s OrderStatus) Final() bool {
	return s == StatusSuccess || s == StatusFailure || s == StatusRefunded
}

// Order kinds.
const (
	KindMobile = "mobile"
	KindDTH    = "dth"
)

// SendingGrace is how long after PlaceOrder an order still in StatusSending becomes due for the
// resolver. The recharge.php timeout must stay well below it, or the resolver could check an
// order whose recharge call is still running.
const SendingGrace = 5 * time.Minute

// Errors of orders.
var (
	ErrDuplicateCheckout = errors.New("checkout already placed")
	ErrInvalidTransition = errors.New("invalid order status transition")
)

// Order is one recharge. ID is also the order_id sent to KwikAPI.
type Order struct {
	// ID is YYMMDD in India time followed by 8 random digits: 14 digits, unique, never reused.
	ID            int64       `gorm:"primaryKey;autoIncrement:false"`
	UserID        int64       `gorm:"not null;index:idx_orders_user_created,priority:1"`
	Kind          string      `gorm:"size:8;not null"`
	Number        string      `gorm:"size:32;not null"`
	OperatorID    string      `gorm:"size:16;not null"`
	OperatorName  string      `gorm:"size:128;not null;default:''"`
	CircleCode    string      `gorm:"size:8;not null;default:''"`
	AmountPaise   int64       `gorm:"not null"`
	Plan          string      `gorm:"type:text;not null;default:''"`
	Status        OrderStatus `gorm:"size:16;not null;index:idx_orders_status_next,priority:1"`
	CheckoutToken string      `gorm:"size:128;not null;uniqueIndex"`
	OperatorRef   string      `gorm:"size:128;not null;default:''"`
	Message       string      `gorm:"type:text;not null;default:''"`
	ChargedPaise  int64       `gorm:"not null;default:0"`
	// Checks counts the status checks made by the resolver.
	Checks      int        `gorm:"not null;default:0"`
	NextCheckAt *time.Time `gorm:"index:idx_orders_status_next,priority:2"`
	LeaseUntil  *time.Time
	ChatChannel string    `gorm:"size:16;not null;default:''"`
	ChatID      string    `gorm:"size:64;not null;default:''"`
	BulkRunID   *int64    `gorm:"index"`
	BulkLine    int       `gorm:"not null;default:0"`
	CreatedAt   time.Time `gorm:"index:idx_orders_user_created,priority:2"`
	UpdatedAt   time.Time
}

func init() { register(&Order{}) }

// NewOrder is what PlaceOrder needs to create an order.
type NewOrder struct {
	UserID       int64
	Kind         string
	Number       string
	OperatorID   string
	OperatorName string
	CircleCode   string
	AmountPaise  int64
	Plan         string
	// CheckoutToken identifies one confirmation, so a second PlaceOrder with it places nothing.
	CheckoutToken string
	ChatChannel   string
	ChatID        string
	BulkRunID     *int64
	BulkLine      int
	// Prepaid marks an order whose amount was already taken from the wallet (a bulk hold), so
	// PlaceOrder writes no debit.
	Prepaid bool
	// Cap is the user's daily spending cap. PlaceOrder ignores it for a Prepaid order, whose
	// hold was checked against the cap when it was taken.
	Cap DailyCap
}

// maxIDAttempts bounds the retries on an order id collision. Each attempt collides with
// probability (orders today)/10^8, so reaching the bound means something else is wrong.
const maxIDAttempts = 8

// PlaceOrder pays for and records an order in one transaction. It locks the wallet and, when
// the checkout token was used before, returns the earlier order and ErrDuplicateCheckout.
// Otherwise, unless Prepaid, it checks the daily cap (*DailyCapError) and the balance
// (*InsufficientFundsError), writing nothing when either fails, and debits the wallet with a
// LedgerOrder entry (RefKey "order:<id>"). Then it inserts the order in StatusSending with a fresh id and appends the "placed" event. The order becomes due for the
// resolver after SendingGrace.
func (s *Store) PlaceOrder(ctx context.Context, in NewOrder) (Order, error) {
	if err := in.validate(); err != nil {
		return Order{}, fmt.Errorf("place order: %w", err)
	}

	var order Order
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		order, err = s.placeOrderTx(tx, in)
		return err
	})
	if err != nil && !errors.Is(err, ErrDuplicateCheckout) {
		return Order{}, fmt.Errorf("place order for user %d: %w", in.UserID, err)
	}
	return order, err
}

func (in NewOrder) validate() error {
	switch {
	case in.UserID == 0:
		return errors.New("missing user")
	case in.CheckoutToken == "":
		return errors.New("missing checkout token")
	case in.AmountPaise <= 0:
		return fmt.Errorf("%w: %d paise", ErrInvalidAmount, in.AmountPaise)
	case in.Kind != KindMobile && in.Kind != KindDTH:
		return fmt.Errorf("invalid kind %q", in.Kind)
	case in.Number == "" || in.OperatorID == "":
		return errors.New("missing number or operator")
	}
	return nil
}

func (s *Store) placeOrderTx(tx *gorm.DB, in NewOrder) (Order, error) {
	// The wallet lock comes first: a concurrent PlaceOrder with the same token waits here and
	// then finds the committed order below.
	wallet, err := s.lockWallet(tx, in.UserID)
	if err != nil {
		return Order{}, err
	}

	var earlier Order
	err = tx.Where("checkout_token = ?", in.CheckoutToken).Take(&earlier).Error
	if err == nil {
		return earlier, ErrDuplicateCheckout
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return Order{}, err
	}

	if !in.Prepaid {
		if err := checkDailyCap(tx, in.UserID, in.Cap, in.AmountPaise); err != nil {
			return Order{}, err
		}
	}
	if !in.Prepaid && wallet.BalancePaise < in.AmountPaise {
		return Order{}, &InsufficientFundsError{BalancePaise: wallet.BalancePaise, NeededPaise: in.AmountPaise}
	}

	order, err := s.insertOrder(tx, in)
	if err != nil {
		return Order{}, err
	}

	if !in.Prepaid {
		_, err := s.applyChange(tx, WalletChange{
			UserID: in.UserID, AmountPaise: -in.AmountPaise, Kind: LedgerOrder,
			RefKey: "order:" + strconv.FormatInt(order.ID, 10), OrderID: order.ID,
			Note: in.Kind + " " + in.OperatorName,
		})
		if err != nil {
			return Order{}, err
		}
	}

	if err := s.appendEvent(tx, order.ID, "", StatusSending, "placed"); err != nil {
		return Order{}, err
	}
	return order, nil
}

// insertOrder inserts the order under a fresh random id. Each insert runs in a savepoint, so
// that a collision (which aborts a PostgreSQL transaction) can be retried with another id.
func (s *Store) insertOrder(tx *gorm.DB, in NewOrder) (Order, error) {
	now := dbTime(s.Now())
	due := now.Add(SendingGrace)

	for range maxIDAttempts {
		id, err := newOrderID(now)
		if err != nil {
			return Order{}, err
		}
		order := Order{
			ID: id, UserID: in.UserID, Kind: in.Kind, Number: in.Number, OperatorID: in.OperatorID,
			OperatorName: in.OperatorName, CircleCode: in.CircleCode, AmountPaise: in.AmountPaise,
			Plan: in.Plan, Status: StatusSending, CheckoutToken: in.CheckoutToken,
			NextCheckAt: &due, ChatChannel: in.ChatChannel, ChatID: in.ChatID,
			BulkRunID: in.BulkRunID, BulkLine: in.BulkLine, CreatedAt: now, UpdatedAt: now,
		}
		err = tx.Transaction(func(sp *gorm.DB) error { return sp.Create(&order).Error })
		if err == nil {
			return order, nil
		}
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			return Order{}, err
		}
		var taken int64
		if err := tx.Model(&Order{}).Where("checkout_token = ?", in.CheckoutToken).Count(&taken).Error; err != nil {
			return Order{}, err
		}
		if taken > 0 {
			// Only another user's order can get here, because the wallet lock orders this
			// user's checkouts. Its details are not this caller's to see.
			return Order{}, fmt.Errorf("insert order: checkout token used by another user")
		}
	}
	return Order{}, fmt.Errorf("insert order: no free id after %d attempts", maxIDAttempts)
}

// india is the zone of the date prefix of order ids. A fixed offset, because India has no
// daylight saving time and the binary may run without a zone database.
var india = time.FixedZone("IST", 5*3600+1800)

var orderIDSuffixes = big.NewInt(100_000_000)

// newOrderID returns YYMMDD of now in India time followed by 8 random digits.
func newOrderID(now time.Time) (int64, error) {
	n, err := rand.Int(rand.Reader, orderIDSuffixes)
	if err != nil {
		return 0, fmt.Errorf("generate order id: %w", err)
	}
	date, err := strconv.ParseInt(now.In(india).Format("060102"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("generate order id: %w", err)
	}
	return date*100_000_000 + n.Int64(), nil
}

// NoteCheck records a status check that did not settle the order: the number of checks so far
// and when to check next. It releases the resolver's lease.
func (s *Store) NoteCheck(ctx context.Context, orderID int64, checks int, next time.Time) error {
	next = dbTime(next)
	result := s.DB(ctx).Model(&Order{}).Where("id = ?", orderID).Updates(map[string]any{
		"checks": checks, "next_check_at": next, "lease_until": nil, "updated_at": dbTime(s.Now()),
	})
	if result.Error != nil {
		return fmt.Errorf("note check of order %d: %w", orderID, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("note check of order %d: %w", orderID, ErrNotFound)
	}
	return nil
}

// ClaimDueOrders leases up to limit open orders (sending, pending, unknown, stuck) whose
// NextCheckAt is at or before now and whose lease has expired, oldest check first, until
// now+lease. A leased order is not returned to another claimer until the lease runs out or
// NoteCheck or RecordOutcome releases it. On PostgreSQL rows locked by a concurrent claim are
// skipped, so two processes never claim the same order.
func (s *Store) ClaimDueOrders(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Order, error) {
	return s.ClaimOrdersDueBy(ctx, now, now, limit, lease)
}

// GetOrder returns the order with id, or ErrNotFound.
func (s *Store) GetOrder(ctx context.Context, id int64) (Order, error) {
	var order Order
	if err := s.DB(ctx).Take(&order, id).Error; err != nil {
		return Order{}, fmt.Errorf("get order %d: %w", id, notFound(err))
	}
	return order, nil
}

// UserOrders returns a page of the user's orders, newest first.
func (s *Store) UserOrders(ctx context.Context, userID int64, limit, offset int) ([]Order, error) {
	var orders []Order
	err := s.DB(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").
		Limit(limit).Offset(offset).Find(&orders).Error
	if err != nil {
		return nil, fmt.Errorf("list orders of user %d: %w", userID, err)
	}
	return orders, nil
}

// OrdersByStatus returns up to limit orders in any of statuses, oldest first.
func (s *Store) OrdersByStatus(ctx context.Context, statuses []OrderStatus, limit int) ([]Order, error) {
	var orders []Order
	err := s.DB(ctx).Where("status IN ?", statuses).Order("created_at, id").Limit(limit).Find(&orders).Error
	if err != nil {
		return nil, fmt.Errorf("list orders by status: %w", err)
	}
	return orders, nil
}

// RecentSuccess returns the user's latest successful order for number and amount placed at or
// after since, or ErrNotFound. The chat uses it to warn about an accidental repeat.
func (s *Store) RecentSuccess(ctx context.Context, userID int64, number string, amountPaise int64, since time.Time) (Order, error) {
	var order Order
	err := s.DB(ctx).
		Where("user_id = ? AND number = ? AND amount_paise = ? AND status = ? AND created_at >= ?",
			userID, number, amountPaise, StatusSuccess, dbTime(since)).
		Order("created_at DESC, id DESC").Take(&order).Error
	if err != nil {
		return Order{}, fmt.Errorf("find recent success of user %d: %w", userID, notFound(err))
	}
	return order, nil
}

// LastOrder returns the user's latest order, or ErrNotFound.
func (s *Store) LastOrder(ctx context.Context, userID int64) (Order, error) {
	var order Order
	err := s.DB(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Take(&order).Error
	if err != nil {
		return Order{}, fmt.Errorf("find last order of user %d: %w", userID, notFound(err))
	}
	return order, nil
}

// OrderStats counts the orders placed since a time.
type OrderStats struct {
	Total    int
	ByStatus map[OrderStatus]int
	// SuccessPaise is the amount of the orders now in StatusSuccess.
	SuccessPaise int64
}

// OrderStats counts the orders placed at or after since, by current status.
func (s *Store) OrderStats(ctx context.Context, since time.Time) (OrderStats, error) {
	var rows []struct {
		Status OrderStatus
		Count  int
		Amount int64
	}
	err := s.DB(ctx).Model(&Order{}).
		Select("status, COUNT(*) AS count, COALESCE(SUM(amount_paise), 0) AS amount").
		Where("created_at >= ?", dbTime(since)).Group("status").Scan(&rows).Error
	if err != nil {
		return OrderStats{}, fmt.Errorf("count orders: %w", err)
	}

	stats := OrderStats{ByStatus: make(map[OrderStatus]int, len(rows))}
	for _, row := range rows {
		stats.Total += row.Count
		stats.ByStatus[row.Status] = row.Count
		if row.Status == StatusSuccess {
			stats.SuccessPaise = row.Amount
		}
	}
	return stats, nil
}
