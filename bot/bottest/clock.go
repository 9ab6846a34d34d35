// Package bottest holds test helpers shared by the chat adapters' fakes.
package bottest

import (
	"context"
	"sync"
	"time"
)

// Clock is a settable clock whose Sleep moves the time forward instead of waiting, so rate
// limits, retry_after waits and reconnect backoff take no real time. It is safe for
// concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock returns a clock set to start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep moves the clock forward by d and records d. It returns ctx's error, without moving
// the clock, when ctx has already ended. It yields for a millisecond of real time, so a loop
// that sleeps between retries does not spin a CPU.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	time.Sleep(time.Millisecond)
	return ctx.Err()
}

// Sleeps returns every duration passed to Sleep, in order.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
