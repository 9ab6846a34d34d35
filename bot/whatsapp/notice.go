package whatsapp

import (
	"sync"
	"time"
)

// Texts the adapter sends by itself, without the engine.
const (
	noticeUndecryptable = "Sorry, I could not read your last message. Please send it again."
	noticeBacklog       = "Sorry, I was offline when you sent your last message. Please send it again."
	noticeUnsupported   = "I can read text messages and documents only. Please type your request."
	noticeDownload      = "Sorry, I could not download that file. Please send it again."
	noticeHandlerFailed = "Sorry, something went wrong on our side. Please try again in a minute."
)

// noticeLimiter lets one notice of a kind through per chat per interval, so that a burst of
// unreadable or stale messages gets one reply, not one each.
type noticeLimiter struct {
	interval time.Duration

	mu   sync.Mutex
	last map[string]time.Time
}

func newNoticeLimiter(interval time.Duration) *noticeLimiter {
	return &noticeLimiter{interval: interval, last: map[string]time.Time{}}
}

// allow reports whether the notice named key may be sent at now, and if so books it.
func (l *noticeLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	if last, ok := l.last[key]; ok && now.Sub(last) < l.interval {
		return false
	}
	l.last[key] = now
	if len(l.last) > maxNoticeKeys {
		l.forgetBefore(now.Add(-l.interval))
	}
	return true
}

// maxNoticeKeys bounds the limiter's memory; past it, expired entries are dropped.
const maxNoticeKeys = 10_000

func (l *noticeLimiter) forgetBefore(cutoff time.Time) {
	for key, last := range l.last {
		if last.Before(cutoff) {
			delete(l.last, key)
		}
	}
}
