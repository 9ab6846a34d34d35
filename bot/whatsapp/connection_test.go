package whatsapp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

// runInBackground starts Run and returns a channel with its result.
func runInBackground(ctx context.Context, a *Adapter) <-chan error {
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return done
}

func waitResult(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestRunReconnectsWithBackoff(t *testing.T) {
	h := newHarness(t, Config{})
	connected := make(chan int, 10)
	h.client.ConnectErrs = []error{errBoom, errBoom}
	h.client.OnConnect = func(n int) {
		h.a.HandleEvent(&events.Connected{})
		connected <- n
	}

	done := runInBackground(context.Background(), h.a)

	if n := <-connected; n != 3 {
		t.Fatalf("first successful connect was attempt %d, want 3", n)
	}
	h.a.HandleEvent(&events.Disconnected{})
	if n := <-connected; n != 4 {
		t.Fatalf("reconnect was attempt %d, want 4", n)
	}
	h.a.HandleEvent(&events.LoggedOut{})
	if err := waitResult(t, done); !errors.Is(err, ErrStopped) {
		t.Fatalf("Run = %v, want ErrStopped", err)
	}

	// Two failures back off about 2s then 4s; the login resets it, so the drop waits 2s again.
	sleeps := h.clock.Sleeps()
	wantAbout := []time.Duration{2 * time.Second, 4 * time.Second, 2 * time.Second}
	if len(sleeps) != len(wantAbout) {
		t.Fatalf("sleeps = %v, want about %v", sleeps, wantAbout)
	}
	for i, want := range wantAbout {
		if sleeps[i] < want*9/10 || sleeps[i] > want*11/10 {
			t.Errorf("sleep %d = %v, want %v ± 10%%", i, sleeps[i], want)
		}
	}
}

func TestRunBackoffIsCapped(t *testing.T) {
	h := newHarness(t, Config{})
	for range 20 {
		h.client.ConnectErrs = append(h.client.ConnectErrs, errBoom)
	}
	h.client.OnConnect = func(int) { h.a.HandleEvent(&events.ClientOutdated{}) }

	err := waitResult(t, runInBackground(context.Background(), h.a))

	if !errors.Is(err, ErrStopped) {
		t.Fatalf("Run = %v, want ErrStopped", err)
	}
	sleeps := h.clock.Sleeps()
	if len(sleeps) != 20 {
		t.Fatalf("slept %d times, want 20", len(sleeps))
	}
	for i, d := range sleeps {
		if d > reconnectMax*11/10 {
			t.Errorf("sleep %d = %v, above the cap of %v", i, d, reconnectMax)
		}
	}
	if last := sleeps[len(sleeps)-1]; last < reconnectMax*9/10 {
		t.Errorf("last sleep = %v, want it at the cap of %v", last, reconnectMax)
	}
}

func TestRunStopsOnSessionEnd(t *testing.T) {
	cases := map[string]struct {
		event     any
		wantAlert string
	}{
		"logged out":      {&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, "rechargebot whatsapp-login"},
		"stream replaced": {&events.StreamReplaced{}, "only one rechargebot instance"},
		"client outdated": {&events.ClientOutdated{}, "newer go.mau.fi/whatsmeow"},
		"temporary ban": {
			&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 90 * time.Minute},
			"The ban ends in 1h30m0s. Lower WHATSAPP_MESSAGES_PER_MINUTE",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))
			h.client.OnConnect = func(int) { h.a.HandleEvent(tc.event) }

			err := waitResult(t, runInBackground(context.Background(), h.a))

			if !errors.Is(err, ErrStopped) {
				t.Fatalf("Run = %v, want ErrStopped", err)
			}
			if h.client.Connects() != 1 {
				t.Errorf("connected %d times, want 1: a stopped channel must not retry", h.client.Connects())
			}
			if len(*h.alerts) != 1 || !strings.Contains((*h.alerts)[0], tc.wantAlert) {
				t.Errorf("alerts = %q, want one containing %q", *h.alerts, tc.wantAlert)
			}

			handled := len(h.handler.Got())
			h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "after the stop"))
			if len(h.handler.Got()) != handled {
				t.Error("a message after the stop reached the handler")
			}
			if _, err := h.a.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{Text: "x"}); !errors.Is(err, ErrStopped) {
				t.Errorf("Send after the stop = %v, want ErrStopped", err)
			}
		})
	}
}

func TestRunRetriesUnknownConnectFailure(t *testing.T) {
	h := newHarness(t, Config{})
	h.client.OnConnect = func(n int) {
		if n == 1 {
			h.a.HandleEvent(&events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable})
			return
		}
		h.a.HandleEvent(&events.StreamReplaced{})
	}

	err := waitResult(t, runInBackground(context.Background(), h.a))

	if !errors.Is(err, ErrStopped) {
		t.Fatalf("Run = %v, want ErrStopped", err)
	}
	if h.client.Connects() != 2 {
		t.Errorf("connected %d times, want 2", h.client.Connects())
	}
}

func TestRunEndsWithContext(t *testing.T) {
	h := newHarness(t, Config{})
	connected := make(chan int, 1)
	h.client.OnConnect = func(n int) { connected <- n }
	ctx, cancel := context.WithCancel(context.Background())

	done := runInBackground(ctx, h.a)
	<-connected
	cancel()

	if err := waitResult(t, done); err != nil {
		t.Errorf("Run = %v, want nil after the context ends", err)
	}
	if h.client.Disconnects() == 0 {
		t.Error("Run returned without disconnecting")
	}
}
