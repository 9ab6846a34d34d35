package bot

import (
	"context"
	"errors"
	"testing"
)

func TestMask(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"mobile number": {"9876543210", "******3210"},
		"with country":  {"919876543210", "********3210"},
		"short":         {"123", "123"},
		"empty":         {"", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Mask(tc.in); got != tc.want {
				t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestChatIDStringMasksID(t *testing.T) {
	got := ChatID{Channel: WhatsApp, ID: "919876543210"}.String()
	if want := "whatsapp:********3210"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

type recordingSender struct{ got []ChatID }

func (r *recordingSender) Send(_ context.Context, to ChatID, _ Outbound) (MessageRef, error) {
	r.got = append(r.got, to)
	return "1", nil
}

func TestSendersRoutesByChannel(t *testing.T) {
	tg := &recordingSender{}
	senders := Senders{Telegram: tg}

	if _, err := senders.Send(context.Background(), ChatID{Telegram, "42"}, Outbound{Text: "hi"}); err != nil {
		t.Fatalf("Send to telegram: %v", err)
	}
	if len(tg.got) != 1 {
		t.Errorf("telegram sender got %d messages, want 1", len(tg.got))
	}

	_, err := senders.Send(context.Background(), ChatID{WhatsApp, "919876543210"}, Outbound{Text: "hi"})
	if !errors.Is(err, ErrNoChannel) {
		t.Errorf("Send to whatsapp error = %v, want ErrNoChannel", err)
	}
}

func TestMaskNumbers(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"plain":          {"Recharge of Rs 11 on 9876543210 failed", "Recharge of Rs 11 on ******3210 failed"},
		"with 91":        {"number 919876543210.", "number ********3210."},
		"with 0":         {"(09876543210)", "(*******3210)"},
		"two numbers":    {"9876543210/9123456789", "******3210/******6789"},
		"order id kept":  {"order 26120412345678 done", "order 26120412345678 done"},
		"amount kept":    {"Rs 199.00 at 12:05", "Rs 199.00 at 12:05"},
		"not a mobile":   {"ref 5876543210", "ref 5876543210"},
		"eleven digits":  {"98765432101", "98765432101"},
		"empty":          {"", ""},
		"spaced":         {"failed for 98765 43210", "failed for ***** *3210"},
		"dashed":         {"failed for 98765-43210", "failed for *****-*3210"},
		"three groups":   {"Number 9876-543-210 is ported", "Number ****-**3-210 is ported"},
		"plus 91 spaced": {"Mobile: +91 98765 43210 invalid", "Mobile: +** ***** *3210 invalid"},
		"full width":     {"Mobile ９８７６５４３２１０", "Mobile ******3210"},
		"amount before":  {"Rs 199 9876543210", "Rs 199 ******3210"},
		"decimal amount": {"Rs 199.00 debited", "Rs 199.00 debited"},
		"unicode around": {"नंबर 9876543210 पर", "नंबर ******3210 पर"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := MaskNumbers(tc.in); got != tc.want {
				t.Errorf("MaskNumbers(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzMaskNumbers(f *testing.F) {
	for _, seed := range []string{"Recharge on +91 98765 43210 failed", "order 26120412345678", "９８７６５４３２１０", "0-9876-543-210"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		masked := MaskNumbers(text)
		for _, g := range digitGroups([]byte(masked)) {
			if run := masked[g.start:g.end]; isMobileRun(run) {
				t.Fatalf("MaskNumbers(%q) = %q, which still holds the mobile number %s", text, masked, run)
			}
		}
	})
}
