package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// alertTexts returns the texts of the alerts in the outbox for chat, oldest first.
func alertTexts(t *testing.T, s *models.Store, chat bot.ChatID) []string {
	t.Helper()
	msgs, err := s.OutboxMessages(context.Background(), 1000)
	if err != nil {
		t.Fatalf("list outbox: %v", err)
	}
	var texts []string
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == models.OutboxAlert && msgs[i].Channel == string(chat.Channel) && msgs[i].ChatID == chat.ID {
			texts = append(texts, msgs[i].Text)
		}
	}
	return texts
}

func TestAlertsHeldBackWithinWindow(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		alerts := &Alerts{Store: s, Admins: testAdmins}
		ctx := context.Background()
		raise := func(text string) {
			t.Helper()
			if err := alerts.Raise(ctx, Alert{Key: "low-balance", Text: text}); err != nil {
				t.Fatalf("Raise: %v", err)
			}
		}

		raise("first")
		clock.Advance(10 * time.Minute)
		raise("second")
		clock.Advance(40 * time.Minute)
		raise("third")
		if err := alerts.Raise(ctx, Alert{Key: "kwik-auth", Text: "other subject"}); err != nil {
			t.Fatalf("Raise: %v", err)
		}
		clock.Advance(10 * time.Minute)
		raise("fourth")

		want := []string{
			"first",
			"other subject",
			"fourth\n(2 more alerts like this were held back in the last hour.)",
		}
		for _, admin := range testAdmins {
			if diff := cmp.Diff(want, alertTexts(t, s, admin)); diff != "" {
				t.Errorf("alerts to %s (-want +got):\n%s", admin, diff)
			}
		}
	})
}

func TestAlertsOnceKeyWrittenOnce(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		alerts := &Alerts{Store: s, Admins: testAdmins[:1]}
		ctx := context.Background()

		for range 3 {
			if err := alerts.Raise(ctx, Alert{Key: "stuck:26120412345678", Text: "stuck", Once: true}); err != nil {
				t.Fatalf("Raise: %v", err)
			}
			clock.Advance(2 * time.Hour)
		}
		if texts := alertTexts(t, s, testAdmins[0]); len(texts) != 1 {
			t.Errorf("alerts for one stuck order = %q, want 1 even after the window", texts)
		}
	})
}

func TestAlertsJobFailedScrubsSecrets(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		alerts := &Alerts{Store: s, Admins: testAdmins[:1], Secrets: []string{"k-secret-123"}}

		err := errors.New(`call operator_codes: Get "https://kwik.test/api?api_key=k-secret-123": number 9876543210 rejected`)
		alerts.JobFailed(context.Background(), "catalog-sync", err)

		texts := alertTexts(t, s, testAdmins[0])
		if len(texts) != 1 {
			t.Fatalf("alerts = %q, want 1", texts)
		}
		if !strings.Contains(texts[0], "catalog-sync failed") {
			t.Errorf("alert %q does not name the job", texts[0])
		}
		if strings.Contains(texts[0], "k-secret-123") {
			t.Errorf("alert %q contains the secret", texts[0])
		}
		if strings.Contains(texts[0], "9876543210") || !strings.Contains(texts[0], "******3210") {
			t.Errorf("alert %q does not mask the number", texts[0])
		}
	})
}

func TestAlertsWithoutAdminsWriteNothing(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		alerts := &Alerts{Store: s}
		if err := alerts.Raise(context.Background(), Alert{Key: "low-balance", Text: "low"}); err != nil {
			t.Fatalf("Raise: %v", err)
		}
		msgs, err := s.OutboxMessages(context.Background(), 10)
		if err != nil {
			t.Fatalf("list outbox: %v", err)
		}
		if len(msgs) != 0 {
			t.Errorf("outbox has %d messages with no admin configured, want 0", len(msgs))
		}
	})
}

func TestAdminChats(t *testing.T) {
	got := AdminChats([]string{" 5001 ", ""}, []string{"+91 98000 00001", " "})
	want := []bot.ChatID{
		{Channel: bot.Telegram, ID: "5001"},
		{Channel: bot.WhatsApp, ID: "919800000001"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AdminChats (-want +got):\n%s", diff)
	}
}

func TestAlertKeyFitsColumn(t *testing.T) {
	short := alertKey("recharge-failed", "1", "Transaction Failed")
	if short != "recharge-failed:1:Transaction Failed" {
		t.Errorf("alertKey of a short key = %q, want the parts joined", short)
	}
	long := strings.Repeat("operator is temporarily unavailable ", 10)
	first, second := alertKey("recharge-failed", "1", long), alertKey("recharge-failed", "1", long+"!")
	if len(first) > maxAlertKey || len(second) > maxAlertKey {
		t.Errorf("long keys have %d and %d bytes, want at most %d", len(first), len(second), maxAlertKey)
	}
	if first == second {
		t.Errorf("different long keys both became %q", first)
	}
}

func TestScrub(t *testing.T) {
	cases := map[string]struct {
		in, want string
	}{
		"secret":          {"key abc123 rejected", "key [redacted] rejected"},
		"mobile number":   {"number 9876543210 invalid", "number ******3210 invalid"},
		"with country":    {"chat 919876543210 blocked", "chat ********3210 blocked"},
		"order id stays":  {"order 26120412345678 failed", "order 26120412345678 failed"},
		"short digits ok": {"HTTP 500 after 15s", "HTTP 500 after 15s"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := scrub(tc.in, []string{"abc123"}); got != tc.want {
				t.Errorf("scrub(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	long := scrub(strings.Repeat("é", 400), nil)
	if !strings.HasSuffix(long, "…") || len(long) > maxDetail+len("…") {
		t.Errorf("scrub of a long text returned %d bytes, want it cut to %d and marked", len(long), maxDetail)
	}
}

func TestRupees(t *testing.T) {
	cases := map[int64]string{0: "₹0", 19900: "₹199", 962: "₹9.62", 5: "₹0.05", -1050: "-₹10.50"}
	for paise, want := range cases {
		if got := rupees(paise); got != want {
			t.Errorf("rupees(%d) = %q, want %q", paise, got, want)
		}
	}
}
