package models

import (
	"context"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"sync"
)

// keyLocks holds the per-process locks of LockKey. The zero value is ready to use.
type keyLocks struct {
	mu   sync.Mutex
	held map[string]*keyLock
}

// keyLock is a mutex that a waiter can give up on: the channel holds a token while free.
type keyLock struct {
	token   chan struct{}
	waiters int
}

// acquire takes the lock of key, or returns ctx's error if ctx ends first.
func (l *keyLocks) acquire(ctx context.Context, key string) (release func(), err error) {
	l.mu.Lock()
	if l.held == nil {
		l.held = make(map[string]*keyLock)
	}
	lock, ok := l.held[key]
	if !ok {
		lock = &keyLock{token: make(chan struct{}, 1)}
		lock.token <- struct{}{}
		l.held[key] = lock
	}
	lock.waiters++
	l.mu.Unlock()

	// forget drops the entry once no goroutine holds or waits for it, so the map stays small.
	forget := func() {
		l.mu.Lock()
		lock.waiters--
		if lock.waiters == 0 {
			delete(l.held, key)
		}
		l.mu.Unlock()
	}

	select {
	case <-lock.token:
		return func() {
			lock.token <- struct{}{}
			forget()
		}, nil
	case <-ctx.Done():
		forget()
		return nil, ctx.Err()
	}
}

// LockKey serialises work on key, such as the messages of one user, until unlock is called.
// Within the process it takes a mutex per key. On PostgreSQL it then also holds a session-level
// advisory lock on a dedicated connection, so the same key is locked across processes. Two
// Stores in one process therefore exclude each other only on PostgreSQL. Waiting ends with
// ctx's error when ctx ends. unlock must be called exactly once.
func (s *Store) LockKey(ctx context.Context, key string) (unlock func(), err error) {
	release, err := s.locks.acquire(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("lock key: %w", err)
	}
	if s.dialect != Postgres {
		return release, nil
	}

	unlockDB, err := s.advisoryLock(ctx, advisoryKey(key))
	if err != nil {
		release()
		return nil, fmt.Errorf("lock key: %w", err)
	}
	return func() {
		unlockDB()
		release()
	}, nil
}

// advisoryLock takes pg_advisory_lock(id) on a connection reserved for it. The lock belongs to
// that connection's session, so unlocking must use the same connection. Closing the
// connection after the unlock returns it to the pool.
func (s *Store) advisoryLock(ctx context.Context, id int64) (unlock func(), err error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("reserve connection: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", id); err != nil {
		conn.Close()
		return nil, fmt.Errorf("take advisory lock: %w", err)
	}

	return func() {
		// A fresh context, because the caller's may have ended and the unlock must still happen.
		_, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", id)
		if err != nil {
			// The lock dies with the session: discard the connection instead of pooling it.
			s.log.Warn("Advisory unlock failed, closing the connection", "error", err)
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// advisoryKey maps a lock name to PostgreSQL's 64-bit advisory lock id. Two names with the same
// hash only serialise each other, which is harmless.
func advisoryKey(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte("rechargebot/lock:" + key))
	return int64(h.Sum64())
}
