package telegram_test

import (
	"context"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/bottest"
	"github.com/rechargebot/rechargebot/bot/telegram"
	"github.com/rechargebot/rechargebot/bot/telegram/telegramtest"
)

// BenchmarkUpdateRoundTrip measures one text update from getUpdates to the reply stored by the
// fake Bot API, with updates spread over 100 users so the per-chat limit does not dominate.
func BenchmarkUpdateRoundTrip(b *testing.B) {
	fake := telegramtest.New(b)
	clock := bottest.NewClock(time.Now())
	a, err := telegram.New(telegram.Config{
		Token: telegramtest.Token, APIURL: fake.URL,
		Handler: bot.HandlerFunc(func(_ context.Context, in bot.Inbound) ([]bot.Outbound, error) {
			return []bot.Outbound{{Text: "ok " + in.Text}}, nil
		}),
		Now: clock.Now, Sleep: func(context.Context, time.Duration) error { return nil },
		PollTimeout: time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for a.Healthy() != nil {
		time.Sleep(time.Millisecond)
	}

	// Updates go in batches of 100 so that each wait stays within the fake's wait deadline,
	// however large b.N grows with -benchtime.
	const batch = 100
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		n := min(batch, b.N-sent)
		for i := range n {
			fake.Push(fake.TextUpdate(int64(1000+i), "hi"))
		}
		sent += n
		fake.WaitCalls(b, "sendMessage", sent)
	}
}
