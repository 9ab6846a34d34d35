package conversation

import (
	"errors"
	"testing"

	"github.com/rechargebot/rechargebot/bot"
)

func TestParseMobile(t *testing.T) {
	cases := map[string]struct {
		in   string
		want string
		ok   bool
	}{
		"plain":            {"9876543210", "9876543210", true},
		"spaces":           {" 98765 43210 ", "9876543210", true},
		"dashes":           {"98765-43210", "9876543210", true},
		"plus country":     {"+91 98765 43210", "9876543210", true},
		"country":          {"919876543210", "9876543210", true},
		"trunk zero":       {"09876543210", "9876543210", true},
		"brackets":         {"(+91) 98765.43210", "9876543210", true},
		"starts with 6":    {"6000000000", "6000000000", true},
		"starts with 5":    {"5876543210", "", false},
		"nine digits":      {"987654321", "", false},
		"eleven digits":    {"98765432101", "", false},
		"foreign country":  {"+44 7911 123456", "", false},
		"plus without 91":  {"+9876543210", "", false},
		"letters":          {"98765abcde", "", false},
		"amount too":       {"9876543210 199", "", false},
		"empty":            {"", "", false},
		"plus in middle":   {"98765+43210", "", false},
		"unicode digits":   {"९८७६५४३२१०", "", false},
		"country and zero": {"+9109876543210", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := parseMobile(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseMobile(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseAmount(t *testing.T) {
	cases := map[string]struct {
		in   string
		want int64
		err  error
	}{
		"rupees":           {"199", 19900, nil},
		"paise":            {"199.50", 19950, nil},
		"one decimal":      {"9.6", 960, nil},
		"rupee sign":       {"₹199", 19900, nil},
		"rs":               {"Rs. 50", 5000, nil},
		"rs no dot":        {"rs50", 5000, nil},
		"inr":              {"INR 10", 1000, nil},
		"slash dash":       {"100/-", 10000, nil},
		"rupees word":      {"100 rupees", 10000, nil},
		"indian grouping":  {"1,00,000", 10000000, nil},
		"thousands":        {"1,999", 199900, nil},
		"leading zeros":    {"0010", 1000, nil},
		"maximum":          {"1000000", 100000000, nil},
		"three decimals":   {"1.234", 0, errAmountSyntax},
		"trailing point":   {"199.", 0, errAmountSyntax},
		"leading point":    {".5", 0, errAmountSyntax},
		"negative":         {"-199", 0, errAmountSyntax},
		"zero":             {"0", 0, errAmountZero},
		"zero paise":       {"0.00", 0, errAmountZero},
		"too large":        {"1000001", 0, errAmountTooLarge},
		"huge":             {"99999999999999999999999", 0, errAmountTooLarge},
		"words":            {"two hundred", 0, errAmountSyntax},
		"double comma":     {"1,,000", 0, errAmountSyntax},
		"trailing comma":   {"1000,", 0, errAmountSyntax},
		"western grouping": {"1,000,000", 100000000, nil},
		"comma as point":   {"1,99", 0, errAmountSyntax},
		"comma per digit":  {"1,0,0,0", 0, errAmountSyntax},
		"mixed grouping":   {"1,00,000,000", 0, errAmountSyntax},
		"long first group": {"1000,000", 0, errAmountSyntax},
		"empty":            {"", 0, errAmountSyntax},
		"exponent":         {"1e3", 0, errAmountSyntax},
		"two amounts":      {"100 200", 0, errAmountSyntax},
		"plus sign":        {"+100", 0, errAmountSyntax},
		"only currency":    {"₹", 0, errAmountSyntax},
		"spaces in number": {"1 000", 0, errAmountSyntax},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseAmount(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("parseAmount(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseCommand(t *testing.T) {
	cases := map[string]struct {
		in, name, args string
		ok             bool
	}{
		"bare":          {"/start", "start", "", true},
		"args":          {"/credit 123 500 cash note", "credit", "123 500 cash note", true},
		"upper case":    {"/HELP", "help", "", true},
		"bot suffix":    {"/status@RechargeBot 42", "status", "42", true},
		"padded":        {"  /balance  ", "balance", "", true},
		"slash only":    {"/", "", "", false},
		"no slash":      {"start", "", "", false},
		"punctuation":   {"/st-art", "", "", false},
		"path":          {"/etc/passwd", "", "", false},
		"too long":      {"/" + string(make([]byte, 33)), "", "", false},
		"empty":         {"", "", "", false},
		"underscore":    {"/set_role 1 agent", "set_role", "1 agent", true},
		"space first":   {"/ start", "", "", false},
		"unicode name":  {"/रिचार्ज", "", "", false},
		"suffix only":   {"/@bot", "", "", false},
		"digits":        {"/123", "123", "", true},
		"tab separator": {"/status\t42", "", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			gotName, gotArgs, ok := parseCommand(tc.in)
			if ok != tc.ok || gotName != tc.name || gotArgs != tc.args {
				t.Errorf("parseCommand(%q) = %q, %q, %v; want %q, %q, %v", tc.in, gotName, gotArgs, ok, tc.name, tc.args, tc.ok)
			}
		})
	}
}

func TestParseNumberAmount(t *testing.T) {
	cases := map[string]struct {
		in     string
		number string
		amount int64
		ok     bool
	}{
		"plain":            {"9876543210 199", "9876543210", 19900, true},
		"spaced number":    {"98765 43210 199", "9876543210", 19900, true},
		"rupee sign":       {"+91 9876543210 ₹49.50", "9876543210", 4950, true},
		"rs as a word":     {"9876543210 rs 199", "9876543210", 19900, true},
		"comma":            {"9876543210,199", "9876543210", 19900, true},
		"comma, space":     {"9876543210, 1,999", "9876543210", 199900, true},
		"grouped amount":   {"9876543210 1,999", "9876543210", 199900, true},
		"semicolon":        {"+91 98765 43210; ₹49", "9876543210", 4900, true},
		"comma, no amount": {"9876543210,", "", 0, false},
		"number only":      {"9876543210", "", 0, false},
		"bad number":       {"12345 199", "", 0, false},
		"bad amount":       {"9876543210 abc", "", 0, false},
		"amount first":     {"199 9876543210", "", 0, false},
		"zero amount":      {"9876543210 0", "", 0, false},
		"too many words":   {"a b c d e f g h i", "", 0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			number, amount, ok := parseNumberAmount(tc.in)
			if ok != tc.ok || number != tc.number || amount != tc.amount {
				t.Errorf("parseNumberAmount(%q) = %q, %d, %v; want %q, %d, %v", tc.in, number, amount, ok, tc.number, tc.amount, tc.ok)
			}
		})
	}
}

func TestParseNickname(t *testing.T) {
	cases := map[string]struct {
		in, want string
		ok       bool
	}{
		"word":          {"Mom", "mom", true},
		"with digits":   {"shop-2", "shop-2", true},
		"reserved":      {"Back", "", false},
		"digit first":   {"2mom", "", false},
		"too long":      {"abcdefghijklmnopqrstu", "", false},
		"space inside":  {"my mom", "", false},
		"empty":         {"", "", false},
		"unicode":       {"माँ", "", false},
		"max length":    {"abcdefghijklmnopqrst", "abcdefghijklmnopqrst", true},
		"padded":        {"  dad ", "dad", true},
		"command word":  {"help", "", false},
		"underscore ok": {"big_bro", "big_bro", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := parseNickname(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseNickname(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestMatchOption(t *testing.T) {
	opts := []bot.Option{
		{Label: "Pay ₹199", Data: "pay:x"},
		{Label: "Back", Data: "/back"},
		{Label: "Change operator", Data: "chop"},
		{Label: "Change circle", Data: "chci"},
		{Label: "₹199 · 28 days", Data: "p:1:0:19900"},
	}
	cases := map[string]struct {
		in, want string
		ok       bool
	}{
		"number":          {"2", "/back", true},
		"number padded":   {" 1 ", "pay:x", true},
		"out of range":    {"6", "", false},
		"zero":            {"0", "", false},
		"label":           {"back", "/back", true},
		"label any case":  {"CHANGE CIRCLE", "chci", true},
		"label symbols":   {"pay 199", "pay:x", true},
		"first word":      {"pay", "pay:x", true},
		"ambiguous word":  {"change", "", false},
		"plan price":      {"199 28 days", "p:1:0:19900", true},
		"plan price word": {"199", "p:1:0:19900", true},
		"no match":        {"hello", "", false},
		"empty":           {"", "", false},
		"negative":        {"-1", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := matchOption(opts, tc.in)
			if ok != tc.ok || got.Data != tc.want {
				t.Errorf("matchOption(%q) = %q, %v; want %q, %v", tc.in, got.Data, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestFormatRupees(t *testing.T) {
	cases := map[int64]string{
		0: "₹0", 19900: "₹199", 962: "₹9.62", 960: "₹9.60", 5: "₹0.05", 199900: "₹1,999",
		10000000: "₹1,00,000", 123456789: "₹12,34,567.89", -9900: "-₹99",
	}
	for paise, want := range cases {
		if got := formatRupees(paise); got != want {
			t.Errorf("formatRupees(%d) = %q, want %q", paise, got, want)
		}
	}
}

func TestParseSubscriberID(t *testing.T) {
	cases := map[string]struct {
		opid, in, want string
		ok             bool
	}{
		"tata play":           {"27", "1234567890", "1234567890", true},
		"tata play spaced":    {"27", "12345 67890", "1234567890", true},
		"tata play bad first": {"27", "2234567890", "", false},
		"tata play short":     {"27", "123456789", "", false},
		"dish tv":             {"25", "01234567890", "01234567890", true},
		"dish tv bad first":   {"25", "11234567890", "", false},
		"airtel dth":          {"23", "3000123456", "3000123456", true},
		"unknown operator":    {"26", "123456", "123456", true},
		"unknown too short":   {"26", "12345", "", false},
		"letters":             {"26", "12345abc", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := parseSubscriberID(tc.opid, tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseSubscriberID(%s, %q) = %q, %v; want %q, %v", tc.opid, tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestTidyName(t *testing.T) {
	cases := map[string]string{
		"DELHI": "Delhi", "ANDHRA PRADESH": "Andhra Pradesh", "JAMMU AND KASHMIR": "Jammu and Kashmir",
		"Maharashtra": "Maharashtra", "UP West": "UP West", "": "",
	}
	for in, want := range cases {
		if got := tidyName(in); got != want {
			t.Errorf("tidyName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCatalogueComplete(t *testing.T) {
	if _, err := compile(english); err != nil {
		t.Fatal(err)
	}
	for name := range commands {
		if _, ok := english[cmdPrefix+msgKey(name)]; !ok {
			t.Errorf("command /%s has no description in the catalogue", name)
		}
	}
}

func TestSplitCreditArgs(t *testing.T) {
	cases := map[string]struct {
		in, ref, note string
		amount        int64
		ok            bool
	}{
		"telegram id":     {"123456 500", "123456", "", 50000, true},
		"with note":       {"123456 500 cash received", "123456", "cash received", 50000, true},
		"phone":           {"9876543210 99.50", "9876543210", "", 9950, true},
		"spaced phone":    {"+91 98765 43210 100 upi", "+91 98765 43210", "upi", 10000, true},
		"digits in note":  {"9876543210 500 200", "9876543210", "200", 50000, true},
		"prefixed ref":    {"tg:42 10", "tg:42", "", 1000, true},
		"missing amount":  {"123456", "", "", 0, false},
		"bad amount":      {"123456 lots", "", "", 0, false},
		"negative amount": {"123456 -5", "", "", 0, false},
		"empty":           {"", "", "", 0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ref, amount, note, ok := splitCreditArgs(tc.in)
			if ok != tc.ok || ref != tc.ref || amount != tc.amount || note != tc.note {
				t.Errorf("splitCreditArgs(%q) = %q, %d, %q, %v; want %q, %d, %q, %v",
					tc.in, ref, amount, note, ok, tc.ref, tc.amount, tc.note, tc.ok)
			}
		})
	}
}
