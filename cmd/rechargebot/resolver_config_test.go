package main

import (
	"strings"
	"testing"
	"time"
)

func TestResolverConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if cfg.PendingCheckInterval != 45*time.Second {
		t.Errorf("PendingCheckInterval = %v, want 45s", cfg.PendingCheckInterval)
	}
	if cfg.PendingMaxChecks != 5 {
		t.Errorf("PendingMaxChecks = %d, want 5", cfg.PendingMaxChecks)
	}
	if cfg.LowBalancePaise() != 1000_00 {
		t.Errorf("LowBalancePaise() = %d, want 100000 (₹1000)", cfg.LowBalancePaise())
	}
	if cfg.AlertRepeatInterval != time.Hour {
		t.Errorf("AlertRepeatInterval = %v, want 1h", cfg.AlertRepeatInterval)
	}
}

func TestResolverConfigLowBalanceRupees(t *testing.T) {
	cfg, err := LoadConfig(envFrom(map[string]string{"ALERT_LOW_BALANCE": "499.50"}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if cfg.LowBalancePaise() != 499_50 {
		t.Errorf("LowBalancePaise() = %d, want 49950", cfg.LowBalancePaise())
	}
}

func TestResolverConfigErrorsNameTheVariable(t *testing.T) {
	cases := map[string]struct {
		vars map[string]string
		want string
	}{
		"low balance not rupees": {map[string]string{"ALERT_LOW_BALANCE": "lots"}, "ALERT_LOW_BALANCE"},
		"zero interval":          {map[string]string{"PENDING_CHECK_INTERVAL": "0s"}, "PENDING_CHECK_INTERVAL"},
		"zero max checks":        {map[string]string{"PENDING_MAX_CHECKS": "0"}, "PENDING_MAX_CHECKS"},
		"zero timeout run":       {map[string]string{"ALERT_TIMEOUT_RUN": "0"}, "ALERT_TIMEOUT_RUN"},
		"negative reconcile":     {map[string]string{"RECONCILE_INTERVAL": "-1h"}, "RECONCILE_INTERVAL"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(envFrom(tc.vars))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadConfig error = %v, want one naming %s", err, tc.want)
			}
		})
	}
}
