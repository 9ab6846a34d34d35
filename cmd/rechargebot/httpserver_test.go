package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

func TestHealthReportStatus(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	fresh := func(context.Context) (time.Time, error) { return now.Add(-time.Hour), nil }
	up := func() map[string]error { return map[string]error{"telegram": nil} }
	var logs bytes.Buffer

	cases := map[string]struct {
		checks     healthChecks
		wantCode   int
		wantInBody string
	}{
		"all healthy": {
			healthChecks{Ping: func(context.Context) error { return nil }, CatalogSyncedAt: fresh, Channels: up},
			http.StatusOK, `"status":"ok"`,
		},
		"database down": {
			healthChecks{Ping: func(context.Context) error { return errors.New("connection refused") }, CatalogSyncedAt: fresh, Channels: up},
			http.StatusServiceUnavailable, "the database is unreachable",
		},
		"catalog unreadable": {
			healthChecks{CatalogSyncedAt: func(context.Context) (time.Time, error) {
				return time.Time{}, errors.New("list sync states: failed to connect to user=app database=db/x")
			}},
			http.StatusServiceUnavailable, "the catalog state could not be read",
		},
		"catalog never synced": {
			healthChecks{CatalogSyncedAt: func(context.Context) (time.Time, error) { return time.Time{}, nil }},
			http.StatusServiceUnavailable, "never synced",
		},
		"catalog stale": {
			healthChecks{CatalogSyncedAt: func(context.Context) (time.Time, error) { return now.Add(-20 * 24 * time.Hour), nil }, MaxCatalogAge: maxCatalogAge},
			http.StatusServiceUnavailable, "over",
		},
		"channel down": {
			healthChecks{Channels: func() map[string]error { return map[string]error{"telegram": nil, "whatsapp": errors.New("stopped")} }},
			http.StatusServiceUnavailable, `"whatsapp":{"ok":false,"error":"stopped"}`,
		},
		"secret scrubbed": {
			healthChecks{
				Ping:   func(context.Context) error { return errors.New("dial postgres://app:hunter2@db/x failed") },
				Scrub:  secretScrubber(Config{DatabaseURL: "postgres://app:hunter2@db/x"}),
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			},
			http.StatusServiceUnavailable, "the database is unreachable",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.checks.Now = func() time.Time { return now }
			rec := httptest.NewRecorder()
			tc.checks.serveHealth(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))

			if rec.Code != tc.wantCode {
				t.Errorf("status %d, want %d", rec.Code, tc.wantCode)
			}
			if !strings.Contains(rec.Body.String(), tc.wantInBody) {
				t.Errorf("body %s lacks %s", rec.Body.String(), tc.wantInBody)
			}
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "db/x") {
				t.Errorf("body shows the database address: %s", rec.Body.String())
			}
			var report healthReport
			if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil {
				t.Errorf("body is not JSON: %v", err)
			}
		})
	}
}

func TestHealthLogsScrubbedDatabaseError(t *testing.T) {
	var logs bytes.Buffer
	checks := healthChecks{
		Ping:   func(context.Context) error { return errors.New("dial postgres://app:hunter2@db/x failed") },
		Scrub:  secretScrubber(Config{DatabaseURL: "postgres://app:hunter2@db/x"}),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	checks.serveHealth(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))

	if !strings.Contains(logs.String(), "part=database") || !strings.Contains(logs.String(), "<secret>") {
		t.Errorf("log lacks the scrubbed database error:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "hunter2") {
		t.Errorf("log shows the database password:\n%s", logs.String())
	}
}

func TestWebhookPath(t *testing.T) {
	cases := map[string]string{
		"https://bot.example.test/tg/hook": "/tg/hook",
		"https://bot.example.test":         defaultWebhookPath,
		"https://bot.example.test/":        defaultWebhookPath,
	}
	for in, want := range cases {
		got, err := webhookPath(in)
		if err != nil || got != want {
			t.Errorf("webhookPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := webhookPath("https://bad host/x"); err == nil {
		t.Error("webhookPath accepted an invalid URL")
	}
}

func TestListenHTTPFailsOnBusyPort(t *testing.T) {
	first, err := listenHTTP("127.0.0.1:0", http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("listenHTTP: %v", err)
	}
	defer first.listener.Close()

	_, err = listenHTTP(first.Addr(), http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "HTTP_ADDR") {
		t.Errorf("second listen error = %v, want one naming HTTP_ADDR", err)
	}
}

type fakeOrderCounter struct {
	stats models.OrderStats
	err   error
}

func (f fakeOrderCounter) OrderStats(context.Context, time.Time) (models.OrderStats, error) {
	return f.stats, f.err
}

func TestMetricsExposition(t *testing.T) {
	orders := fakeOrderCounter{stats: models.OrderStats{ByStatus: map[models.OrderStatus]int{models.StatusSuccess: 3, models.StatusStuck: 1}}}
	m := newMetrics(orders, time.Now, slog.New(slog.DiscardHandler))
	m.receivedOn("telegram")("text")
	m.sentOn("whatsapp")("send", errors.New("offline"))
	m.observeKwik(kwik.EndpointRecharge, 1500*time.Millisecond, nil)
	m.observeKwik(kwik.EndpointStatus, time.Second, fmt.Errorf("status: %w", kwik.ErrUnknownOutcome))
	m.countError("scheduler")

	body := scrape(t, m)
	for _, want := range []string{
		`rechargebot_messages_received_total{channel="telegram",kind="text"} 1`,
		`rechargebot_messages_sent_total{channel="whatsapp",method="send",result="error"} 1`,
		`rechargebot_kwikapi_calls_total{endpoint="recharge",result="ok"} 1`,
		`rechargebot_kwikapi_calls_total{endpoint="status",result="unknown_outcome"} 1`,
		`rechargebot_kwikapi_call_duration_seconds_bucket{endpoint="recharge",le="2"} 1`,
		`rechargebot_errors_total{component="scheduler"} 1`,
		`rechargebot_orders{status="success"} 3`,
		`rechargebot_orders{status="stuck"} 1`,
		`rechargebot_orders{status="pending"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestMetricsOrderQueryFailure(t *testing.T) {
	m := newMetrics(fakeOrderCounter{err: errors.New("database is locked")}, time.Now, slog.New(slog.DiscardHandler))
	body := scrape(t, m)
	if strings.Contains(body, "rechargebot_orders{") {
		t.Error("orders gauge reported despite the failed query")
	}
	// The registry gathers collectors in parallel, so the first scrape's error count shows
	// reliably only in the next scrape, which may add its own.
	again := scrape(t, m)
	if !strings.Contains(again, `rechargebot_errors_total{component="metrics"} 1`) &&
		!strings.Contains(again, `rechargebot_errors_total{component="metrics"} 2`) {
		t.Error("failed order query not counted as an error")
	}
}

func TestKwikResultLabels(t *testing.T) {
	cases := map[string]struct {
		err  error
		want string
	}{
		"success":   {nil, "ok"},
		"duplicate": {fmt.Errorf("x: %w", kwik.ErrDuplicateOrderID), "duplicate_order_id"},
		"budget":    {fmt.Errorf("x: %w", models.ErrBudgetExhausted), "budget_exhausted"},
		"timeout":   {fmt.Errorf("x: %w", context.DeadlineExceeded), "timeout"},
		"other":     {errors.New("boom"), "error"},
	}
	for name, tc := range cases {
		if got := kwikResult(tc.err); got != tc.want {
			t.Errorf("%s: kwikResult = %q, want %q", name, got, tc.want)
		}
	}
}

func scrape(t *testing.T, m *metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
