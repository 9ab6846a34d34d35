package bottest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestClockSleepMovesTime(t *testing.T) {
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	c := NewClock(start)

	if err := c.Sleep(context.Background(), 3*time.Second); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	c.Advance(time.Minute)
	if got := c.Now(); !got.Equal(start.Add(time.Minute + 3*time.Second)) {
		t.Errorf("Now = %v, want 1m3s after the start", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context = %v, want context.Canceled", err)
	}
	if got := c.Sleeps(); !slices.Equal(got, []time.Duration{3 * time.Second}) {
		t.Errorf("Sleeps = %v, want only the 3s sleep", got)
	}
}
