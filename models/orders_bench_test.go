package models_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// BenchmarkPlaceAndSettleOrder measures one checkout as the chat makes it: PlaceOrder (wallet
// lock, debit, order, event) and then RecordOutcome to success with one notice in the outbox.
func BenchmarkPlaceAndSettleOrder(b *testing.B) {
	for _, engine := range modelstest.Engines(b) {
		b.Run(engine.Name, func(b *testing.B) {
			s := modelstest.Open(b, engine.NewDatabase(b))
			ctx := context.Background()
			user := ensureCustomer(b, s, "1001", int64(b.N+1)*10_000)

			b.ResetTimer()
			for i := range b.N {
				order, err := s.PlaceOrder(ctx, newOrder(user, 10_000, fmt.Sprint("bench-", i)))
				if err != nil {
					b.Fatalf("PlaceOrder: %v", err)
				}
				notice := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "Recharge done"}
				_, _, err = s.RecordOutcome(ctx, order.ID, models.Outcome{Status: models.StatusSuccess, OperatorRef: "OP1"}, notice)
				if err != nil {
					b.Fatalf("RecordOutcome: %v", err)
				}
			}
		})
	}
}

// BenchmarkPlaceAndSettleOrderParallel runs the same checkout from parallel goroutines, each
// with a wallet of its own, as many users paying at once would.
func BenchmarkPlaceAndSettleOrderParallel(b *testing.B) {
	for _, engine := range modelstest.Engines(b) {
		b.Run(engine.Name, func(b *testing.B) {
			s := modelstest.Open(b, engine.NewDatabase(b))
			ctx := context.Background()
			var next atomic.Int64

			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				worker := next.Add(1)
				user := ensureCustomer(b, s, fmt.Sprint(5000+worker), 1_000_000_000_000)
				for i := 0; pb.Next(); i++ {
					order, err := s.PlaceOrder(ctx, newOrder(user, 10_000, fmt.Sprint("bench-", worker, "-", i)))
					if err != nil {
						b.Errorf("PlaceOrder: %v", err)
						return
					}
					notice := models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "1001", Text: "Recharge done"}
					if _, _, err := s.RecordOutcome(ctx, order.ID, models.Outcome{Status: models.StatusSuccess}, notice); err != nil {
						b.Errorf("RecordOutcome: %v", err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkPlaceOrderDailyCap measures PlaceOrder for a user with 200 orders placed today,
// without a daily cap and with one, which sums the day's spending inside the transaction.
func BenchmarkPlaceOrderDailyCap(b *testing.B) {
	for _, engine := range modelstest.Engines(b) {
		for _, capped := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/capped=%v", engine.Name, capped), func(b *testing.B) {
				clock := newFrozenClock()
				opts := engine.NewDatabase(b)
				opts.Now = clock.Now
				s := modelstest.Open(b, opts)
				ctx := context.Background()
				user := ensureCustomer(b, s, "1001", int64(b.N+200)*10_000)
				for i := range 200 {
					placeOrder(b, s, user, 10_000, fmt.Sprint("earlier-", i))
				}
				daily := models.DailyCap{}
				if capped {
					daily = models.DailyCap{LimitPaise: 1 << 50, Since: clock.Now().Add(-time.Hour)}
				}

				b.ResetTimer()
				for i := range b.N {
					in := newOrder(user, 10_000, fmt.Sprint("bench-", i))
					in.Cap = daily
					if _, err := s.PlaceOrder(ctx, in); err != nil {
						b.Fatalf("PlaceOrder: %v", err)
					}
				}
			})
		}
	}
}
