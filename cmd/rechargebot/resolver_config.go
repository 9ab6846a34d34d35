package main

import (
	"fmt"
	"time"
)

// LowBalancePaise returns ALERT_LOW_BALANCE in paise. validateResolver has checked it.
func (c *Config) LowBalancePaise() int64 {
	paise, _ := parseRupees(c.AlertLowBalance)
	return paise
}

func (c *Config) validateResolver() error {
	if _, err := parseRupees(c.AlertLowBalance); err != nil {
		return fmt.Errorf("ALERT_LOW_BALANCE %q is invalid: use rupees such as 1000 or 499.50, or 0 to disable the check", c.AlertLowBalance)
	}
	if c.PendingMaxChecks < 1 {
		return fmt.Errorf("PENDING_MAX_CHECKS is %d: use a positive number of checks, such as 5", c.PendingMaxChecks)
	}
	if c.AlertTimeoutRun < 1 {
		return fmt.Errorf("ALERT_TIMEOUT_RUN is %d: use a positive number of calls, such as 3", c.AlertTimeoutRun)
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{
		{"PENDING_CHECK_INTERVAL", c.PendingCheckInterval},
		{"STUCK_CHECK_INTERVAL", c.StuckCheckInterval},
		{"BALANCE_CHECK_INTERVAL", c.BalanceCheckInterval},
		{"ALERT_REPEAT_INTERVAL", c.AlertRepeatInterval},
		{"RECONCILE_INTERVAL", c.ReconcileInterval},
	} {
		if d.value <= 0 {
			return fmt.Errorf("%s must be a positive duration such as 45s or 1h", d.name)
		}
	}
	return nil
}
