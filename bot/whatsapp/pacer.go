package whatsapp

import (
	"context"
	"sync"
	"time"
)

// pacer caps outgoing messages at limit in any window-long span (a sliding window), because
// WhatsApp bans numbers that send in bursts from unofficial clients.
type pacer struct {
	limit  int
	window time.Duration
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	sent []time.Time // send times inside the window, oldest first
}

func newPacer(limit int, window time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{limit: limit, window: window, now: now, sleep: sleep}
}

// wait blocks until one more message fits in the window and books it. It returns ctx's error
// if ctx ends first.
func (p *pacer) wait(ctx context.Context) error {
	for {
		delay := p.book()
		if delay <= 0 {
			return nil
		}
		if err := p.sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// book records a send now and returns 0 when the window has room, else how long until the
// oldest send leaves the window.
func (p *pacer) book() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()

	now := p.now()
	expired := 0
	for expired < len(p.sent) && !p.sent[expired].After(now.Add(-p.window)) {
		expired++
	}
	p.sent = p.sent[expired:]

	if len(p.sent) < p.limit {
		p.sent = append(p.sent, now)
		return 0
	}
	return p.sent[0].Add(p.window).Sub(now)
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
