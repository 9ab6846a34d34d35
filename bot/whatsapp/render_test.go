package whatsapp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/bot"
)

func TestRender(t *testing.T) {
	cases := map[string]struct {
		out  bot.Outbound
		want []string
	}{
		"plain text": {
			out:  bot.Outbound{Text: "Send the mobile number to recharge."},
			want: []string{"Send the mobile number to recharge."},
		},
		"numbered options": {
			out: bot.Outbound{Text: "Airtel, Delhi NCR. Choose a plan:", Options: []bot.Option{
				{Label: "₹199 · 28 days", Data: "plan:199"},
				{Label: "₹299 · 56 days", Data: "plan:299"},
				{Label: "Cancel", Data: "cancel"},
			}},
			want: []string{"Airtel, Delhi NCR. Choose a plan:\n\n1. ₹199 · 28 days\n2. ₹299 · 56 days\n3. Cancel"},
		},
		"options without text": {
			out:  bot.Outbound{Options: []bot.Option{{Label: "Yes", Data: "y"}, {Label: "No", Data: "n"}}},
			want: []string{"1. Yes\n2. No"},
		},
		"label folded onto one line": {
			out:  bot.Outbound{Text: "Pick:", Options: []bot.Option{{Label: "₹199\n28 days  ", Data: "p"}}},
			want: []string{"Pick:\n\n1. ₹199 28 days"},
		},
		"markup pairs escaped": {
			out:  bot.Outbound{Text: "Plan *special* for _you_ ~old~ `code` ```mono```"},
			want: []string{"Plan ∗special∗ for ˍyouˍ ∼old∼ ˋcodeˋ ˋˋˋmonoˋˋˋ"},
		},
		"lone markers kept": {
			out:  bot.Outbound{Text: "Rated 5* by users; pay to asha_1@upi"},
			want: []string{"Rated 5* by users; pay to asha_1@upi"},
		},
		"markers pairing across text and label": {
			out:  bot.Outbound{Text: "Offer *new", Options: []bot.Option{{Label: "Take it*", Data: "t"}}},
			want: []string{"Offer ∗new\n\n1. Take it∗"},
		},
		"edit sends the new text": {
			out:  bot.Outbound{Text: "Updated", Edit: "ignored"},
			want: []string{"Updated"},
		},
		"empty": {
			out:  bot.Outbound{Text: "  \n "},
			want: nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, render(tc.out)); diff != "" {
				t.Errorf("render (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderSplitsLongTextAtLines(t *testing.T) {
	line := strings.Repeat("x", 99) // 100 runes with its newline
	lines := make([]string, 60)
	for i := range lines {
		lines[i] = line
	}
	text := strings.Join(lines, "\n")

	pieces := render(bot.Outbound{Text: text})

	want := []string{strings.Join(lines[:40], "\n"), strings.Join(lines[40:], "\n")}
	if diff := cmp.Diff(want, pieces); diff != "" {
		t.Errorf("pieces (-want +got):\n%s", diff)
	}
}

func TestSplitText(t *testing.T) {
	cases := map[string]struct {
		text  string
		limit int
		want  []string
	}{
		"fits":              {"one\ntwo", 10, []string{"one\ntwo"}},
		"at newline":        {"one\ntwo\nthree", 8, []string{"one\ntwo", "three"}},
		"blank lines":       {"one\n\n\n\ntwo", 5, []string{"one", "two"}},
		"at space":          {"alpha beta gamma", 11, []string{"alpha beta", "gamma"}},
		"inside word":       {"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		"multibyte runes":   {"₹₹₹₹₹₹", 4, []string{"₹₹₹₹", "₹₹"}},
		"only whitespace":   {" \n \n", 2, nil},
		"newline preferred": {"ab cd\nef gh", 8, []string{"ab cd", "ef gh"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, splitText(tc.text, tc.limit)); diff != "" {
				t.Errorf("splitText (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzRender checks, for any text and label, that pieces respect the limit, lose no
// visible character, and leave no marker that could pair into formatting.
func FuzzRender(f *testing.F) {
	f.Add("Plan *special* _now_", "₹199 ~old~")
	f.Add(strings.Repeat("word ", 2000), "x")
	f.Add("```\ncode\n```", "`a`")
	f.Fuzz(func(t *testing.T, text, label string) {
		if !utf8.ValidString(text) || !utf8.ValidString(label) {
			t.Skip()
		}
		pieces := render(bot.Outbound{Text: text, Options: []bot.Option{{Label: label}}})

		for _, p := range pieces {
			if n := utf8.RuneCountInString(p); n > maxMessageRunes {
				t.Errorf("piece of %d runes, limit %d", n, maxMessageRunes)
			}
			if strings.TrimSpace(p) == "" {
				t.Error("blank piece")
			}
		}
		joined := strings.Join(pieces, "\n")
		for marker := range markupLookalikes {
			if strings.Count(joined, string(marker)) >= 2 {
				t.Errorf("marker %q left at least twice in %q", marker, joined)
			}
		}
		wantChars := visible(escapeMarkup(strings.TrimSpace(text) + "\n\n1. " + oneLine(label)))
		if got := visible(joined); got != wantChars {
			t.Errorf("visible characters changed:\n got %q\nwant %q", got, wantChars)
		}
	})
}

// visible drops whitespace, which splitting may move or remove at cut points.
func visible(s string) string {
	return strings.Join(strings.Fields(s), "")
}
