package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Wallet is a user's prepaid balance. BalancePaise always equals the sum of the user's ledger
// entries and is never negative, because only applyChange writes it.
type Wallet struct {
	UserID       int64 `gorm:"primaryKey;autoIncrement:false"`
	BalancePaise int64 `gorm:"not null;default:0"`
	UpdatedAt    time.Time
}

// LedgerKind is the reason for a balance change.
type LedgerKind string

// The ledger kinds.
const (
	// LedgerCredit is money an admin added.
	LedgerCredit LedgerKind = "credit"
	// LedgerDebit is money an admin took away.
	LedgerDebit LedgerKind = "debit"
	// LedgerOrder is the payment for one order, written by PlaceOrder.
	LedgerOrder LedgerKind = "order"
	// LedgerRefund returns the payment of a failed or refunded order, written by RecordOutcome.
	LedgerRefund LedgerKind = "refund"
	// LedgerBulkHold reserves the total of an agent's bulk run before its orders are placed.
	LedgerBulkHold LedgerKind = "bulk_hold"
	// LedgerBulkRelease returns the unused part of a bulk hold.
	LedgerBulkRelease LedgerKind = "bulk_release"
)

func (k LedgerKind) valid() bool {
	switch k {
	case LedgerCredit, LedgerDebit, LedgerOrder, LedgerRefund, LedgerBulkHold, LedgerBulkRelease:
		return true
	}
	return false
}

// LedgerEntry is one change of a wallet balance. Entries are only ever appended.
type LedgerEntry struct {
	ID     int64 `gorm:"primaryKey"`
	UserID int64 `gorm:"not null;index"`
	// AmountPaise is positive for money in, negative for money out.
	AmountPaise       int64      `gorm:"not null"`
	BalanceAfterPaise int64      `gorm:"not null"`
	Kind              LedgerKind `gorm:"size:16;not null"`
	OrderID           *int64     `gorm:"index"`
	ActorUserID       *int64
	Note              string `gorm:"type:text;not null;default:''"`
	// RefKey makes an entry idempotent: a second entry with the same key is never written.
	RefKey    *string `gorm:"size:128;uniqueIndex"`
	CreatedAt time.Time
}

func init() { register(&Wallet{}, &LedgerEntry{}) }

// Errors of wallet changes.
var (
	ErrInsufficientFunds = errors.New("insufficient funds")
	// ErrDuplicateRef reports a wallet change whose RefKey was already applied.
	ErrDuplicateRef  = errors.New("ledger entry already exists")
	ErrInvalidAmount = errors.New("invalid amount")
)

// InsufficientFundsError reports a debit larger than the balance. It matches ErrInsufficientFunds.
type InsufficientFundsError struct {
	BalancePaise int64
	NeededPaise  int64
}

func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("insufficient funds: balance %d paise, needed %d paise", e.BalancePaise, e.NeededPaise)
}

// Is makes errors.Is(err, ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// MissingPaise returns how much the user has to add before the debit can go through.
func (e *InsufficientFundsError) MissingPaise() int64 { return e.NeededPaise - e.BalancePaise }

// WalletChange is one balance change requested through AdjustWallet.
type WalletChange struct {
	UserID int64
	// AmountPaise is signed: positive credits, negative debits. Zero is invalid.
	AmountPaise int64
	Kind        LedgerKind
	Note        string
	// ActorUserID is the admin or agent who caused the change, or 0 for none.
	ActorUserID int64
	// RefKey, when set, makes the change idempotent: a second change with the same key returns
	// the first entry and ErrDuplicateRef.
	RefKey string
	// OrderID links the entry to an order, or is 0 for none.
	OrderID int64
}

// AdjustWallet applies one balance change and its ledger entry in one transaction. A debit
// beyond the balance returns *InsufficientFundsError and changes nothing. A repeated RefKey
// returns the existing entry and ErrDuplicateRef. An unknown user returns ErrNotFound.
func (s *Store) AdjustWallet(ctx context.Context, change WalletChange) (LedgerEntry, error) {
	if change.AmountPaise == 0 {
		return LedgerEntry{}, fmt.Errorf("adjust wallet of user %d: %w: zero amount", change.UserID, ErrInvalidAmount)
	}
	if !change.Kind.valid() {
		return LedgerEntry{}, fmt.Errorf("adjust wallet of user %d: invalid kind %q", change.UserID, change.Kind)
	}

	var entry LedgerEntry
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		entry, err = s.applyChange(tx, change)
		return err
	})
	if err != nil {
		return entry, fmt.Errorf("adjust wallet of user %d: %w", change.UserID, err)
	}
	return entry, nil
}

