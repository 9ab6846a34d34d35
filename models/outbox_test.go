package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func notice(chatID, text string) models.OutboxMessage {
	return models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: chatID, Text: text}
}

func TestEnqueueSkipsDuplicateKey(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		first := notice("1001", "Recharge done")
		first.DedupeKey = ptr("order:1:success")
		second := notice("1001", "Recharge done again")
		second.DedupeKey = ptr("order:1:success")
		empty := notice("1001", "no key")
		empty.DedupeKey = ptr("")

		if err := s.Enqueue(ctx, first, notice("1001", "other"), empty); err != nil {
			t.Fatalf("first Enqueue: %v", err)
		}
		if err := s.Enqueue(ctx, second, notice("1002", "unkeyed")); err != nil {
			t.Fatalf("second Enqueue: %v", err)
		}

		msgs, err := s.OutboxMessages(ctx, 10)
		if err != nil {
			t.Fatalf("OutboxMessages: %v", err)
		}
		if len(msgs) != 4 {
			t.Fatalf("%d messages, want 4", len(msgs))
		}
		for _, msg := range msgs {
			if msg.Text == "Recharge done again" {
				t.Error("the duplicate key was enqueued")
			}
			if msg.Kind != models.OutboxNotice {
				t.Errorf("kind = %q, want notice by default", msg.Kind)
			}
		}
	})
}

func TestClaimOutboxLifecycle(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		later := notice("1001", "later")
		later.NextAttemptAt = clock.Now().Add(time.Hour)
		if err := s.Enqueue(ctx, notice("1001", "one"), notice("1002", "two"), later); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}

		claimed := claimTexts(t, s, clock.Now())
		if len(claimed) != 2 || claimed[0].Text != "one" || claimed[1].Text != "two" {
			t.Fatalf("claimed %v, want one and two in order", texts(claimed))
		}
		if claimed[0].Attempts != 1 {
			t.Errorf("attempts = %d, want 1", claimed[0].Attempts)
		}
		if again := claimTexts(t, s, clock.Now()); len(again) != 0 {
			t.Errorf("claimed %v again within the lease", texts(again))
		}

		if err := s.MarkSent(ctx, claimed[0].ID, clock.Now()); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
		if err := s.MarkRetry(ctx, claimed[1].ID, clock.Now().Add(10*time.Second), "timeout"); err != nil {
			t.Fatalf("MarkRetry: %v", err)
		}
		if got := claimTexts(t, s, clock.Now()); len(got) != 0 {
			t.Errorf("claimed %v before the retry was due", texts(got))
		}

		clock.Advance(10 * time.Second)
		retried := claimTexts(t, s, clock.Now())
		if len(retried) != 1 || retried[0].Text != "two" || retried[0].Attempts != 2 || retried[0].LastError != "timeout" {
			t.Fatalf("retry claim = %+v, want two on attempt 2", retried)
		}
		if err := s.MarkDead(ctx, retried[0].ID, "blocked"); err != nil {
			t.Fatalf("MarkDead: %v", err)
		}

		clock.Advance(2 * time.Hour)
		if got := claimTexts(t, s, clock.Now()); len(got) != 1 || got[0].Text != "later" {
			t.Errorf("claimed %v after two hours, want only later", texts(got))
		}
	})
}

func TestClaimOutboxLeaseExpires(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		if err := s.Enqueue(context.Background(), notice("1001", "one")); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		claimTexts(t, s, clock.Now())

		// The claimer died without marking the message: it is claimed again after the lease.
		clock.Advance(time.Minute)
		got := claimTexts(t, s, clock.Now())
		if len(got) != 1 || got[0].Attempts != 2 {
			t.Errorf("claim after the lease = %+v, want the message on attempt 2", got)
		}
	})
}

func TestClaimOutboxByChannel(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		whatsapp := models.OutboxMessage{Channel: models.ChannelWhatsApp, ChatID: "919876543210", Text: "wa"}
		if err := s.Enqueue(ctx, notice("1001", "tg"), whatsapp); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		got, err := s.ClaimOutbox(ctx, time.Now(), 10, time.Minute, models.ChannelWhatsApp)
		if err != nil {
			t.Fatalf("ClaimOutbox: %v", err)
		}
		if len(got) != 1 || got[0].Text != "wa" {
			t.Errorf("claimed %v, want only the WhatsApp message", texts(got))
		}
	})
}

func TestMarkUnknownMessage(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := s.MarkSent(ctx, 42, time.Now()); err == nil {
			t.Error("MarkSent of an unknown message succeeded")
		}
		if err := s.MarkRetry(ctx, 42, time.Now(), "x"); err == nil {
			t.Error("MarkRetry of an unknown message succeeded")
		}
		if err := s.MarkDead(ctx, 42, "x"); err == nil {
			t.Error("MarkDead of an unknown message succeeded")
		}
	})
}

// TestClaimOutboxTwoStores claims from two stores on one database at once, as two processes
// would: every message must be claimed exactly once.
func TestClaimOutboxTwoStores(t *testing.T) {
	modelstest.EachPair(t, nil, func(t *testing.T, stores [2]*models.Store) {
		const total = 100
		msgs := make([]models.OutboxMessage, total)
		for i := range msgs {
			msgs[i] = notice("1001", "message")
		}
		if err := stores[0].Enqueue(context.Background(), msgs...); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}

		claims := claimUntilEmpty(t, stores, func(s *models.Store) ([]int64, error) {
			claimed, err := s.ClaimOutbox(context.Background(), time.Now(), 5, time.Hour)
			ids := make([]int64, len(claimed))
			for i, msg := range claimed {
				ids[i] = msg.ID
			}
			return ids, err
		})

		if len(claims) != total {
			t.Errorf("%d messages claimed, want %d", len(claims), total)
		}
		for id, n := range claims {
			if n != 1 {
				t.Errorf("message %d claimed %d times", id, n)
			}
		}
	})
}

func claimTexts(t testing.TB, s *models.Store, now time.Time) []models.OutboxMessage {
	t.Helper()
	msgs, err := s.ClaimOutbox(context.Background(), now, 10, 30*time.Second)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	return msgs
}

func texts(msgs []models.OutboxMessage) []string {
	out := make([]string, len(msgs))
	for i, msg := range msgs {
		out[i] = msg.Text
	}
	return out
}
