package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

const linkedPhone = "919876543210"

// linkDeviceOffline stores a device for linkedPhone as a finished login would, without network.
func linkDeviceOffline(t *testing.T, opts models.Options) {
	t.Helper()
	ctx := context.Background()
	store := modelstest.Open(t, opts)
	waStore, err := openWhatsAppStore(ctx, store, nil)
	if err != nil {
		t.Fatalf("openWhatsAppStore: %v", err)
	}
	device := waStore.Container.NewDevice()
	jid := types.NewADJID(linkedPhone, 0, 3)
	device.ID = &jid
	device.Account = &waAdv.ADVSignedDeviceIdentity{
		Details:             []byte{1},
		AccountSignature:    make([]byte, 64),
		AccountSignatureKey: make([]byte, 32),
		DeviceSignature:     make([]byte, 64),
	}
	if err := device.Save(ctx); err != nil {
		t.Fatalf("save device: %v", err)
	}
}

func TestWhatsAppLoginRefusesLinkedDevice(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			linkDeviceOffline(t, opts)
			vars := map[string]string{"DATABASE_URL": opts.DatabaseURL, "DATA_DIR": opts.DataDir}
			var stdout, stderr bytes.Buffer

			code := run(t.Context(), []string{"whatsapp-login"}, envFrom(vars), nil, &stdout, &stderr)

			if code != 1 {
				t.Fatalf("exit status %d, want 1; stderr: %s", code, stderr.String())
			}
			for _, want := range []string{"already linked", "********3210", "--force"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
			if strings.Contains(stdout.String()+stderr.String(), linkedPhone) {
				t.Error("output shows the full phone number")
			}
		})
	}
}

func TestWhatsAppLoginRejectsBadArguments(t *testing.T) {
	cases := map[string]struct {
		args     []string
		wantCode int
		want     string
	}{
		"phone without country code": {[]string{"--phone", "9876543210"}, 2, "country code 91"},
		"phone with letters":         {[]string{"--phone", "call-me"}, 2, "digits"},
		"extra argument":             {[]string{"now"}, 2, `unexpected argument "now"`},
		"unknown flag":               {[]string{"--qr"}, 2, "flag provided but not defined"},
		"help":                       {[]string{"--help"}, 0, "--phone"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// DATA_DIR points nowhere useful: these must fail before opening any database.
			vars := map[string]string{"DATA_DIR": t.TempDir()}
			var stdout, stderr bytes.Buffer
			args := append([]string{"whatsapp-login"}, tc.args...)

			code := run(t.Context(), args, envFrom(vars), nil, &stdout, &stderr)

			if code != tc.wantCode {
				t.Errorf("exit status %d, want %d; stderr: %s", code, tc.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.want)
			}
		})
	}
}

func TestWhatsmeowDialect(t *testing.T) {
	cases := map[models.Dialect]string{models.SQLite: "sqlite3", models.Postgres: "postgres"}
	for dialect, want := range cases {
		if got := whatsmeowDialect(dialect); got != want {
			t.Errorf("whatsmeowDialect(%s) = %q, want %q", dialect, got, want)
		}
	}
}

func TestWhatsAppPaceConfig(t *testing.T) {
	cfg, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if cfg.WhatsAppMessagesPerMinute != 20 {
		t.Errorf("WhatsAppMessagesPerMinute = %d, want 20", cfg.WhatsAppMessagesPerMinute)
	}
	_, err = LoadConfig(envFrom(map[string]string{"WHATSAPP_MESSAGES_PER_MINUTE": "0"}))
	if err == nil || !strings.Contains(err.Error(), "WHATSAPP_MESSAGES_PER_MINUTE") {
		t.Errorf("LoadConfig with 0 messages per minute = %v, want an error naming the variable", err)
	}
}