// applyChange locks the wallet, checks the balance and writes the new balance and the ledger
// entry inside tx. Callers run it in the transaction of the change's cause.
func (s *Store) applyChange(tx *gorm.DB, change WalletChange) (LedgerEntry, error) {
	wallet, err := s.lockWallet(tx, change.UserID)
	if err != nil {
		return LedgerEntry{}, err
	}

	if change.RefKey != "" {
		var existing LedgerEntry
		err := tx.Where("ref_key = ?", change.RefKey).Take(&existing).Error
		if err == nil {
			return existing, ErrDuplicateRef
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return LedgerEntry{}, err
		}
	}

	after := wallet.BalancePaise + change.AmountPaise
	if after < 0 {
		return LedgerEntry{}, &InsufficientFundsError{BalancePaise: wallet.BalancePaise, NeededPaise: -change.AmountPaise}
	}

	now := dbTime(s.Now())
	err = tx.Model(&Wallet{}).Where("user_id = ?", change.UserID).
		Updates(map[string]any{"balance_paise": after, "updated_at": now}).Error
	if err != nil {
		return LedgerEntry{}, err
	}

	entry := LedgerEntry{
		UserID: change.UserID, AmountPaise: change.AmountPaise, BalanceAfterPaise: after,
		Kind: change.Kind, Note: change.Note, CreatedAt: now,
		OrderID: optionalID(change.OrderID), ActorUserID: optionalID(change.ActorUserID),
	}
	if change.RefKey != "" {
		entry.RefKey = &change.RefKey
	}
	if err := tx.Create(&entry).Error; err != nil {
		return LedgerEntry{}, err
	}
	return entry, nil
}

// lockWallet reads the wallet row for update. On PostgreSQL the row lock makes concurrent
// changes of one wallet wait for each other. On SQLite the immediate transaction on the single
// connection already excludes every other writer.
func (s *Store) lockWallet(tx *gorm.DB, userID int64) (Wallet, error) {
	var wallet Wallet
	err := s.lockRows(tx).Where("user_id = ?", userID).Take(&wallet).Error
	if err != nil {
		return Wallet{}, fmt.Errorf("lock wallet: %w", notFound(err))
	}
	return wallet, nil
}

// lockRows adds FOR UPDATE on PostgreSQL. SQLite has no row locks and needs none here.
func (s *Store) lockRows(tx *gorm.DB) *gorm.DB {
	if s.dialect == Postgres {
		return tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return tx
}

// lockRowsSkipLocked adds FOR UPDATE SKIP LOCKED on PostgreSQL, so that concurrent claimers
// pass over each other's rows instead of waiting for them.
func (s *Store) lockRowsSkipLocked(tx *gorm.DB) *gorm.DB {
	if s.dialect == Postgres {
		return tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
	}
	return tx
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Balance returns the user's wallet balance in paise, or ErrNotFound.
func (s *Store) Balance(ctx context.Context, userID int64) (int64, error) {
	var wallet Wallet
	if err := s.DB(ctx).Where("user_id = ?", userID).Take(&wallet).Error; err != nil {
		return 0, fmt.Errorf("read balance of user %d: %w", userID, notFound(err))
	}
	return wallet.BalancePaise, nil
}

// LedgerSum returns the sum of the user's ledger entries in paise, which must equal Balance.
func (s *Store) LedgerSum(ctx context.Context, userID int64) (int64, error) {
	var sum int64
	err := s.DB(ctx).Model(&LedgerEntry{}).Where("user_id = ?", userID).
		Select("COALESCE(SUM(amount_paise), 0)").Scan(&sum).Error
	if err != nil {
		return 0, fmt.Errorf("sum ledger of user %d: %w", userID, err)
	}
	return sum, nil
}

// Ledger returns the user's latest entries, newest first. A limit <= 0 means 50.
func (s *Store) Ledger(ctx context.Context, userID int64, limit int) ([]LedgerEntry, error) {
	if limit <= 0 {
		limit = 50
	}
	var entries []LedgerEntry
	err := s.DB(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&entries).Error
	if err != nil {
		return nil, fmt.Errorf("list ledger of user %d: %w", userID, err)
	}
	return entries, nil
}
