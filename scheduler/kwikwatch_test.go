package scheduler

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestKwikWatchAlertsOnRejectedKey(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		const wrongKey = "wrong-key-4455"
		sim := kwiksim.New(kwiksim.Options{Now: clock.Now})
		srv := httptest.NewServer(sim.Handler())
		defer srv.Close()
		alerts := &Alerts{Store: s, Admins: testAdmins[:1], Secrets: []string{wrongKey}}
		watch := &KwikWatch{Alerts: alerts}
		client, err := kwik.New(srv.URL, wrongKey, kwik.WithObserver(watch.Observe), kwik.WithRetry(1, 0))
		if err != nil {
			t.Fatalf("create client: %v", err)
		}

		if _, err := client.Balance(t.Context()); err == nil {
			t.Fatalf("Balance with a wrong key succeeded")
		}
		if err := watch.Check(t.Context()); err != nil {
			t.Fatalf("Check: %v", err)
		}

		texts := alertTexts(t, s, testAdmins[0])
		if len(texts) != 1 || !strings.Contains(texts[0], "rejected the API key") {
			t.Fatalf("alerts = %q, want one about the rejected key", texts)
		}
		if strings.Contains(texts[0], wrongKey) {
			t.Errorf("alert %q contains the API key", texts[0])
		}
		if err := watch.Check(t.Context()); err != nil {
			t.Fatalf("second Check: %v", err)
		}
		if texts := alertTexts(t, s, testAdmins[0]); len(texts) != 1 {
			t.Errorf("alerts after a Check with nothing new = %d, want 1", len(texts))
		}
	})
}

func TestKwikWatchAlertsOnTimeoutRun(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		sim := kwiksim.New(kwiksim.Options{Now: clock.Now})
		srv := httptest.NewServer(sim.Handler())
		defer srv.Close()
		watch := &KwikWatch{Alerts: &Alerts{Store: s, Admins: testAdmins[:1]}}
		client, err := kwik.New(srv.URL, sim.APIKey(), kwik.WithObserver(watch.Observe),
			kwik.WithRetry(1, 0), kwik.WithTimeout(20*time.Millisecond))
		if err != nil {
			t.Fatalf("create client: %v", err)
		}
		sim.FailNext(kwik.EndpointBalance, 5, kwiksim.Hang)

		for range 2 {
			client.Balance(t.Context())
		}
		watch.Check(t.Context())
		if texts := alertTexts(t, s, testAdmins[0]); len(texts) != 0 {
			t.Fatalf("alerts after 2 timeouts = %q, want none before a run of %d", texts, DefaultTimeoutRun)
		}

		client.Balance(t.Context())
		if err := watch.Check(t.Context()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		texts := alertTexts(t, s, testAdmins[0])
		if len(texts) != 1 || !strings.Contains(texts[0], "3 KwikAPI calls in a row") {
			t.Fatalf("alerts after 3 timeouts = %q, want one about the run", texts)
		}

		client.Balance(t.Context())
		client.Balance(t.Context())
		if _, err := client.Balance(t.Context()); err != nil {
			t.Fatalf("Balance after the faults: %v", err)
		}
		watch.Check(t.Context())
		if texts := alertTexts(t, s, testAdmins[0]); len(texts) != 1 {
			t.Errorf("alerts after the run continued and ended within the hour = %d, want 1", len(texts))
		}
	})
}
