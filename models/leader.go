package models

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

// LeaderLeaseTTL is how long a leadership taken on SQLite outlives its holder, such as after a
// crash. While held, the lease is renewed every LeaderLeaseTTL/3. PostgreSQL needs no lease
// because the server drops an advisory lock with its connection.
const LeaderLeaseTTL = time.Minute

// leaderLockClass is the first key of every leader advisory lock. PostgreSQL keeps two-key
// locks apart from one-key ones, so leader locks never collide with the single bigint keys
// other code locks.
const leaderLockClass int32 = 0x52424c44

// LeaderLease is the SQLite stand-in for an advisory lock: one row per held leadership.
type LeaderLease struct {
	Name string `gorm:"primaryKey;size:64"`
	// Holder is a random token of the acquisition, so only its holder can release it.
	Holder    string `gorm:"size:32;not null;default:''"`
	ExpiresAt time.Time
}

func init() { register(&LeaderLease{}) }

// TryLeader makes the caller the only holder of the leadership called name among every
// process sharing the database, without waiting. ok is false when someone else holds it.
// When ok, the caller must call release once its job is done; release is safe to call twice.
//
// On PostgreSQL it takes pg_try_advisory_lock on a connection of its own, which the server
// also releases when that connection dies. On SQLite it inserts a lease row that a goroutine
// renews until release, and that expires LeaderLeaseTTL (by the store's clock) after a holder
// dies. Leadership is not reentrant: a second TryLeader with the same name fails even in the
// holding process.
func (s *Store) TryLeader(ctx context.Context, name string) (release func(), ok bool, err error) {
	if s.dialect == Postgres {
		return s.tryAdvisoryLeader(ctx, name)
	}
	return s.tryLeaseLeader(ctx, name)
}

func (s *Store) tryAdvisoryLeader(ctx context.Context, name string) (func(), bool, error) {
	pool, err := s.SQLDB()
	if err != nil {
		return nil, false, fmt.Errorf("take leadership %s: %w", name, err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("take leadership %s: open connection: %w", name, err)
	}

	key := leaderLockKey(name)
	var locked bool
	err = conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", leaderLockClass, key).Scan(&locked)
	if err != nil {
		discard(conn)
		return nil, false, fmt.Errorf("take leadership %s: %w", name, err)
	}
	if !locked {
		conn.Close()
		return nil, false, nil
	}

	var once sync.Once
	release := func() {
		once.Do(func() { s.unlockAdvisory(conn, name, key) })
	}
	return release, true, nil
}

// unlockAdvisory releases the lock and returns the connection to the pool. If the unlock
// fails the connection is closed instead, so that the server drops the lock with it.
func (s *Store) unlockAdvisory(conn *sql.Conn, name string, key int32) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var unlocked bool
	err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1, $2)", leaderLockClass, key).Scan(&unlocked)
	if err != nil || !unlocked {
		s.log.Warn("Leadership unlock failed; closing its connection", "leader", name, "error", err)
		discard(conn)
		return
	}
	conn.Close()
}

// discard closes conn's underlying connection instead of returning it to the pool.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

func leaderLockKey(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

func (s *Store) tryLeaseLeader(ctx context.Context, name string) (func(), bool, error) {
	holder := randomToken()
	now := s.Now()

	res := s.DB(ctx).Exec(`INSERT INTO leader_leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leader_leases.expires_at <= ?`, name, holder, now.Add(LeaderLeaseTTL), now)
	if res.Error != nil {
		return nil, false, fmt.Errorf("take leadership %s: %w", name, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, false, nil
	}

	stop := make(chan struct{})
	renewed := make(chan struct{})
	go s.renewLease(name, holder, stop, renewed)

	var once sync.Once
	release := func() {
		once.Do(func() {
			close(stop)
			<-renewed
			err := s.DB(context.Background()).
				Exec("DELETE FROM leader_leases WHERE name = ? AND holder = ?", name, holder).Error
			if err != nil {
				s.log.Warn("Leadership release failed; the lease expires by itself",
					"leader", name, "ttl", LeaderLeaseTTL, "error", err)
			}
		})
	}
	return release, true, nil
}

// renewLease pushes the expiry of the lease forward until stop closes, then closes done.
func (s *Store) renewLease(name, holder string, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ticker := time.NewTicker(LeaderLeaseTTL / 3)
	defer ticker.Stop()

	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		res := s.DB(context.Background()).Exec("UPDATE leader_leases SET expires_at = ? WHERE name = ? AND holder = ?",
			s.Now().Add(LeaderLeaseTTL), name, holder)
		switch {
		case res.Error != nil:
			s.log.Warn("Leadership renewal failed", "leader", name, "error", res.Error)
		case res.RowsAffected == 0:
			s.log.Error("Leadership lease lost to another process", "leader", name)
			return
		}
	}
}

func randomToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
