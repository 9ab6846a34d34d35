package whatsapp

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rechargebot/rechargebot/bot"
)

// maxMessageRunes is the length at which long texts are split. WhatsApp accepts much longer
// messages, but a phone screen reads far better in pieces this size.
const maxMessageRunes = 4000

// markupLookalikes replaces WhatsApp's inline markup characters with characters that look the
// same but format nothing. WhatsApp has no escape character, and an invisible joiner next
// to a marker does not reliably stop formatting.
var markupLookalikes = map[rune]rune{
	'*': '∗', // U+2217 ASTERISK OPERATOR
	'_': 'ˍ', // U+02CD MODIFIER LETTER LOW MACRON
	'~': '∼', // U+223C TILDE OPERATOR
	'`': 'ˋ', // U+02CB MODIFIER LETTER GRAVE ACCENT
}

// render turns one Outbound into the texts to send, in order: the escaped text, the options as
// numbered lines ("1. Label") after a blank line, split at line boundaries into pieces of at
// most maxMessageRunes runes. It returns nothing when there is no text and no option.
func render(out bot.Outbound) []string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(out.Text))
	if len(out.Options) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		for i, opt := range out.Options {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(strconv.Itoa(i + 1))
			b.WriteString(". ")
			b.WriteString(oneLine(opt.Label))
		}
	}
	return splitText(escapeMarkup(b.String()), maxMessageRunes)
}

// escapeMarkup stops WhatsApp from formatting s. WhatsApp formats text between two equal
// markers (*bold*, _italic_, ~strike~, `code`, ```mono```), so a marker that occurs at least
// twice in s is replaced everywhere by its look-alike. A lone "*" or an address like
// "name_1@upi" is left as typed.
func escapeMarkup(s string) string {
	for marker, lookalike := range markupLookalikes {
		if strings.Count(s, string(marker)) >= 2 {
			s = strings.ReplaceAll(s, string(marker), string(lookalike))
		}
	}
	return s
}

// oneLine folds a label onto one line, so that it stays one numbered option.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// splitText cuts s into pieces of at most limit runes. It cuts after a newline where it can,
// else after a space, else inside a word. Pieces carry no leading or trailing newlines, and a
// blank piece is dropped.
func splitText(s string, limit int) []string {
	var pieces []string
	for {
		s = strings.Trim(s, "\n")
		if strings.TrimSpace(s) == "" {
			return pieces
		}
		if utf8.RuneCountInString(s) <= limit {
			return append(pieces, s)
		}
		cut := cutPoint(s, limit)
		if piece := strings.TrimRight(s[:cut], " \n"); strings.TrimSpace(piece) != "" {
			pieces = append(pieces, piece)
		}
		s = s[cut:]
	}
}

// cutPoint returns the byte offset at which to end a piece of s of at most limit runes: just
// after the last newline, else just after the last space, else at limit runes.
func cutPoint(s string, limit int) int {
	end := 0
	for i := 0; i < limit; i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	if i := strings.LastIndexByte(s[:end], '\n'); i > 0 {
		return i + 1
	}
	if i := strings.LastIndexByte(s[:end], ' '); i > 0 {
		return i + 1
	}
	return end
}
