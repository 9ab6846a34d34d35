package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func recordOutcome(t testing.TB, s *models.Store, orderID int64, out models.Outcome, notify ...models.OutboxMessage) (models.Order, bool) {
	t.Helper()
	order, changed, err := s.RecordOutcome(context.Background(), orderID, out, notify...)
	if err != nil {
		t.Fatalf("RecordOutcome %s: %v", out.Status, err)
	}
	return order, changed
}

// moveTo drives a fresh order through allowed moves into status.
func moveTo(t testing.TB, s *models.Store, orderID int64, status models.OrderStatus) {
	t.Helper()
	paths := map[models.OrderStatus][]models.OrderStatus{
		models.StatusSending:  nil,
		models.StatusPending:  {models.StatusPending},
		models.StatusUnknown:  {models.StatusUnknown},
		models.StatusStuck:    {models.StatusPending, models.StatusStuck},
		models.StatusSuccess:  {models.StatusSuccess},
		models.StatusFailure:  {models.StatusFailure},
		models.StatusRefunded: {models.StatusSuccess, models.StatusRefunded},
	}
	for _, step := range paths[status] {
		recordOutcome(t, s, orderID, models.Outcome{Status: step})
	}
}

func TestRecordOutcomeTransitions(t *testing.T) {
	all := []models.OrderStatus{
		models.StatusSending, models.StatusPending, models.StatusUnknown, models.StatusStuck,
		models.StatusSuccess, models.StatusFailure, models.StatusRefunded,
	}
	allowed := map[[2]models.OrderStatus]bool{}
	for _, move := range [][2]models.OrderStatus{
		{models.StatusSending, models.StatusSuccess}, {models.StatusSending, models.StatusFailure},
		{models.StatusSending, models.StatusPending}, {models.StatusSending, models.StatusUnknown},
		{models.StatusPending, models.StatusSuccess}, {models.StatusPending, models.StatusFailure},
		{models.StatusPending, models.StatusUnknown}, {models.StatusPending, models.StatusStuck},
		{models.StatusUnknown, models.StatusSuccess}, {models.StatusUnknown, models.StatusFailure},
		{models.StatusUnknown, models.StatusPending}, {models.StatusUnknown, models.StatusStuck},
		{models.StatusStuck, models.StatusSuccess}, {models.StatusStuck, models.StatusFailure},
		{models.StatusSuccess, models.StatusRefunded},
	} {
		allowed[move] = true
	}

	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 10_000_000)
		for _, from := range all {
			for _, to := range all {
				t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
					order := placeOrder(t, s, user, 1_000, fmt.Sprint(from, "-", to))
					moveTo(t, s, order.ID, from)
					before, _ := s.OrderEvents(context.Background(), order.ID)

					got, changed, err := s.RecordOutcome(context.Background(), order.ID, models.Outcome{Status: to})
					after, _ := s.OrderEvents(context.Background(), order.ID)

					switch {
					case from == to:
						if err != nil || changed {
							t.Errorf("repeat: changed %v, error %v; want a no-op", changed, err)
						}
						if len(after) != len(before) {
							t.Errorf("repeat appended %d events", len(after)-len(before))
						}
					case allowed[[2]models.OrderStatus{from, to}]:
						if err != nil || !changed || got.Status != to {
							t.Errorf("got status %s, changed %v, error %v; want %s", got.Status, changed, err, to)
						}
						if len(after) != len(before)+1 || after[len(after)-1].FromStatus != from {
							t.Errorf("events %+v, want one more from %s", after, from)
						}
					default:
						if !errors.Is(err, models.ErrInvalidTransition) {
							t.Errorf("error = %v, want ErrInvalidTransition", err)
						}
						if len(after) != len(before) {
							t.Errorf("rejected move appended %d events", len(after)-len(before))
						}
					}
					if from != to && models.CanMove(from, to) != allowed[[2]models.OrderStatus{from, to}] {
						t.Errorf("CanMove = %v", models.CanMove(from, to))
					}
				})
			}
		}
		// Every failure and refunded order above was refunded exactly once.
		balance, _ := s.Balance(context.Background(), user.ID)
		sum, _ := s.LedgerSum(context.Background(), user.ID)
		if balance != sum {
			t.Errorf("balance %d, ledger sum %d", balance, sum)
		}
	})
}

