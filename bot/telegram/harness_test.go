package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/bottest"
	"github.com/rechargebot/rechargebot/bot/telegram"
	"github.com/rechargebot/rechargebot/bot/telegram/telegramtest"
)

const (
	alice int64 = 5550001
	bob   int64 = 5550002
	admin int64 = 5559999
)

var (
	customerCommands = []bot.Command{{Name: "start", Description: "Begin a recharge"}, {Name: "cancel", Description: "Stop what you are doing"}}
	adminCommands    = []bot.Command{{Name: "start", Description: "Begin a recharge"}, {Name: "credit", Description: "Credit a wallet"}}
)

// harness runs one adapter against a fake Bot API on a fake clock and captures its log.
type harness struct {
	fake    *telegramtest.Server
	clock   *bottest.Clock
	adapter *telegram.Adapter
	logs    *syncBuffer
	handler *scriptHandler
	cancel  context.CancelFunc
	done    chan error
}

func newHarness(t *testing.T, configure ...func(*telegram.Config)) *harness {
	t.Helper()
	h := &harness{
		fake:    telegramtest.New(t),
		clock:   bottest.NewClock(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)),
		logs:    &syncBuffer{},
		handler: &scriptHandler{},
	}
	cfg := telegram.Config{
		Token:            telegramtest.Token,
		APIURL:           h.fake.URL,
		CustomerCommands: customerCommands,
		AdminCommands:    adminCommands,
		AdminChatIDs:     []string{strconv.FormatInt(admin, 10)},
		Handler:          h.handler,
		Logger:           slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:              h.clock.Now,
		Sleep:            h.clock.Sleep,
		PollTimeout:      time.Second,
		DrainTimeout:     2 * time.Second,
	}
	for _, c := range configure {
		c(&cfg)
	}

	a, err := telegram.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.adapter = a
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("adapter log:\n%s", h.logs.String())
		}
	})
	return h
}

// start runs the adapter until the test ends and waits until it takes updates.
func (h *harness) start(t *testing.T) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.adapter.Run(ctx) }()
	t.Cleanup(func() { h.stop(t) })

	waitUntil(t, "adapter healthy", func() bool {
		select {
		case err := <-h.done:
			t.Fatalf("Run returned early: %v", err)
		default:
		}
		return h.adapter.Healthy() == nil
	})
	return h
}

// stop cancels Run and waits for it to return.
func (h *harness) stop(t *testing.T) error {
	t.Helper()
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancellation")
		return nil
	}
}

// waitReplies waits until chat holds n messages from the bot and returns them.
func (h *harness) waitReplies(t *testing.T, chat int64, n int) []telegramtest.Message {
	t.Helper()
	h.fake.Wait(t, fmt.Sprintf("%d messages in chat %d", n, chat), func() bool { return len(h.fake.Messages(chat)) >= n })
	return h.fake.Messages(chat)
}

func (h *harness) assertNoTokenInLogs(t *testing.T) {
	t.Helper()
	if strings.Contains(h.logs.String(), telegramtest.Token) {
		t.Errorf("log contains the bot token:\n%s", h.logs.String())
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// scriptHandler is the conversation stand-in: a fixed script keyed by text and button data,
// recording every Inbound it gets.
type scriptHandler struct {
	mu       sync.Mutex
	received []bot.Inbound
	// hook, when set, runs first and may replace the script's reply.
	hook func(ctx context.Context, in bot.Inbound) (outs []bot.Outbound, handled bool, err error)
}

var (
	welcome = bot.Outbound{Text: "Welcome! Pick an amount.", Options: []bot.Option{
		{Label: "₹10", Data: "amount:10"}, {Label: "₹20", Data: "amount:20"}, {Label: "₹50", Data: "amount:50"},
	}}
	confirmOptions = []bot.Option{{Label: "Pay", Data: "pay"}, {Label: "« Back", Data: "back"}}
)

func (s *scriptHandler) Handle(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
	s.mu.Lock()
	s.received = append(s.received, in)
	hook := s.hook
	s.mu.Unlock()

	if hook != nil {
		if outs, handled, err := hook(ctx, in); handled {
			return outs, err
		}
	}
	switch {
	case in.Text == "/start":
		return []bot.Outbound{welcome}, nil
	case strings.HasPrefix(in.Data, "amount:"):
		amount := strings.TrimPrefix(in.Data, "amount:")
		return []bot.Outbound{{Text: "Recharge ₹" + amount + "?", Options: confirmOptions, Edit: in.MessageRef}}, nil
	case in.Data == "back":
		return []bot.Outbound{{Text: welcome.Text, Options: welcome.Options, Edit: in.MessageRef}}, nil
	case in.Text == "panic":
		panic("script handler told to panic")
	case in.File != nil:
		return []bot.Outbound{{Text: fmt.Sprintf("Got %s with %d lines.", in.File.Name, strings.Count(string(in.File.Data), "\n"))}}, nil
	default:
		return []bot.Outbound{{Text: "You said: " + in.Text}}, nil
	}
}

func (s *scriptHandler) inbounds() []bot.Inbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Inbound(nil), s.received...)
}

func (s *scriptHandler) setHook(hook func(ctx context.Context, in bot.Inbound) (outs []bot.Outbound, handled bool, err error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = hook
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newRequest(method, body string) *http.Request {
	return httptest.NewRequest(method, "/telegram/webhook", strings.NewReader(body))
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func chat(id int64) bot.ChatID {
	return bot.ChatID{Channel: bot.Telegram, ID: strconv.FormatInt(id, 10)}
}
