package telegram

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rechargebot/rechargebot/bot"
)

// Bot API limits, counted the way Telegram counts them.
const (
	// maxTextUnits is the longest message text, in UTF-16 code units.
	maxTextUnits = 4096
	// maxCaptionUnits is the longest document caption, in UTF-16 code units.
	maxCaptionUnits = 1024
)

// Keyboard layout: buttons fill a row left to right while their labels fit rowBudget
// characters (each button costs its label plus buttonPadding), up to maxButtonsPerRow.
const (
	rowBudget        = 34
	buttonPadding    = 3
	maxButtonsPerRow = 4
)

// ErrInvalidOption reports an option Telegram cannot show as a button: an empty label, or data
// longer than bot.MaxOptionData bytes.
var ErrInvalidOption = errors.New("invalid option")

// inlineKeyboard is the reply_markup of a message with buttons. The library's
// InlineKeyboardButton is not used because it always sends a copy_text object, which the Bot
// API may reject as BUTTON_COPY_TEXT_INVALID.
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// keyboard lays out options as an inline keyboard; nil when there are none. An option without
// data uses its label as data, because a user may type the label instead of pressing.
func keyboard(options []bot.Option) (*inlineKeyboard, error) {
	if len(options) == 0 {
		return nil, nil
	}

	kb := &inlineKeyboard{}
	var row []inlineButton
	width := 0
	for i, o := range options {
		button, err := buttonFor(o)
		if err != nil {
			return nil, fmt.Errorf("option %d: %w", i+1, err)
		}
		w := utf8.RuneCountInString(button.Text) + buttonPadding
		if len(row) > 0 && (width+w > rowBudget || len(row) == maxButtonsPerRow) {
			kb.InlineKeyboard = append(kb.InlineKeyboard, row)
			row, width = nil, 0
		}
		row = append(row, button)
		width += w
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	return kb, nil
}

func buttonFor(o bot.Option) (inlineButton, error) {
	label := strings.TrimSpace(o.Label)
	if label == "" {
		return inlineButton{}, fmt.Errorf("%w: empty label", ErrInvalidOption)
	}
	data := o.Data
	if data == "" {
		data = label
	}
	if len(data) > bot.MaxOptionData {
		return inlineButton{}, fmt.Errorf("%w: data of %q is %d bytes, more than %d", ErrInvalidOption, label, len(data), bot.MaxOptionData)
	}
	if !utf8.ValidString(data) {
		return inlineButton{}, fmt.Errorf("%w: data of %q is not valid UTF-8", ErrInvalidOption, label)
	}
	return inlineButton{Text: label, CallbackData: data}, nil
}

// splitText cuts s into pieces of at most limit UTF-16 code units, preferring to cut after a
// newline, then after a space, and otherwise between two characters. The pieces joined
// together equal s.
func splitText(s string, limit int) []string {
	if utf16Len(s) <= limit {
		return []string{s}
	}

	var parts []string
	for s != "" {
		cut := cutPoint(s, limit)
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return parts
}

// cutPoint returns the byte length of the first piece of s: the whole of s when it fits,
// otherwise the longest prefix within limit units that ends after a newline or else a space,
// and otherwise the longest prefix that fits at all.
func cutPoint(s string, limit int) int {
	units, fits := 0, 0
	lastNewline, lastSpace := 0, 0
	for fits < len(s) {
		r, size := utf8.DecodeRuneInString(s[fits:])
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if units+n > limit {
			break
		}
		units += n
		fits += size
		switch {
		case r == '\n':
			lastNewline = fits
		case unicode.IsSpace(r):
			lastSpace = fits
		}
	}
	switch {
	case fits == len(s):
		return fits
	case lastNewline > 0:
		return lastNewline
	case lastSpace > 0:
		return lastSpace
	case fits > 0:
		return fits
	default:
		// limit is smaller than one character; take the character anyway to make progress.
		_, size := utf8.DecodeRuneInString(s)
		return size
	}
}

// utf16Len returns the length of s in UTF-16 code units, the unit of Telegram's text limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if u := utf16.RuneLen(r); u > 0 {
			n += u
		} else {
			n++
		}
	}
	return n
}