func TestRecordOutcomeSuccess(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		order := placeOrder(t, s, user, 19_900, "checkout-1")

		got, changed := recordOutcome(t, s, order.ID, models.Outcome{
			Status: models.StatusSuccess, OperatorRef: "OP123", ChargedPaise: 19_502, Message: "Recharge done", Note: "recharge.php",
		})

		if !changed || got.Status != models.StatusSuccess || got.OperatorRef != "OP123" || got.ChargedPaise != 19_502 {
			t.Errorf("order = %+v, changed %v", got, changed)
		}
		if got.NextCheckAt != nil {
			t.Errorf("final order keeps next check %v", got.NextCheckAt)
		}
		stored, _ := s.GetOrder(context.Background(), order.ID)
		if stored.Status != models.StatusSuccess || stored.Message != "Recharge done" || stored.NextCheckAt != nil {
			t.Errorf("stored order = %+v", stored)
		}
		events, _ := s.OrderEvents(context.Background(), order.ID)
		if last := events[len(events)-1]; last.FromStatus != models.StatusSending || last.ToStatus != models.StatusSuccess || last.Note != "recharge.php" {
			t.Errorf("last event = %+v", last)
		}
		assertBalance(t, s, user.ID, 30_100)
	})
}

func TestRecordOutcomeFailureRefundsOnce(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 50_000)
		order := placeOrder(t, s, user, 19_900, "checkout-1")
		notice := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "Recharge failed, refunded"}

		_, changed := recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusFailure}, notice)
		if !changed {
			t.Fatal("failure did not change the order")
		}
		_, changed = recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusFailure}, notice)
		if changed {
			t.Error("a repeated failure changed the order")
		}

		assertBalance(t, s, user.ID, 50_000)
		ledger, _ := s.Ledger(ctx, user.ID, 10)
		refunds := 0
		for _, entry := range ledger {
			if entry.Kind == models.LedgerRefund {
				refunds++
			}
		}
		if refunds != 1 {
			t.Errorf("%d refund entries, want 1", refunds)
		}
		assertOutbox(t, s, 1)
	})
}

func TestRecordOutcomeRefundAfterSuccess(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		order := placeOrder(t, s, user, 19_900, "checkout-1")
		recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusSuccess})
		assertBalance(t, s, user.ID, 30_100)

		notice := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "Refunded"}
		alert := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1", Text: "Refund after success", Kind: models.OutboxAlert}
		for range 3 {
			recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusRefunded}, notice, alert)
		}

		assertBalance(t, s, user.ID, 50_000)
		assertOutbox(t, s, 2)
	})
}

func TestRecordOutcomeInvalidMoveWritesNothing(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		order := placeOrder(t, s, user, 10_000, "checkout-1")
		recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusFailure})

		notice := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "Recharge done"}
		_, _, err := s.RecordOutcome(context.Background(), order.ID, models.Outcome{Status: models.StatusSuccess}, notice)
		if !errors.Is(err, models.ErrInvalidTransition) {
			t.Fatalf("error = %v, want ErrInvalidTransition", err)
		}
		assertOutbox(t, s, 0)
		assertBalance(t, s, user.ID, 50_000)

		if _, _, err := s.RecordOutcome(context.Background(), 1, models.Outcome{Status: models.StatusSuccess}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown order: error = %v, want ErrNotFound", err)
		}
	})
}

func TestRecordOutcomeRepeatPendingKeepsDetails(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		order := placeOrder(t, s, user, 10_000, "checkout-1")
		first := clock.Now().Add(45 * time.Second)
		recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusPending, NextCheckAt: &first})

		later := clock.Now().Add(90 * time.Second)
		got, changed := recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusPending, NextCheckAt: &later, OperatorRef: "OP9"},
			models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "still pending"})

		if changed {
			t.Error("repeated pending reported a change")
		}
		if got.NextCheckAt == nil || !got.NextCheckAt.Equal(later) || got.OperatorRef != "OP9" {
			t.Errorf("order = next %v, ref %q; want the new details", got.NextCheckAt, got.OperatorRef)
		}
		assertOutbox(t, s, 0)
	})
}

