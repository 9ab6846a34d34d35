package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestBalanceCheckAlertsWhenLow(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		check := &BalanceCheck{Kwik: h.client, Alerts: h.alerts, ThresholdPaise: 1000_00}

		h.sim.SetBalance(5000_00)
		if err := check.Check(h.ctx); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if alerts := h.adminAlerts(); len(alerts) != 0 {
			t.Fatalf("alerts with ₹5000 in the wallet = %d, want 0", len(alerts))
		}

		h.sim.SetBalance(400_50)
		for range 2 {
			if err := check.Check(h.ctx); err != nil {
				t.Fatalf("Check: %v", err)
			}
			clock.Advance(10 * time.Minute)
		}
		alerts := h.adminAlerts()
		if len(alerts) != 1 {
			t.Fatalf("alerts after two low readings within the hour = %d, want 1", len(alerts))
		}
		if !strings.Contains(alerts[0].Text, "₹400.50") || !strings.Contains(alerts[0].Text, "₹1000") {
			t.Errorf("alert %q does not give the balance and the alert level", alerts[0].Text)
		}
		if calls := h.sim.Calls(kwik.EndpointBalance); calls != 3 {
			t.Errorf("balance calls = %d, want 3", calls)
		}
	})
}

func TestBalanceCheckSkipsWithoutBudget(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		check := &BalanceCheck{Kwik: h.client, Alerts: h.alerts, ThresholdPaise: 1000_00}
		h.sim.SetBalance(100_00)
		for range hourlyAllowance(48, clock.Now()) {
			if err := s.SpendCall(h.ctx, string(kwik.EndpointBalance), 0); err != nil {
				t.Fatalf("spend balance call: %v", err)
			}
		}

		if err := check.Check(h.ctx); err != nil {
			t.Errorf("Check with the allowance used = %v, want nil", err)
		}
		if calls := h.sim.Calls(kwik.EndpointBalance); calls != 0 {
			t.Errorf("balance calls = %d, want 0", calls)
		}
		if alerts := h.adminAlerts(); len(alerts) != 0 {
			t.Errorf("alerts = %d, want 0 without a reading", len(alerts))
		}
	})
}

func TestBalanceCheckDisabled(t *testing.T) {
	check := &BalanceCheck{}
	if err := check.Check(t.Context()); err != nil {
		t.Errorf("Check with no threshold = %v, want nil without calling KwikAPI", err)
	}
}
