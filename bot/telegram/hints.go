package telegram

import (
	"sync"
	"time"
)

const (
	// groupHintCooldown is how long a group waits for the next hint, so a busy group with the
	// bot in it is not flooded with the same line.
	groupHintCooldown = 10 * time.Minute
	// rememberedGroups bounds the memory of recent hints; past it the memory starts over.
	rememberedGroups = 1024
)

// hintCooldown remembers when each group last got the private-chat hint.
type hintCooldown struct {
	now  func() time.Time
	mu   sync.Mutex
	last map[int64]time.Time
}

func newHintCooldown(now func() time.Time) *hintCooldown {
	return &hintCooldown{now: now, last: map[int64]time.Time{}}
}

// allow reports whether chat may get a hint now, and if so records it.
func (h *hintCooldown) allow(chat int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()

	now := h.now()
	if last, ok := h.last[chat]; ok && now.Sub(last) < groupHintCooldown {
		return false
	}
	if len(h.last) >= rememberedGroups {
		clear(h.last)
	}
	h.last[chat] = now
	return true
}
