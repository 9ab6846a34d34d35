package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
	"github.com/rechargebot/rechargebot/scheduler"
)

// deliveryClock is a frozen clock that tests move by hand.
type deliveryClock struct {
	mu  sync.Mutex
	now time.Time
}

func newDeliveryClock() *deliveryClock {
	return &deliveryClock{now: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)}
}

func (c *deliveryClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *deliveryClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// sentMessage is one successful send seen by a scriptedSender.
type sentMessage struct {
	To  bot.ChatID
	Out bot.Outbound
}

// scriptedSender is a bot.Sender whose sends fail with the queued errors, in order, and then
// succeed. It records every attempt and every successful send.
type scriptedSender struct {
	mu       sync.Mutex
	failures []error
	// fail, when set, decides the result of each send instead of failures.
	fail     func(to bot.ChatID) error
	attempts int
	sent     []sentMessage
	// delivered, when set, receives each successful send.
	delivered chan sentMessage
}

var _ bot.Sender = (*scriptedSender)(nil)

func (s *scriptedSender) Send(_ context.Context, to bot.ChatID, out bot.Outbound) (bot.MessageRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++

	var err error
	switch {
	case s.fail != nil:
		err = s.fail(to)
	case len(s.failures) > 0:
		err, s.failures = s.failures[0], s.failures[1:]
	}
	if err != nil {
		return "", err
	}

	msg := sentMessage{To: to, Out: out}
	s.sent = append(s.sent, msg)
	if s.delivered != nil {
		s.delivered <- msg
	}
	return bot.MessageRef(fmt.Sprint(len(s.sent))), nil
}

func (s *scriptedSender) counts() (attempts, sent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, len(s.sent)
}

// linearBackoff waits attempt×10 seconds, so that tests know when each retry is due.
func linearBackoff(attempt int) time.Duration { return time.Duration(attempt) * 10 * time.Second }

func deliverOnce(t *testing.T, d *scheduler.Deliverer) int {
	t.Helper()
	sent, err := d.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return sent
}

func enqueue(t *testing.T, s *models.Store, msgs ...models.OutboxMessage) {
	t.Helper()
	if err := s.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

func storedMessage(t *testing.T, s *models.Store) models.OutboxMessage {
	t.Helper()
	msgs, err := s.OutboxMessages(context.Background(), 1)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("OutboxMessages = %d messages, %v; want 1", len(msgs), err)
	}
	return msgs[0]
}

func telegramNotice(chatID, text string) models.OutboxMessage {
	return models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: chatID, Text: text}
}

func TestDeliverFailsTwiceThenSucceeds(t *testing.T) {
	clock := newDeliveryClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		sender := &scriptedSender{failures: []error{errors.New("connection reset"), errors.New("timeout")}}
		d := &scheduler.Deliverer{Store: s, Sender: sender, Now: clock.Now, Backoff: linearBackoff}
		enqueue(t, s, telegramNotice("1001", "Recharge of ₹199 done"))

		steps := []struct {
			advance      time.Duration
			wantAttempts int
			wantSent     int
		}{
			{0, 1, 0},                // first attempt fails
			{9 * time.Second, 1, 0},  // retry not due yet
			{time.Second, 2, 0},      // 10s after attempt 1: fails again
			{19 * time.Second, 2, 0}, // retry not due yet
			{time.Second, 3, 1},      // 20s after attempt 2: sent
			{24 * time.Hour, 3, 1},   // never sent again
		}
		for i, step := range steps {
			clock.Advance(step.advance)
			deliverOnce(t, d)
			attempts, sent := sender.counts()
			if attempts != step.wantAttempts || sent != step.wantSent {
				t.Errorf("step %d: %d attempts, %d sent; want %d, %d", i, attempts, sent, step.wantAttempts, step.wantSent)
			}
		}

		stored := storedMessage(t, s)
		if stored.SentAt == nil || stored.DeadAt != nil || stored.Attempts != 3 {
			t.Errorf("stored message: sent %v, dead %v, attempts %d; want sent on attempt 3", stored.SentAt, stored.DeadAt, stored.Attempts)
		}
		want := sentMessage{To: bot.ChatID{Channel: bot.Telegram, ID: "1001"}, Out: bot.Outbound{Text: "Recharge of ₹199 done"}}
		if diff := cmp.Diff(want, sender.sent[0]); diff != "" {
			t.Errorf("sent message (-want +got):\n%s", diff)
		}
	})
}

