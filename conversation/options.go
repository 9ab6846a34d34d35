package conversation

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/rechargebot/rechargebot/bot"
)

// matchOption returns the option that typed text chooses from opts: its 1-based position
// ("2"), its label in any case and without punctuation or symbols ("pay 199" for "Pay ₹199"),
// or the first word of exactly one label ("pay").
func matchOption(opts []bot.Option, text string) (bot.Option, bool) {
	text = strings.TrimSpace(text)
	if text == "" || len(opts) == 0 || len(text) > 200 {
		return bot.Option{}, false
	}
	if n, err := strconv.Atoi(text); err == nil {
		if n >= 1 && n <= len(opts) {
			return opts[n-1], true
		}
	}

	typed := normalizeLabel(text)
	if typed == "" {
		return bot.Option{}, false
	}
	for _, opt := range opts {
		if normalizeLabel(opt.Label) == typed {
			return opt, true
		}
	}

	var found bot.Option
	matches := 0
	for _, opt := range opts {
		first, _, _ := strings.Cut(normalizeLabel(opt.Label), " ")
		if first == typed {
			found = opt
			matches++
		}
	}
	if matches != 1 {
		return bot.Option{}, false
	}
	return found, true
}

// normalizeLabel lower-cases s and keeps letters and digits, with single spaces between words,
// so that "₹199 · 28 days" reads "199 28 days".
func normalizeLabel(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case r == '.' || r == ',':
			// Decimal points and digit groups stay inside a word: "199.50", "1,999".
		default:
			space = true
		}
	}
	return b.String()
}

// page returns the items of page number p (from 0) of a list cut into pages of size, and
// whether more pages follow. A page past the end is empty.
func page[T any](items []T, p, size int) ([]T, bool) {
	start := p * size
	if p < 0 || start >= len(items) {
		return nil, false
	}
	end := min(start+size, len(items))
	return items[start:end], end < len(items)
}

// pages returns how many pages of size a list of n items fills, at least one.
func pages(n, size int) int {
	return max(1, (n+size-1)/size)
}
