package whatsapp

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

func TestLogsMaskNumbers(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	handler := &recordingHandler{reply: func(in bot.Inbound) ([]bot.Outbound, error) {
		return nil, fmt.Errorf("engine failed for %s", bot.Mask(in.UserID))
	}}
	h := newHarness(t, Config{Handler: handler, Logger: logger})
	now := h.clock.Now()

	h.deliver(textEvent(fromPerson(customerJID, now), "hi"))                                      // handler error
	h.deliver(&events.UndecryptableMessage{Info: fromPerson(customerJID, now)})                   // warning with chat
	h.deliver(textEvent(fromPerson(types.NewJID(customerLID, types.HiddenUserServer), now), "x")) // unmapped LID
	h.deliver(textEvent(fromPerson(customerJID, now.Add(-time.Hour)), "old"))                     // backlog
	h.client.SendErr = fmt.Errorf("no session with %s", customerJID)
	h.deliver(textEvent(fromPerson(customerJID, now), "again")) // reply fails

	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	for _, secret := range []string{customerPhone, customerLID} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %s in full:\n%s", bot.Mask(secret), logs.String())
		}
	}
	if !strings.Contains(logs.String(), bot.Mask(customerPhone)) {
		t.Errorf("logs do not name the chat by its masked number:\n%s", logs.String())
	}
}

func TestWhatsmeowLoggerScrubs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wa := newWALogger(logger, "client").Sub("Socket")
	key := "q9Zk3vR0bq3kX1yKp0f5Q2s8LrV7cT4mN6hJ1aWd3eU="

	wa.Warnf("Error decrypting message from %s: %v", "919876543210:12@s.whatsapp.net", "bad mac")
	wa.Errorf("session key %s rejected", key)
	wa.Debugf("<message from=%q/>", "919876543210@s.whatsapp.net")
	wa.Infof("Successfully authenticated")

	out := logs.String()
	if strings.Contains(out, "919876543210") {
		t.Errorf("log shows a full phone number:\n%s", out)
	}
	if strings.Contains(out, key) {
		t.Errorf("log shows a key:\n%s", out)
	}
	if strings.Contains(out, "<message") {
		t.Errorf("debug stanza was logged:\n%s", out)
	}
	for _, want := range []string{"********3210:12@s.whatsapp.net", "[redacted]", "module=client/Socket", "Successfully authenticated"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestScrubLogTruncates(t *testing.T) {
	got := scrubLog(strings.Repeat("a b ", 400))
	if len(got) > maxLogMessage+len("…") {
		t.Errorf("scrubbed line has %d bytes, want at most %d", len(got), maxLogMessage)
	}
}