func TestDeliverUnreachableChat(t *testing.T) {
	clock := newDeliveryClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user, err := s.EnsureUser(ctx, models.ChannelTelegram, "1001", "1001", "")
		if err != nil {
			t.Fatalf("EnsureUser: %v", err)
		}
		sender := &scriptedSender{fail: func(bot.ChatID) error { return fmt.Errorf("telegram: bot was blocked: %w", bot.ErrUnreachable) }}
		d := &scheduler.Deliverer{Store: s, Sender: sender, Now: clock.Now, Backoff: linearBackoff}
		enqueue(t, s, telegramNotice("1001", "Recharge done"))

		deliverOnce(t, d)
		clock.Advance(24 * time.Hour)
		deliverOnce(t, d)

		if attempts, _ := sender.counts(); attempts != 1 {
			t.Errorf("%d attempts, want 1: an unreachable chat is not retried", attempts)
		}
		stored := storedMessage(t, s)
		if stored.DeadAt == nil || !strings.Contains(stored.LastError, "blocked") {
			t.Errorf("stored message: dead %v, last error %q; want dead with the reason", stored.DeadAt, stored.LastError)
		}
		identities, _ := s.Identities(ctx, user.ID)
		if len(identities) != 1 || !identities[0].Unreachable {
			t.Errorf("identities = %+v, want the chat marked unreachable", identities)
		}
	})
}

func TestDeliverGivesUpAfterMaxAttempts(t *testing.T) {
	clock := newDeliveryClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		sender := &scriptedSender{fail: func(bot.ChatID) error { return errors.New("502 bad gateway") }}
		d := &scheduler.Deliverer{Store: s, Sender: sender, Now: clock.Now, Backoff: linearBackoff, MaxAttempts: 3}
		enqueue(t, s, telegramNotice("1001", "Recharge done"))

		for range 10 {
			deliverOnce(t, d)
			clock.Advance(time.Hour)
		}

		if attempts, _ := sender.counts(); attempts != 3 {
			t.Errorf("%d attempts, want 3", attempts)
		}
		if stored := storedMessage(t, s); stored.DeadAt == nil || stored.LastError != "502 bad gateway" {
			t.Errorf("stored message: dead %v, last error %q", stored.DeadAt, stored.LastError)
		}
	})
}

func TestDeliverConvertsOptionsAndDocument(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		sender := &scriptedSender{}
		d := &scheduler.Deliverer{Store: s, Sender: sender}
		enqueue(t, s, models.OutboxMessage{
			Channel: models.ChannelWhatsApp, ChatID: "919876543210", Text: "Bulk run finished",
			Options:      `[{"label":"Download report","data":"bulk:7:report"},{"label":"Menu","data":"menu"}]`,
			DocumentName: "bulk-7.csv", DocumentData: []byte("number,amount\n"),
		})

		if sent := deliverOnce(t, d); sent != 1 {
			t.Fatalf("sent %d, want 1", sent)
		}

		want := sentMessage{
			To: bot.ChatID{Channel: bot.WhatsApp, ID: "919876543210"},
			Out: bot.Outbound{
				Text:     "Bulk run finished",
				Options:  []bot.Option{{Label: "Download report", Data: "bulk:7:report"}, {Label: "Menu", Data: "menu"}},
				Document: &bot.File{Name: "bulk-7.csv", MIME: "text/csv", Data: []byte("number,amount\n")},
			},
		}
		if diff := cmp.Diff(want, sender.sent[0]); diff != "" {
			t.Errorf("sent message (-want +got):\n%s", diff)
		}
	})
}

func TestDeliverMalformedOptionsIsDead(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		sender := &scriptedSender{}
		d := &scheduler.Deliverer{Store: s, Sender: sender}
		enqueue(t, s, models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "x", Options: `{"label":`})

		deliverOnce(t, d)

		if attempts, _ := sender.counts(); attempts != 0 {
			t.Errorf("%d send attempts, want 0", attempts)
		}
		if stored := storedMessage(t, s); stored.DeadAt == nil {
			t.Error("malformed message is not dead")
		}
	})
}

