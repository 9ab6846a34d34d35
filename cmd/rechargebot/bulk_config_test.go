package main

import (
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/conversation"
)

func TestBulkAndLimitDefaults(t *testing.T) {
	cfg, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if got, want := cfg.BulkConfig(), (conversation.BulkConfig{MaxLines: 1000, Concurrency: 5}); got != want {
		t.Errorf("BulkConfig() = %+v, want %+v", got, want)
	}
	if got, want := cfg.ChatLimits(), (conversation.LimitsConfig{MessagesPerMinute: 30}); got != want {
		t.Errorf("ChatLimits() = %+v, want %+v", got, want)
	}
}

func TestDailyLimitsInRupees(t *testing.T) {
	cfg, err := LoadConfig(envFrom(map[string]string{
		"DAILY_LIMIT_CUSTOMER": "2499.50", "DAILY_LIMIT_AGENT": "50,000", "MESSAGES_PER_MINUTE": "0",
	}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	want := conversation.LimitsConfig{DailyCustomerPaise: 249_950, DailyAgentPaise: 5_000_000}
	if got := cfg.ChatLimits(); got != want {
		t.Errorf("ChatLimits() = %+v, want %+v", got, want)
	}
	if got := cfg.DailyLimits(); got != want {
		t.Errorf("DailyLimits() = %+v, want %+v", got, want)
	}
}

func TestBulkConfigErrorsNameTheVariable(t *testing.T) {
	cases := map[string]struct {
		vars map[string]string
		want string
	}{
		"no lines":           {map[string]string{"BULK_MAX_LINES": "0"}, "BULK_MAX_LINES"},
		"no concurrency":     {map[string]string{"BULK_CONCURRENCY": "0"}, "BULK_CONCURRENCY"},
		"too concurrent":     {map[string]string{"BULK_CONCURRENCY": "51"}, "BULK_CONCURRENCY"},
		"bad customer limit": {map[string]string{"DAILY_LIMIT_CUSTOMER": "lots"}, "DAILY_LIMIT_CUSTOMER"},
		"negative agent":     {map[string]string{"DAILY_LIMIT_AGENT": "-100"}, "DAILY_LIMIT_AGENT"},
		"negative rate":      {map[string]string{"MESSAGES_PER_MINUTE": "-1"}, "MESSAGES_PER_MINUTE"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(envFrom(tc.vars))
			if err == nil {
				t.Fatal("LoadConfig succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
		})
	}
}
