package conversation

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func FuzzParseMobile(f *testing.F) {
	for _, seed := range []string{"9876543210", "+91 98765-43210", "09876543210", "919876543210", "+", "", "(0)"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		number, ok := parseMobile(s)
		if !ok {
			return
		}
		if len(number) != 10 || !allDigits(number) || number[0] < '6' {
			t.Fatalf("parseMobile(%q) = %q, not a 10-digit mobile number", s, number)
		}
		if again, ok := parseMobile(number); !ok || again != number {
			t.Fatalf("parseMobile(%q) = %q, %v; want it unchanged", number, again, ok)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, seed := range []string{"199", "199.50", "₹1,999", "Rs. 50", "100/-", "0", "-1", "1e9", "9999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		paise, err := parseAmount(s)
		if err != nil {
			return
		}
		if paise <= 0 || paise > maxAmountPaise {
			t.Fatalf("parseAmount(%q) = %d, outside (0, %d]", s, paise, maxAmountPaise)
		}
		rupees := strings.TrimPrefix(strings.ReplaceAll(formatRupees(paise), ",", ""), "₹")
		if again, err := parseAmount(rupees); err != nil || again != paise {
			t.Fatalf("parseAmount(%q) = %d, %v; want %d", rupees, again, err, paise)
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{"/start", "/credit 1 2 3", "/status@bot 42", "/", "//", "/a@", "hello"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, args, ok := parseCommand(s)
		if !ok {
			return
		}
		if name == "" || len(name) > 32 || name != strings.ToLower(name) || strings.ContainsAny(name, " @/") {
			t.Fatalf("parseCommand(%q) name = %q", s, name)
		}
		if args != strings.TrimSpace(args) {
			t.Fatalf("parseCommand(%q) args = %q, not trimmed", s, args)
		}
	})
}

func FuzzParseNumberAmount(f *testing.F) {
	for _, seed := range []string{"9876543210 199", "98765 43210 rs 50", "9876543210", "1 2", "9876543210,1,999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		number, amount, ok := parseNumberAmount(s)
		if !ok {
			return
		}
		if _, valid := parseMobile(number); !valid || amount <= 0 || amount > maxAmountPaise {
			t.Fatalf("parseNumberAmount(%q) = %q, %d", s, number, amount)
		}
	})
}

func FuzzMatchOption(f *testing.F) {
	opts := []bot.Option{
		{Label: "Pay ₹199", Data: "a"}, {Label: "Back", Data: "b"}, {Label: "₹199 · 28 days", Data: "c"},
		{Label: "Change operator", Data: "d"}, {Label: "", Data: "e"},
	}
	for _, seed := range []string{"1", "pay", "back", "199", "0", "99999999999999999999", "change"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := matchOption(opts, s)
		if !ok {
			return
		}
		for _, opt := range opts {
			if opt == got {
				return
			}
		}
		t.Fatalf("matchOption(%q) = %+v, not one of the options", s, got)
	})
}

func FuzzParseSubscriberID(f *testing.F) {
	for _, seed := range []string{"1234567890", "0123 4567 890", "abc", ""} {
		f.Add("27", seed)
		f.Add("99", seed)
	}
	f.Fuzz(func(t *testing.T, opid, s string) {
		id, ok := parseSubscriberID(opid, s)
		if ok && (!allDigits(id) || len(id) < 6 || len(id) > 16) {
			t.Fatalf("parseSubscriberID(%q, %q) = %q", opid, s, id)
		}
	})
}

// FuzzHandle sends random text and button data through the engine on SQLite: it must never
// panic, fail or stay silent, whatever the conversation's state.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		"9876543210", "1", "2", "back", "/cancel", "9876543210 199", "pay", "/dth", "tata", "/credit 1 1",
		"/numbers add x 9876543210", "x", "/history 999", "/status 1", "more", "g:99", "p:1:2:3", "pay:",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}

	c := newClock()
	engine := modelstest.Engines(f)[0]
	opts := engine.NewDatabase(f)
	opts.Now = c.Now
	h := newHarness(f, modelstest.Open(f, opts), c, nil)
	h.fund(customerID, 1_000_000)

	f.Fuzz(func(t *testing.T, s string, pressed bool) {
		in := inbound(customerID, s)
		if pressed {
			in.Text, in.Data = "", s
		}
		out, err := h.engine.Handle(context.Background(), in)
		if err != nil {
			t.Fatalf("Handle(%q): %v", s, err)
		}
		if len(out) == 0 && strings.TrimSpace(s) != "" {
			t.Fatalf("Handle(%q) gave no reply", s)
		}
		for _, o := range out {
			if !utf8.ValidString(o.Text) && utf8.ValidString(s) {
				t.Fatalf("Handle(%q) reply is not UTF-8: %q", s, o.Text)
			}
			if strings.Contains(o.Text, "went wrong") {
				t.Fatalf("Handle(%q) failed inside; log:\n%s", s, h.logs.String())
			}
		}
	})
}

func FuzzSplitCreditArgs(f *testing.F) {
	for _, seed := range []string{"123 500", "+91 98765 43210 100 cash", "9876543210 5 6", "", "x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, amount, _, ok := splitCreditArgs(s)
		if ok && (ref == "" || amount <= 0 || amount > maxAmountPaise) {
			t.Fatalf("splitCreditArgs(%q) = %q, %d", s, ref, amount)
		}
	})
}