func TestDeliverLogsMaskPhoneNumbers(t *testing.T) {
	const phone = "919876543210"
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		sender := &scriptedSender{failures: []error{
			fmt.Errorf("send to %s: timeout", phone),
			fmt.Errorf("send to %s: %w", phone, bot.ErrUnreachable),
		}}
		d := &scheduler.Deliverer{Store: s, Sender: sender, Logger: logger, Backoff: func(int) time.Duration { return 0 }}
		enqueue(t, s, models.OutboxMessage{Channel: models.ChannelWhatsApp, ChatID: phone, Text: "Recharge done"})

		deliverOnce(t, d)
		deliverOnce(t, d)

		if strings.Contains(logs.String(), phone) {
			t.Errorf("logs contain the full phone number:\n%s", logs.String())
		}
		if !strings.Contains(logs.String(), "message_id=") || !strings.Contains(logs.String(), "3210") {
			t.Errorf("logs lack the message id or the masked chat:\n%s", logs.String())
		}
		if stored := storedMessage(t, s); strings.Contains(stored.LastError, phone) {
			t.Errorf("stored error contains the full phone number: %q", stored.LastError)
		}
	})
}

func TestDeliverOnlyOwnChannels(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		sender := &scriptedSender{}
		d := &scheduler.Deliverer{Store: s, Sender: sender, Channels: []bot.Channel{bot.Telegram}}
		enqueue(t, s,
			models.OutboxMessage{Channel: models.ChannelWhatsApp, ChatID: "919876543210", Text: "wa"},
			telegramNotice("1001", "tg"))

		deliverOnce(t, d)

		if len(sender.sent) != 1 || sender.sent[0].To.Channel != bot.Telegram {
			t.Errorf("sent %+v, want only the Telegram message", sender.sent)
		}
	})
}

// TestDeliverTwoProcessesSendOnce runs two deliverers on two stores over one database, as two
// processes would: every message must be sent exactly once.
func TestDeliverTwoProcessesSendOnce(t *testing.T) {
	modelstest.EachPair(t, nil, func(t *testing.T, stores [2]*models.Store) {
		const total = 60
		msgs := make([]models.OutboxMessage, total)
		for i := range msgs {
			msgs[i] = telegramNotice(fmt.Sprint(2000+i), fmt.Sprint("message ", i))
		}
		enqueue(t, stores[0], msgs...)

		sender := &scriptedSender{}
		var wg sync.WaitGroup
		for worker := range 4 {
			d := &scheduler.Deliverer{Store: stores[worker%2], Sender: sender, Batch: 3}
			wg.Go(func() {
				for {
					sent, err := d.DeliverDue(context.Background())
					if err != nil {
						t.Errorf("DeliverDue: %v", err)
						return
					}
					if sent == 0 {
						return
					}
				}
			})
		}
		wg.Wait()

		perChat := map[string]int{}
		for _, msg := range sender.sent {
			perChat[msg.To.ID]++
		}
		if len(perChat) != total {
			t.Errorf("%d messages delivered, want %d", len(perChat), total)
		}
		for chat, n := range perChat {
			if n != 1 {
				t.Errorf("message for chat %s sent %d times", chat, n)
			}
		}
	})
}

// TestDeliverAfterRestart stops a deliverer with work left (a failed send waiting for its retry
// and a message claimed by a process that then died) and delivers both from a new store and
// deliverer on the same database.
func TestDeliverAfterRestart(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			clock := newDeliveryClock()
			opts := engine.NewDatabase(t)
			opts.Now = clock.Now
			before := modelstest.Open(t, opts)
			enqueue(t, before, telegramNotice("1001", "retry me"))

			failing := &scriptedSender{fail: func(bot.ChatID) error { return errors.New("network down") }}
			first := &scheduler.Deliverer{Store: before, Sender: failing, Now: clock.Now, Backoff: linearBackoff}
			deliverOnce(t, first)

			enqueue(t, before, telegramNotice("1002", "claimed, then crashed"))
			if _, err := before.ClaimOutbox(context.Background(), clock.Now(), 10, scheduler.DefaultDeliverLease); err != nil {
				t.Fatalf("ClaimOutbox: %v", err)
			}
			before.Close()

			after := modelstest.Open(t, opts)
			sender := &scriptedSender{}
			second := &scheduler.Deliverer{Store: after, Sender: sender, Now: clock.Now, Backoff: linearBackoff}
			if sent := deliverOnce(t, second); sent != 0 {
				t.Errorf("sent %d before the retry and the lease were due, want 0", sent)
			}
			clock.Advance(scheduler.DefaultDeliverLease)
			if sent := deliverOnce(t, second); sent != 2 {
				t.Errorf("sent %d after restart, want 2", sent)
			}
			clock.Advance(24 * time.Hour)
			if sent := deliverOnce(t, second); sent != 0 {
				t.Errorf("sent %d more a day later, want 0", sent)
			}
		})
	}
}

