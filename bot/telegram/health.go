package telegram

import (
	"errors"
	"fmt"
	"time"
)

var (
	errNotStarted = errors.New("telegram: not started")
	errStopped    = errors.New("telegram: stopped")
)

// health is the adapter's state for health checks: up while Run takes updates, err set while
// getUpdates keeps failing.
type health struct {
	up    bool
	err   error
	since time.Time
}

// Healthy returns nil while the bot takes updates and its last getUpdates call succeeded, and
// otherwise an error saying what is wrong.
func (a *Adapter) Healthy() error {
	a.mu.Lock()
	defer a.mu.Unlock()

	h := a.health
	switch {
	case h.up && h.err == nil:
		return nil
	case h.up:
		return fmt.Errorf("telegram: getUpdates failing since %s: %w", h.since.UTC().Format(time.RFC3339), h.err)
	case h.err != nil:
		return h.err
	default:
		return errNotStarted
	}
}

// setHealth records the outcome of a getUpdates call or of startup; nil clears an earlier error.
func (a *Adapter) setHealth(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()

	if err == nil {
		a.health.err = nil
		return
	}
	if a.health.err == nil {
		a.health.since = a.now()
	}
	a.health.err = err
}
