package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Send rates. Telegram Bot Support's answer "My bot is hitting limits"
// (telegra.ph/Hitting-limits-bot-FAQ) allows about 30 messages per second overall and about one
// message per second in one chat, with short bursts tolerated before 429 errors. The global
// rate stays a little under 30 for headroom; the chat burst lets a reply of a few messages go
// out at once.
const (
	globalRate  rate.Limit = 25
	globalBurst            = 5
	chatRate    rate.Limit = 1
	chatBurst              = 3

	// sweepChatsAt is the number of remembered chat limiters past which idle ones are dropped.
	sweepChatsAt = 4096
)

// limits spaces out sends: one shared limiter for the bot and one per chat. It waits through an
// injected clock and sleep, so tests do not wait in real time.
type limits struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	global *rate.Limiter
	mu     sync.Mutex
	chats  map[int64]*rate.Limiter
}

func newLimits(now func() time.Time, sleep func(context.Context, time.Duration) error) *limits {
	return &limits{
		now:    now,
		sleep:  sleep,
		global: rate.NewLimiter(globalRate, globalBurst),
		chats:  map[int64]*rate.Limiter{},
	}
}

// wait blocks until one more message may be sent to chat, or ctx ends.
func (l *limits) wait(ctx context.Context, chat int64) error {
	if err := l.reserve(ctx, l.chat(chat)); err != nil {
		return err
	}
	return l.reserve(ctx, l.global)
}

func (l *limits) reserve(ctx context.Context, lim *rate.Limiter) error {
	now := l.now()
	r := lim.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if delay <= 0 {
		return nil
	}
	if err := l.sleep(ctx, delay); err != nil {
		r.CancelAt(l.now())
		return err
	}
	return nil
}

// chat returns the limiter of one chat. When many chats are remembered it first drops the
// limiters that have refilled completely, since a fresh limiter behaves the same.
func (l *limits) chat(id int64) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()

	if lim, ok := l.chats[id]; ok {
		return lim
	}
	if len(l.chats) >= sweepChatsAt {
		now := l.now()
		for k, lim := range l.chats {
			if lim.TokensAt(now) >= chatBurst {
				delete(l.chats, k)
			}
		}
	}
	lim := rate.NewLimiter(chatRate, chatBurst)
	l.chats[id] = lim
	return lim
}
