package telegram

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/bot"
)

func TestKeyboardLayout(t *testing.T) {
	opt := func(labels ...string) []bot.Option {
		var out []bot.Option
		for _, l := range labels {
			out = append(out, bot.Option{Label: l, Data: "d:" + l})
		}
		return out
	}
	rows := func(kb *inlineKeyboard) [][]string {
		var out [][]string
		for _, row := range kb.InlineKeyboard {
			var labels []string
			for _, b := range row {
				labels = append(labels, b.Text)
			}
			out = append(out, labels)
		}
		return out
	}

	cases := map[string]struct {
		options []bot.Option
		want    [][]string
	}{
		"short amounts four a row": {
			opt("₹10", "₹20", "₹50", "₹100", "₹199", "₹299"),
			[][]string{{"₹10", "₹20", "₹50", "₹100"}, {"₹199", "₹299"}},
		},
		"operators share rows": {
			opt("Airtel", "Jio", "Vi", "BSNL", "Vodafone Idea"),
			[][]string{{"Airtel", "Jio", "Vi", "BSNL"}, {"Vodafone Idea"}},
		},
		"long plans one a row, navigation together": {
			opt("₹299 · 28 days · 2 GB/day · unlimited calls", "₹479 · 56 days · 1.5 GB/day", "« Back", "Next »"),
			[][]string{{"₹299 · 28 days · 2 GB/day · unlimited calls"}, {"₹479 · 56 days · 1.5 GB/day"}, {"« Back", "Next »"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kb, err := keyboard(tc.options)
			if err != nil {
				t.Fatalf("keyboard: %v", err)
			}
			if diff := cmp.Diff(tc.want, rows(kb)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeyboardOptionChecks(t *testing.T) {
	cases := map[string]struct {
		option   bot.Option
		wantErr  bool
		wantData string
	}{
		"data used":                {bot.Option{Label: "Yes", Data: "confirm"}, false, "confirm"},
		"label when no data":       {bot.Option{Label: "Cancel"}, false, "Cancel"},
		"empty label":              {bot.Option{Label: "  ", Data: "x"}, true, ""},
		"64 bytes fit":             {bot.Option{Label: "x", Data: strings.Repeat("a", 64)}, false, strings.Repeat("a", 64)},
		"65 bytes rejected":        {bot.Option{Label: "x", Data: strings.Repeat("a", 65)}, true, ""},
		"Tamil counted in bytes":   {bot.Option{Label: "x", Data: strings.Repeat("த", 22)}, true, ""},
		"invalid UTF-8 rejected":   {bot.Option{Label: "x", Data: "a\xffb"}, true, ""},
		"long label as data fails": {bot.Option{Label: strings.Repeat("ब", 30)}, true, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kb, err := keyboard([]bot.Option{tc.option})
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidOption) {
					t.Errorf("error = %v, want ErrInvalidOption", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("keyboard: %v", err)
			}
			if got := kb.InlineKeyboard[0][0].CallbackData; got != tc.wantData {
				t.Errorf("callback data = %q, want %q", got, tc.wantData)
			}
		})
	}
}

func TestSplitText(t *testing.T) {
	cases := map[string]struct {
		text  string
		limit int
		want  []string
	}{
		"fits":              {"hello\nworld", 20, []string{"hello\nworld"}},
		"cut after line":    {"aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb\n", "cccc"}},
		"cut after space":   {"aaaa bbbb cccc", 10, []string{"aaaa bbbb ", "cccc"}},
		"hard cut":          {"abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		"emoji two units":   {"😀😀😀", 4, []string{"😀😀", "😀"}},
		"devanagari":        {"नमस्ते नमस्ते", 7, []string{"नमस्ते ", "नमस्ते"}},
		"newline preferred": {"aa bb\ncc dd ee", 12, []string{"aa bb\n", "cc dd ee"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, splitText(tc.text, tc.limit)); diff != "" {
				t.Errorf("parts (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("plain line\nsecond line", 8)
	f.Add("😀 नमस्ते\n\n\n  ₹199", 3)
	f.Add("a\xffb\xfe", 1)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit = 1 + int(uint(limit)%5000)
		parts := splitText(text, limit)
		if strings.Join(parts, "") != text {
			t.Fatalf("parts joined differ from the text")
		}
		for i, p := range parts {
			if p == "" && text != "" {
				t.Fatalf("part %d is empty", i)
			}
			if n := utf16Len(p); n > limit && utf8.RuneCountInString(p) > 1 {
				t.Fatalf("part %d is %d units, over %d", i, n, limit)
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("part %d cuts a character in two", i)
			}
		}
	})
}

func TestTextPartsDropBlank(t *testing.T) {
	if got := textParts(" \n\n "); len(got) != 0 {
		t.Errorf("textParts of blank text = %q, want none", got)
	}
	if diff := cmp.Diff([]string{"hi"}, textParts("hi\n\n")); diff != "" {
		t.Errorf("textParts (-want +got):\n%s", diff)
	}
}
