package main

import (
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/kwik"
)

func TestKwikBudgetsDefaults(t *testing.T) {
	cfg, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	got := cfg.KwikBudgets()

	// The documented daily limits are the defaults; per-recharge endpoints are unlimited.
	for ep, limit := range kwik.DailyLimits() {
		if got[ep] != limit {
			t.Errorf("budget of %s = %d, want the documented %d", ep, got[ep], limit)
		}
	}
	for _, ep := range []kwik.Endpoint{kwik.EndpointDetect, kwik.EndpointPlans, kwik.EndpointDTHPlans, kwik.EndpointROffers, kwik.EndpointRecharge} {
		if got[ep] != 0 {
			t.Errorf("budget of %s = %d, want 0 (no limit)", ep, got[ep])
		}
	}
	if len(got) != len(kwik.Endpoints()) {
		t.Errorf("budgets cover %d endpoints, want all %d", len(got), len(kwik.Endpoints()))
	}
}

func TestKwikBudgetsFromEnvironment(t *testing.T) {
	cfg, err := LoadConfig(envFrom(map[string]string{"KWIKAPI_BUDGET_STATUS": "40", "KWIKAPI_BUDGET_RECHARGE": "500"}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	got := cfg.KwikBudgets()
	if got[kwik.EndpointStatus] != 40 {
		t.Errorf("status budget = %d, want 40", got[kwik.EndpointStatus])
	}
	if got[kwik.EndpointRecharge] != 500 {
		t.Errorf("recharge budget = %d, want 500", got[kwik.EndpointRecharge])
	}
	if got[kwik.EndpointCircles] != 2 {
		t.Errorf("circles budget = %d, want the default 2", got[kwik.EndpointCircles])
	}
}

func TestKwikBudgetNegativeRejected(t *testing.T) {
	_, err := LoadConfig(envFrom(map[string]string{"KWIKAPI_BUDGET_CIRCLES": "-1"}))
	if err == nil || !strings.Contains(err.Error(), "KWIKAPI_BUDGET_CIRCLES") {
		t.Errorf("LoadConfig error = %v, want one naming KWIKAPI_BUDGET_CIRCLES", err)
	}
}

func TestKwikBudgetNotANumberRejected(t *testing.T) {
	_, err := LoadConfig(envFrom(map[string]string{"KWIKAPI_BUDGET_STATUS": "lots"}))
	if err == nil || !strings.Contains(err.Error(), "KWIKAPI_BUDGET_STATUS") {
		t.Errorf("LoadConfig error = %v, want one naming KWIKAPI_BUDGET_STATUS", err)
	}
}
