// Package models owns everything the service persists: the KwikAPI catalog, users and their
// chat identities, wallets and ledger entries, orders and their events, conversation sessions,
// cached plans, daily API call counts and the outbox. It runs on PostgreSQL or on an embedded
// SQLite file through GORM, and never calls HTTP.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a Store.
type Dialect string

// The supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// SQLiteFile is the name of the embedded database file inside the data directory.
const SQLiteFile = "rechargebot.db"

// Common errors of the store.
var (
	ErrNotFound = errors.New("not found")
)

// Options configure Open.
type Options struct {
	// DatabaseURL selects PostgreSQL when set (a postgres:// URL or a key=value DSN).
	DatabaseURL string
	// DataDir holds the SQLite file when DatabaseURL is empty; empty means the working directory.
	DataDir string
	// MaxConns caps the PostgreSQL connection pool; zero means DefaultMaxConns. SQLite always
	// uses one connection.
	MaxConns int
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultMaxConns is the PostgreSQL pool size when Options.MaxConns is zero. The engine handles
// 16 messages at once by default, each holding a lock connection and using one more for its
// queries, and the scheduler and bulk runs need a few besides.
const DefaultMaxConns = 40

// Store is the persistence layer. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	now     func() time.Time
	log     *slog.Logger
	// locks are the per-process key locks of LockKey.
	locks keyLocks
}

// Open connects to PostgreSQL when opts.DatabaseURL is set, otherwise to the SQLite file
// DataDir/rechargebot.db (created if missing, WAL journal, foreign keys on, busy timeout), and
// migrates the schema.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	s := &Store{now: opts.Now, log: opts.Logger}
	var err error
	if opts.DatabaseURL != "" {
		s.dialect = Postgres
		s.db, err = openPostgres(opts.DatabaseURL, opts.MaxConns)
	} else {
		s.dialect = SQLite
		s.db, err = openSQLite(opts.DataDir)
	}
	if err != nil {
		return nil, err
	}

	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newGormConfig returns a fresh configuration for each gorm.Open, because gorm.Open stores the
// connection pool, the dialect's callbacks and its clause builders in the *gorm.Config it is
// given. A shared one would let a later SQLite store drop FOR UPDATE from an earlier
// PostgreSQL store's queries, or swap its connection pool.
func newGormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
}

func openPostgres(dsn string, maxConns int) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(dsn), newGormConfig())
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", redactDSN(err, dsn))
	}

	// An unbounded pool lets a burst of users exhaust the server's max_connections, which then
	// refuses every other process too.
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(min(maxConns, 10))
	return db, nil
}

func openSQLite(dir string) (*gorm.DB, error) {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: create data dir: %w", err)
	}

	path := filepath.Join(dir, SQLiteFile)
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), newGormConfig())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}

	// SQLite allows one writer at a time. One connection serialises every transaction in this
	// process, so a read-modify-write such as a wallet debit cannot interleave with another.
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(1)
	return db, nil
}

// redactDSN keeps a password in the connection string out of an error message.
func redactDSN(err error, dsn string) error {
	msg := err.Error()
	if dsn != "" && strings.Contains(msg, dsn) {
		msg = strings.ReplaceAll(msg, dsn, "[database url]")
	}
	return errors.New(msg)
}

// DB returns the GORM handle, bound to ctx.
func (s *Store) DB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// SQLDB returns the underlying database/sql pool, for libraries that keep their own tables
// (the WhatsApp device store).
func (s *Store) SQLDB() (*sql.DB, error) { return s.db.DB() }

// Dialect reports which engine the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// Now returns the store's clock reading in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// schema lists every persisted model. Each file that declares a model adds it in an init
// function, so that Migrate always covers the whole schema.
var schema []any

func register(models ...any) { schema = append(schema, models...) }

// migrateLock names the PostgreSQL advisory lock that serialises migrations.
const migrateLock = "migrate"

// Migrate creates or alters the tables of every model. It is idempotent and runs at Open.
// It runs in one transaction, so that processes starting together on an empty database take
// turns instead of creating the same table twice. On SQLite the transaction's write lock makes
// the others wait, and on PostgreSQL a transaction-scoped advisory lock does.
func (s *Store) Migrate(ctx context.Context) error {
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		if s.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", advisoryKey(migrateLock)).Error; err != nil {
				return fmt.Errorf("take migration lock: %w", err)
			}
		}
		return tx.AutoMigrate(schema...)
	})
	if err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}
