package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/bottest"
	"github.com/rechargebot/rechargebot/bot/telegram/telegramtest"
)

func newTestAdapter(t *testing.T, configure ...func(*Config)) (*Adapter, *bottest.Clock) {
	t.Helper()
	clock := bottest.NewClock(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	cfg := Config{
		Token:   telegramtest.Token,
		APIURL:  "http://127.0.0.1:1",
		Handler: bot.HandlerFunc(func(context.Context, bot.Inbound) ([]bot.Outbound, error) { return nil, nil }),
		Now:     clock.Now,
		Sleep:   clock.Sleep,
	}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a, clock
}

func TestCallAPIWaitsOnWrappedRateLimit(t *testing.T) {
	a, clock := newTestAdapter(t)
	calls := 0
	err := a.callAPI(t.Context(), 1, "sendMessage", func(context.Context) error {
		calls++
		if calls == 1 {
			return fmt.Errorf("send: %w", &tgbot.TooManyRequestsError{Message: "too many requests", RetryAfter: 3})
		}
		return nil
	})
	if err != nil {
		t.Fatalf("callAPI: %v", err)
	}
	if calls != 2 {
		t.Errorf("call made %d times, want 2", calls)
	}
	found := false
	for _, d := range clock.Sleeps() {
		found = found || d == 3*time.Second
	}
	if !found {
		t.Errorf("slept %v, want a 3s wait", clock.Sleeps())
	}
}

func TestClassifyUnreachable(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"blocked":         {fmt.Errorf("%w, Forbidden: bot was blocked by the user", tgbot.ErrorForbidden), true},
		"deactivated":     {fmt.Errorf("%w, Forbidden: user is deactivated", tgbot.ErrorForbidden), true},
		"chat not found":  {fmt.Errorf("%w, Bad Request: chat not found", tgbot.ErrorBadRequest), true},
		"other 400":       {fmt.Errorf("%w, Bad Request: message text is empty", tgbot.ErrorBadRequest), false},
		"network failure": {errors.New("connection refused"), false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := classify("sendMessage", tc.err)
			if got := errors.Is(err, bot.ErrUnreachable); got != tc.want {
				t.Errorf("errors.Is(ErrUnreachable) = %v, want %v for %v", got, tc.want, err)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("classified error %v no longer wraps %v", err, tc.err)
			}
		})
	}
}

func TestRecentIDsBounded(t *testing.T) {
	r := newRecentIDs(3)
	for _, id := range []int64{1, 2, 3} {
		if !r.add(id) {
			t.Fatalf("add(%d) = false for a new id", id)
		}
	}
	if r.add(2) {
		t.Error("add(2) = true for a remembered id")
	}
	r.add(4) // forgets 1
	if len(r.set) != 3 {
		t.Errorf("remembers %d ids, want 3", len(r.set))
	}
	if !r.add(1) {
		t.Error("add(1) = false after 1 was forgotten")
	}
	if r.add(4) {
		t.Error("add(4) = true for a remembered id")
	}
}

func TestStripBotName(t *testing.T) {
	a, _ := newTestAdapter(t)
	a.username = "recharge_test_bot"
	cases := map[string]string{
		"/start@recharge_test_bot":     "/start",
		"/start@Recharge_Test_Bot abc": "/start abc",
		"/start@other_bot":             "/start@other_bot",
		"hello@recharge_test_bot":      "hello@recharge_test_bot",
		"/plans 9876543210":            "/plans 9876543210",
		"/@recharge_test_bot":          "/",
		"":                             "",
	}
	for in, want := range cases {
		if got := a.stripBotName(in); got != want {
			t.Errorf("stripBotName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrubbingHandlerRemovesToken(t *testing.T) {
	var buf bytes.Buffer
	a, _ := newTestAdapter(t, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&buf, nil)) })
	token := telegramtest.Token

	a.log.With("url", "https://api.test/bot"+token+"/getMe").Error("failed "+token,
		"error", errors.New("Post /bot"+token+"/x: refused"),
		slog.Group("request", "path", "/bot"+token),
		"value", struct{ S string }{token},
	)
	if strings.Contains(buf.String(), token) {
		t.Errorf("log contains the token: %s", buf.String())
	}
	if !strings.Contains(buf.String(), redacted) {
		t.Errorf("log lacks the %s marker: %s", redacted, buf.String())
	}
}

func TestDownloadErrorsOmitToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getFile") {
			w.Write([]byte(`{"ok":true,"result":{"file_id":"f","file_unique_id":"u","file_size":3,"file_path":"documents/a.csv"}}`))
			return
		}
		// Hijack and drop the connection so the download fails at the transport.
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()

	a, _ := newTestAdapter(t, func(c *Config) { c.APIURL = srv.URL })
	_, err := a.fetchFile(t.Context(), "f", 1024)
	if err == nil {
		t.Fatal("fetchFile succeeded over a dropped connection")
	}
	if strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("error contains the token: %v", err)
	}
}

func FuzzWebhookBody(f *testing.F) {
	f.Add(`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":7,"type":"private"},"from":{"id":7},"text":"/start"}}`)
	f.Add(`{"update_id":6,"callback_query":{"id":"c","from":{"id":7},"message":{"message_id":1,"date":0,"chat":{"id":7}},"data":"x"}}`)
	f.Add(`{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"},"text":"hi"}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		a, _ := newTestAdapter(t, func(c *Config) {
			c.WebhookURL = "https://x.test/hook"
			c.WebhookSecret = "s"
		})
		a.setAccepting(true)
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
		req.Header.Set(secretHeader, "s")
		rec := httptest.NewRecorder()
		a.WebhookHandler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Errorf("status %d for %q", rec.Code, body)
		}
		a.dispatch.drain(time.Second)
	})
}