// TestRecordOutcomeConcurrentNotifiesOnce has ten resolvers record the same result at once:
// the user must get one notice and one refund.
func TestRecordOutcomeConcurrentNotifiesOnce(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "1001", 50_000)
		order := placeOrder(t, s, user, 10_000, "checkout-1")
		recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusPending})

		var wg sync.WaitGroup
		var mu sync.Mutex
		changes := 0
		for range 10 {
			wg.Go(func() {
				_, changed, err := s.RecordOutcome(context.Background(), order.ID, models.Outcome{Status: models.StatusFailure},
					models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "failed"})
				if err != nil {
					t.Errorf("RecordOutcome: %v", err)
				}
				if changed {
					mu.Lock()
					changes++
					mu.Unlock()
				}
			})
		}
		wg.Wait()

		if changes != 1 {
			t.Errorf("%d calls changed the order, want 1", changes)
		}
		assertOutbox(t, s, 1)
		assertBalance(t, s, user.ID, 50_000)
	})
}

func assertOutbox(t testing.TB, s *models.Store, want int) {
	t.Helper()
	msgs, err := s.OutboxMessages(context.Background(), 100)
	if err != nil {
		t.Fatalf("OutboxMessages: %v", err)
	}
	if len(msgs) != want {
		t.Errorf("%d outbox messages, want %d", len(msgs), want)
	}
}

func TestRecordOutcomeDropsUnsentInterimNotices(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "1001", 100_000)
		order := placeOrder(t, s, user, 10_000, "interim")
		other := placeOrder(t, s, user, 10_000, "other")
		interim := func(orderID int64, text string) models.OutboxMessage {
			return models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: text,
				Kind: models.OutboxInterim, OrderID: &orderID}
		}
		recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusPending}, interim(order.ID, "not confirmed yet"))
		recordOutcome(t, s, other.ID, models.Outcome{Status: models.StatusPending}, interim(other.ID, "other not confirmed yet"))

		result := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "successful", OrderID: &order.ID}
		recordOutcome(t, s, order.ID, models.Outcome{Status: models.StatusSuccess}, result)

		claimed, err := s.ClaimOutbox(ctx, clock.Now(), 10, time.Minute)
		if err != nil {
			t.Fatalf("ClaimOutbox: %v", err)
		}
		var texts []string
		for _, msg := range claimed {
			texts = append(texts, msg.Text)
		}
		slices.Sort(texts)
		if want := []string{"other not confirmed yet", "successful"}; !slices.Equal(texts, want) {
			t.Errorf("messages to send = %q, want %q: the settled order's interim notice dropped", texts, want)
		}
	})
}

func TestClaimOutboxHoldsResultWhileInterimIsSent(t *testing.T) {
	clock := newFrozenClock()
	modelstest.EachPair(t, clock.Now, func(t *testing.T, stores [2]*models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, stores[0], "1001", 100_000)
		order := placeOrder(t, stores[0], user, 10_000, "ordered")
		interim := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "not confirmed yet",
			Kind: models.OutboxInterim, OrderID: &order.ID}
		recordOutcome(t, stores[0], order.ID, models.Outcome{Status: models.StatusPending}, interim)

		// One process is sending the interim notice when the order settles.
		sending, err := stores[0].ClaimOutbox(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(sending) != 1 {
			t.Fatalf("first claim = %d messages, %v; want the interim notice", len(sending), err)
		}
		result := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "successful", OrderID: &order.ID}
		recordOutcome(t, stores[0], order.ID, models.Outcome{Status: models.StatusSuccess}, result)

		claimed, err := stores[1].ClaimOutbox(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 0 {
			t.Fatalf("claim during the send = %d messages, %v; want the result held back", len(claimed), err)
		}
		if err := stores[0].MarkSent(ctx, sending[0].ID, clock.Now()); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
		claimed, err = stores[1].ClaimOutbox(ctx, clock.Now(), 10, time.Minute)
		if err != nil || len(claimed) != 1 || claimed[0].Text != "successful" {
			t.Errorf("claim after the send = %+v, %v; want the result", claimed, err)
		}
	})
}
