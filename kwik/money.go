package kwik

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Paise is an amount of Indian money in paise (1 rupee = 100 paise). It decodes a JSON string
// or number of rupees such as "253.18", 22 or 9.6 exactly, without floating point. An empty
// string and null decode to zero. It encodes as a rupee string like "9.62".
type Paise int64

// UnmarshalJSON decodes rupees given as a JSON string or number.
func (p *Paise) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		*p = 0
		return nil
	}

	text := string(data)
	if data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return fmt.Errorf("decode amount: %w", err)
		}
		if strings.TrimSpace(text) == "" {
			*p = 0
			return nil
		}
	}

	v, err := ParsePaise(text)
	if err != nil {
		return err
	}
	*p = Paise(v)
	return nil
}

// MarshalJSON encodes the amount as a rupee string, the form KwikAPI sends most often.
func (p Paise) MarshalJSON() ([]byte, error) {
	return json.Marshal(FormatAmount(int64(p)))
}

// maxRupeeDigits bounds the integer part so that paise always fit in an int64 with room to add.
const maxRupeeDigits = 15

var errAmountSyntax = errors.New("want rupees such as 10, 253.18 or 1,000.50")

// ParsePaise converts a rupee amount such as "10", "253.18", "9.6" or "1,000.50" to paise.
// Surrounding spaces, a leading "₹", "Rs", "Rs." or "INR", thousands commas and a sign are
// accepted. Digits past the second decimal are rounded half away from zero, because some
// responses carry charges such as "212.7400" or "9.615". Exponents and anything else are errors.
func ParsePaise(s string) (int64, error) {
	text := strings.TrimSpace(s)
	for _, prefix := range []string{"₹", "INR", "Rs.", "Rs", "rs.", "rs"} {
		if rest, ok := strings.CutPrefix(text, prefix); ok {
			text = strings.TrimSpace(rest)
			break
		}
	}

	negative := false
	switch {
	case strings.HasPrefix(text, "-"):
		negative, text = true, text[1:]
	case strings.HasPrefix(text, "+"):
		text = text[1:]
	}

	whole, fraction, hasPoint := strings.Cut(text, ".")
	whole = strings.ReplaceAll(whole, ",", "")
	if whole == "" && (!hasPoint || fraction == "") {
		return 0, fmt.Errorf("parse amount %q: %w", s, errAmountSyntax)
	}
	if !allDigits(whole) || !allDigits(fraction) {
		return 0, fmt.Errorf("parse amount %q: %w", s, errAmountSyntax)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxRupeeDigits {
		return 0, fmt.Errorf("parse amount %q: too large, want at most %d rupee digits", s, maxRupeeDigits)
	}

	paise := int64(0)
	if whole != "" {
		rupees, _ := strconv.ParseInt(whole, 10, 64)
		paise = rupees * 100
	}
	paise += fractionPaise(fraction)
	if negative {
		paise = -paise
	}
	return paise, nil
}

// fractionPaise converts the digits after the decimal point to paise, rounding half away from zero.
func fractionPaise(fraction string) int64 {
	digits := fraction + "00"
	paise := int64(digits[0]-'0')*10 + int64(digits[1]-'0')
	if len(fraction) > 2 && fraction[2] >= '5' {
		paise++
	}
	return paise
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatAmount formats paise as rupees for the wire: whole rupees without decimals ("10"),
// anything else with two decimals ("9.62", "9.60").
func FormatAmount(paise int64) string {
	sign := ""
	if paise < 0 {
		sign, paise = "-", -paise
	}
	if paise%100 == 0 {
		return fmt.Sprintf("%s%d", sign, paise/100)
	}
	return fmt.Sprintf("%s%d.%02d", sign, paise/100, paise%100)
}
