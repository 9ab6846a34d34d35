package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mau.fi/whatsmeow/store/sqlstore"
)

// The dialects OpenStore accepts, as whatsmeow's sqlstore names them.
const (
	DialectPostgres = "postgres"
	// DialectSQLite is for an SQLite database opened with foreign keys on; whatsmeow's
	// schema upgrade refuses to run without them.
	DialectSQLite = "sqlite3"
)

// chatsTable lists the phone numbers that have written to the bot. The bot sends only to them,
// because messaging strangers from an unofficial client gets the number banned.
const chatsTable = "rechargebot_whatsapp_chats"

// Store is the WhatsApp state kept in the product's database: whatsmeow's device session
// tables (named whatsmeow_*) and the table of numbers that have written to the bot.
type Store struct {
	// Container holds the linked device. Never call its Close method: it would close the
	// product's connection pool, which the caller owns.
	Container *sqlstore.Container

	db  *sql.DB
	log *slog.Logger

	mu      sync.Mutex
	written map[string]bool // positive cache of hasWritten
}

// OpenStore creates or upgrades the WhatsApp tables in db and returns the store over them.
// dialect is DialectPostgres or DialectSQLite. The caller keeps ownership of db.
func OpenStore(ctx context.Context, db *sql.DB, dialect string, logger *slog.Logger) (*Store, error) {
	if dialect != DialectPostgres && dialect != DialectSQLite {
		return nil, fmt.Errorf("open whatsapp store: dialect %q is invalid: use %q or %q", dialect, DialectPostgres, DialectSQLite)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	container := sqlstore.NewWithDB(db, dialect, newWALogger(logger, "store"))
	if err := container.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("open whatsapp store: upgrade whatsmeow tables: %w", err)
	}

	const createChats = `CREATE TABLE IF NOT EXISTS ` + chatsTable + ` (
		phone            TEXT PRIMARY KEY,
		first_message_at BIGINT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, createChats); err != nil {
		return nil, fmt.Errorf("open whatsapp store: create %s: %w", chatsTable, err)
	}

	return &Store{Container: container, db: db, log: logger, written: map[string]bool{}}, nil
}

// rememberWriter records that phone has written to the bot. at is stored in Unix seconds.
func (s *Store) rememberWriter(ctx context.Context, phone string, at time.Time) error {
	s.mu.Lock()
	known := s.written[phone]
	s.mu.Unlock()
	if known {
		return nil
	}

	const insert = `INSERT INTO ` + chatsTable + ` (phone, first_message_at) VALUES ($1, $2)
		ON CONFLICT (phone) DO NOTHING`
	if _, err := s.db.ExecContext(ctx, insert, phone, at.Unix()); err != nil {
		return fmt.Errorf("remember whatsapp chat %s: %w", maskPhone(phone), err)
	}

	s.mu.Lock()
	s.written[phone] = true
	s.mu.Unlock()
	return nil
}

// hasWritten reports whether phone has ever written to the bot, in this process or before.
func (s *Store) hasWritten(ctx context.Context, phone string) (bool, error) {
	s.mu.Lock()
	known := s.written[phone]
	s.mu.Unlock()
	if known {
		return true, nil
	}

	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM `+chatsTable+` WHERE phone = $1`, phone).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up whatsapp chat %s: %w", maskPhone(phone), err)
	}

	s.mu.Lock()
	s.written[phone] = true
	s.mu.Unlock()
	return true, nil
}
