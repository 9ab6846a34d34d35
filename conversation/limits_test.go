package conversation

import (
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

func TestDailyLimitAtCheckout(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.Limits.DailyCustomerPaise = 30_000
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(customerID, 100_000)

		out := h.send(customerID, "9876543210 199")
		h.press(customerID, optionData(t, out, "Pay"))
		if n := len(h.orders(customerID)); n != 1 {
			t.Fatalf("%d orders after the first payment, want 1", n)
		}

		out = h.send(customerID, "9876543211 199")
		out = h.press(customerID, optionData(t, out, "Pay"))
		wantText(t, out, "daily limit of ₹300: you have used ₹199 today and this needs ₹199",
			"You can still spend ₹101 today", "Please confirm")
		if n := len(h.orders(customerID)); n != 1 {
			t.Errorf("%d orders after a payment over the limit, want 1", n)
		}
		h.checkWallet(customerID, 100_000-19_900)

		// Midnight in India: testStart is 15:00 IST, so nine hours later is the next day.
		h.clock.Advance(9 * time.Hour)
		out = h.send(customerID, "9876543211 199")
		out = h.press(customerID, optionData(t, out, "Pay"))
		if n := len(h.orders(customerID)); n != 2 {
			t.Errorf("%d orders on the next day, want 2; replies:\n%s", n, text(out))
		}
	})
}

func TestDailyLimitIgnoresFailures(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.Limits.DailyCustomerPaise = 30_000
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(customerID, 100_000)
		out := h.send(customerID, "9876500001 199")
		h.press(customerID, optionData(t, out, "Pay"))
		out = h.send(customerID, "9876543211 199")
		h.press(customerID, optionData(t, out, "Pay"))
		if n := len(h.orders(customerID)); n != 2 {
			t.Errorf("%d orders, want 2: a failed recharge does not count", n)
		}
	})
}

func TestDailyLimitAtBulkConfirm(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.Limits.DailyAgentPaise = 10_000
		cfg.Limits.DailyCustomerPaise = 1
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 100_000)
		out := h.send(agentID, "/bulk 9876512345 60\n9876512346 50")
		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "daily limit of ₹100: you have used ₹0 today and this needs ₹110")
		h.checkWallet(agentID, 100_000)
		if run := h.latestRun(agentID); run.Status != models.BulkPreview {
			t.Errorf("run status = %s, want preview", run.Status)
		}

		out = h.send(agentID, "/bulk 9876512345 60\n9876512346 40")
		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "started: 2 recharges")
		h.engine.WaitBulkRuns()

		out = h.send(agentID, "9876512347 10")
		out = h.press(agentID, optionData(t, out, "Pay"))
		wantText(t, out, "daily limit of ₹100: you have used ₹100 today", "Please wait until midnight")
	})
}

func TestAdminsHaveNoDailyLimit(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.Limits.DailyCustomerPaise = 1
		cfg.Limits.DailyAgentPaise = 1
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(adminID, 100_000)
		h.send(adminID, "/start")
		out := h.send(adminID, "9876543210 199")
		h.press(adminID, optionData(t, out, "Pay"))
		if n := len(h.orders(adminID)); n != 1 {
			t.Errorf("%d admin orders, want 1", n)
		}
	})
}

func TestMessageRateLimit(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.Limits.MessagesPerMinute = 3
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		for i := range 3 {
			if out := h.send(customerID, "/balance"); len(out) == 0 || !contains(out, "Wallet balance") {
				t.Fatalf("message %d: replies %q, want the balance", i+1, text(out))
			}
		}
		out := h.send(customerID, "/balance")
		wantText(t, out, "faster than I can take them (at most 3 a minute)", "Wait a minute, then send it again")
		if out := h.send(customerID, "/balance"); len(out) != 0 {
			t.Errorf("second message over the limit: replies %q, want none", text(out))
		}

		for range 10 {
			wantText(t, h.send(adminID, "/balance"), "Wallet balance")
		}
		wantText(t, h.send(agentID, "/balance"), "Wallet balance")

		h.clock.Advance(20 * time.Second)
		wantText(t, h.send(customerID, "/balance"), "Wallet balance")
		out = h.send(customerID, "/balance")
		wantText(t, out, "at most 3 a minute")
	})
}

func TestRateLimiterSweepsIdleSenders(t *testing.T) {
	r := newRateLimiter(2)
	start := testStart
	r.allow("telegram:1", start)
	r.allow("telegram:2", start.Add(rateIdle/2))
	r.allow("telegram:3", start.Add(rateIdle))
	if _, ok := r.senders["telegram:1"]; ok {
		t.Error("sender idle for rateIdle is still kept")
	}
	if _, ok := r.senders["telegram:2"]; !ok {
		t.Error("recent sender was dropped")
	}
}

func TestStartOfIndiaDay(t *testing.T) {
	cases := []struct {
		at, want time.Time
	}{
		{time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC), time.Date(2026, 12, 3, 18, 30, 0, 0, time.UTC)},
		{time.Date(2026, 12, 4, 18, 29, 0, 0, time.UTC), time.Date(2026, 12, 3, 18, 30, 0, 0, time.UTC)},
		{time.Date(2026, 12, 4, 18, 30, 0, 0, time.UTC), time.Date(2026, 12, 4, 18, 30, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		if got := startOfIndiaDay(tc.at); !got.Equal(tc.want) {
			t.Errorf("startOfIndiaDay(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func contains(out []bot.Outbound, part string) bool {
	return strings.Contains(text(out), part)
}