func TestDeliverRunWakes(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		sender := &scriptedSender{delivered: make(chan sentMessage, 1)}
		// Every is long, so only Wake can make Run deliver the message enqueued below.
		d := &scheduler.Deliverer{Store: s, Sender: sender, Every: time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()

		enqueue(t, s, telegramNotice("1001", "woken"))
		d.Wake()

		select {
		case msg := <-sender.delivered:
			if msg.Out.Text != "woken" {
				t.Errorf("delivered %q, want woken", msg.Out.Text)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not deliver after Wake")
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v, want nil after cancel", err)
		}
	})
}

func TestExponentialBackoff(t *testing.T) {
	backoff := scheduler.ExponentialBackoff(10*time.Second, time.Minute)
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func TestDeliverStopReleasesRestOfBatch(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		// The first send succeeds and then the process begins to shut down.
		sender := &scriptedSender{fail: func(bot.ChatID) error { cancel(); return nil }}
		d := &scheduler.Deliverer{Store: s, Sender: sender}
		enqueue(t, s, telegramNotice("1001", "first"), telegramNotice("1002", "second"))

		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatalf("DeliverDue: %v", err)
		}
		if attempts, sent := sender.counts(); attempts != 1 || sent != 1 {
			t.Fatalf("%d attempts, %d sent during shutdown; want 1, 1", attempts, sent)
		}

		// The second message was handed back, not left leased: the next pass sends it.
		sender.fail = nil
		if sent := deliverOnce(t, d); sent != 1 {
			t.Errorf("next pass sent %d, want 1", sent)
		}
	})
}

// ctxSender fails a send whose context has ended, as a real HTTP client does.
type ctxSender struct {
	scriptedSender
	during func()
}

func (s *ctxSender) Send(ctx context.Context, to bot.ChatID, out bot.Outbound) (bot.MessageRef, error) {
	s.during()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return s.scriptedSender.Send(ctx, to, out)
}

func TestDeliverStopLetsSendFinish(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		// The process begins to shut down while the message is on its way.
		sender := &ctxSender{during: cancel}
		d := &scheduler.Deliverer{Store: s, Sender: sender}
		enqueue(t, s, telegramNotice("1001", "your recharge is pending"))

		if sent, err := d.DeliverDue(ctx); err != nil || sent != 1 {
			t.Fatalf("DeliverDue = %d, %v; want the send under way to finish", sent, err)
		}
		if msg := storedMessage(t, s); msg.SentAt == nil {
			t.Errorf("message %+v not marked sent, so another process would send it again", msg)
		}
	})
}

// cancelOnClaim ends the delivery's context while its claim is being made, as a shutdown can.
type cancelOnClaim struct {
	*models.Store
	cancel context.CancelFunc
}

func (s *cancelOnClaim) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration, channels ...string) ([]models.OutboxMessage, error) {
	s.cancel()
	return s.Store.ClaimOutbox(ctx, now, limit, lease, channels...)
}

func TestDeliverStopDuringClaimHandsMessagesBack(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		sender := &scriptedSender{}
		enqueue(t, s, telegramNotice("1001", "not confirmed yet"))

		stopping := &scheduler.Deliverer{Store: &cancelOnClaim{Store: s, cancel: cancel}, Sender: sender}
		if _, err := stopping.DeliverDue(ctx); err != nil {
			t.Fatalf("DeliverDue: %v", err)
		}

		// Another process finds the message at once instead of after the lease.
		other := &scheduler.Deliverer{Store: s, Sender: sender}
		if sent := deliverOnce(t, other); sent != 1 {
			t.Errorf("the other process sent %d, want the handed-back message", sent)
		}
	})
}
