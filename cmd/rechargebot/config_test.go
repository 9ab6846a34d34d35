package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envFrom(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if !cfg.Simulated() {
		t.Error("Simulated() = false with no key, want true")
	}
	if cfg.SessionIdleTimeout != 15*time.Minute {
		t.Errorf("SessionIdleTimeout = %v, want 15m", cfg.SessionIdleTimeout)
	}
	if cfg.DataDir != "." {
		t.Errorf("DataDir = %q, want .", cfg.DataDir)
	}
}

func TestLoadConfigSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte("k-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(envFrom(map[string]string{
		"KWIKAPI_API_KEY_FILE": path,
		"KWIKAPI_BASE_URL":     "http://127.0.0.1:1",
	}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if cfg.KwikAPIKey != "k-from-file" {
		t.Errorf("KwikAPIKey = %q, want k-from-file", cfg.KwikAPIKey)
	}
}

func TestLoadConfigRejectsEmptyKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(envFrom(map[string]string{
		"KWIKAPI_API_KEY_FILE": path,
		"KWIKAPI_BASE_URL":     "https://www.kwikapi.com",
	}))
	if err == nil || !strings.Contains(err.Error(), "KWIKAPI_API_KEY is empty") {
		t.Errorf("LoadConfig with an empty key file = %v, want an error about the empty key", err)
	}
}

func TestLoadConfigTrimsByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte("\uFEFF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(envFrom(map[string]string{
		"KWIKAPI_API_KEY_FILE": path,
		"KWIKAPI_BASE_URL":     "https://www.kwikapi.com",
	}))
	if err == nil || !strings.Contains(err.Error(), "KWIKAPI_API_KEY is empty") {
		t.Errorf("LoadConfig with a key file holding only a byte order mark = %v, want the empty key rejected", err)
	}
}

func TestLoadConfigErrorsNameTheVariable(t *testing.T) {
	cases := map[string]struct {
		vars map[string]string
		want string
	}{
		"bad duration":       {map[string]string{"SESSION_IDLE_TIMEOUT": "soon"}, "SESSION_IDLE_TIMEOUT"},
		"negative duration":  {map[string]string{"KWIKAPI_TIMEOUT": "-1s"}, "KWIKAPI_TIMEOUT"},
		"recharge too long":  {map[string]string{"KWIKAPI_RECHARGE_TIMEOUT": "10m"}, "KWIKAPI_RECHARGE_TIMEOUT"},
		"recharge too short": {map[string]string{"KWIKAPI_RECHARGE_TIMEOUT": "1ns"}, "KWIKAPI_RECHARGE_TIMEOUT"},
		"negative rupees":    {map[string]string{"ALERT_LOW_BALANCE": "-1"}, "ALERT_LOW_BALANCE"},
		"three decimals":     {map[string]string{"DAILY_LIMIT_AGENT": "1.999"}, "DAILY_LIMIT_AGENT"},
		"short admin number": {map[string]string{"ADMIN_WHATSAPP_NUMBERS": "123"}, "ADMIN_WHATSAPP_NUMBERS"},
		"webhook no secret":  {map[string]string{"TELEGRAM_WEBHOOK_URL": "https://x.test/hook"}, "TELEGRAM_WEBHOOK_SECRET"},
		"key without url":    {map[string]string{"KWIKAPI_API_KEY": "k"}, "KWIKAPI_BASE_URL"},
		"url without key":    {map[string]string{"KWIKAPI_BASE_URL": "https://www.kwikapi.com"}, "KWIKAPI_API_KEY is empty"},
		"bad log level":      {map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		"missing file":       {map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"}, "TELEGRAM_BOT_TOKEN_FILE"},
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

func TestHelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	if code := run(t.Context(), []string{"--help"}, envFrom(nil), nil, &out, &out); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	for _, field := range configFields() {
		if !strings.Contains(out.String(), field.Tag.Get("env")) {
			t.Errorf("--help does not list %s", field.Tag.Get("env"))
		}
	}
}

func TestUnknownSubcommandExitsTwo(t *testing.T) {
	var out bytes.Buffer
	if code := run(t.Context(), []string{"frobnicate"}, envFrom(nil), nil, &out, &out); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
}
