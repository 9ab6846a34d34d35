package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

// scriptedEngine plays a recharge conversation the way the engine would, keyed by user.
// It accepts an option by its number or its label, as the engine does.
type scriptedEngine struct {
	mu    sync.Mutex
	state map[string]string
}

var planOptions = []bot.Option{
	{Label: "₹199 · 28 days · 1.5GB/day", Data: "plan:199"},
	{Label: "₹299 · 28 days · 2GB/day *unlimited*", Data: "plan:299"},
}

func (e *scriptedEngine) Handle(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	text := strings.TrimSpace(in.Text)

	if in.File != nil {
		lines := strings.Count(strings.TrimSpace(string(in.File.Data)), "\n")
		return []bot.Outbound{{Text: "Bulk file " + in.File.Name + " received: " + strconv.Itoa(lines) + " recharges."}}, nil
	}
	switch e.state[in.UserID] {
	case "":
		e.state[in.UserID] = "number"
		return []bot.Outbound{{Text: "Hi " + in.DisplayName + "! Send the mobile number to recharge."}}, nil
	case "number":
		e.state[in.UserID] = "plan"
		return []bot.Outbound{{Text: "Airtel, Delhi NCR. Choose a plan:", Options: planOptions}}, nil
	case "plan":
		if text != "1" && text != planOptions[0].Label {
			return []bot.Outbound{{Text: "Reply with a plan number, e.g. 1."}}, nil
		}
		e.state[in.UserID] = "confirm"
		return []bot.Outbound{{Text: "Recharge 98765 43210 with ₹199?", Options: []bot.Option{
			{Label: "Pay ₹199", Data: "pay"}, {Label: "Cancel", Data: "cancel"},
		}}}, nil
	case "confirm":
		e.state[in.UserID] = ""
		return []bot.Outbound{{Text: "Recharge submitted. Order 2612040001; I will message you the result."}}, nil
	}
	return nil, errors.New("unknown state")
}

func TestCustomerJourney(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, Config{Handler: &scriptedEngine{state: map[string]string{}}, Logger: logger})
	h.client.LIDs[customerLID] = customerPhone
	say := func(text string) {
		h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), text))
	}

	say("hi")
	say("9876543210")
	say("1")
	// The customer's phone now addresses the bot by LID; the number stays the identity.
	h.deliver(textEvent(fromPerson(lidJID, h.clock.Now()), "Pay ₹199"))
	// The result comes later from the outbox, through Send.
	if _, err := h.a.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{
		Text: "✅ Recharge of ₹199 for 98765 43210 succeeded. Operator ref AB12_CD_34.",
	}); err != nil {
		t.Fatalf("Send result: %v", err)
	}
	// An agent sends a bulk file.
	csv := "number,amount\n9876543210,199\n9812345678,299\n"
	h.client.Download = []byte(csv)
	h.deliver(&events.Message{Info: fromPerson(agentJID, h.clock.Now()), Message: &waE2E.Message{
		DocumentMessage: &waE2E.DocumentMessage{FileName: ptr("bulk.csv"), Mimetype: ptr("text/csv"), FileLength: ptr(uint64(len(csv)))},
	}})
	// A stranger is never messaged first.
	_, strangerErr := h.a.Send(context.Background(), whatsAppChat(strangerPhone), bot.Outbound{Text: "Offer!"})

	want := []string{
		"Hi Asha! Send the mobile number to recharge.",
		"Airtel, Delhi NCR. Choose a plan:\n\n1. ₹199 · 28 days · 1.5GB/day\n2. ₹299 · 28 days · 2GB/day ∗unlimited∗",
		"Recharge 98765 43210 with ₹199?\n\n1. Pay ₹199\n2. Cancel",
		"Recharge submitted. Order 2612040001; I will message you the result.",
		"✅ Recharge of ₹199 for 98765 43210 succeeded. Operator ref AB12ˍCDˍ34.",
		"Bulk file bulk.csv received: 2 recharges.",
	}
	if diff := cmp.Diff(want, h.client.SentTexts()); diff != "" {
		t.Errorf("conversation (-want +got):\n%s", diff)
	}
	if !errors.Is(strangerErr, bot.ErrUnreachable) {
		t.Errorf("Send to a stranger = %v, want ErrUnreachable", strangerErr)
	}

	for _, secret := range []string{customerPhone, agentPhone, strangerPhone, customerLID, "9876543210"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %s in full:\n%s", bot.Mask(secret), logs.String())
		}
	}
}
