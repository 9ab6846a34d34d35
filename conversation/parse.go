package conversation

import (
	"errors"
	"strings"
	"unicode"
)

// maxAmountPaise bounds what parseAmount accepts (₹10,00,000), far above any operator's
// maximum, so that later arithmetic cannot overflow.
const maxAmountPaise = 100_000_000

// Errors of parseAmount; each maps to a message telling the user what to type.
var (
	errAmountSyntax   = errors.New("amount is not a number of rupees")
	errAmountZero     = errors.New("amount is not positive")
	errAmountTooLarge = errors.New("amount is too large")
)

// parseMobile returns the 10-digit Indian mobile number in s, which may carry spaces, dashes,
// dots or brackets and a +91, 91 or 0 prefix. It reports false for anything else, including
// numbers that do not start with 6, 7, 8 or 9.
func parseMobile(s string) (string, bool) {
	if len(s) > 40 {
		return "", false
	}
	digits := make([]byte, 0, 13)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && len(digits) == 0:
			digits = append(digits, '+')
		case r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", false
		}
	}

	international := len(digits) > 0 && digits[0] == '+'
	if international {
		digits = digits[1:]
	}
	number := string(digits)
	switch {
	case international && (len(number) != 12 || !strings.HasPrefix(number, "91")):
		return "", false
	case strings.HasPrefix(number, "91") && len(number) == 12:
		number = number[2:]
	case strings.HasPrefix(number, "0") && len(number) == 11:
		number = number[1:]
	}
	if len(number) != 10 || number[0] < '6' || number[0] > '9' {
		return "", false
	}
	return number, true
}

// parseAmount returns the paise in a typed amount of rupees: "199", "199.5", "₹1,999",
// "Rs. 50", "100/-". It rejects negative, zero, more than two decimals and more than
// maxAmountPaise.
func parseAmount(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 40 {
		return 0, errAmountSyntax
	}
	s = strings.TrimSuffix(s, "/-")
	for _, prefix := range []string{"₹", "rs.", "rs", "inr"} {
		s = strings.TrimPrefix(s, prefix)
	}
	for _, suffix := range []string{"rupees", "rs", "₹"} {
		s = strings.TrimSuffix(s, suffix)
	}
	s = strings.TrimSpace(s)

	whole, fraction, hasPoint := strings.Cut(s, ".")
	whole, ok := stripGroupCommas(whole)
	if !ok || whole == "" || !allDigits(whole) || !allDigits(fraction) {
		return 0, errAmountSyntax
	}
	if hasPoint && (len(fraction) == 0 || len(fraction) > 2) {
		return 0, errAmountSyntax
	}

	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 8 {
		return 0, errAmountTooLarge
	}
	var paise int64
	for _, d := range whole {
		paise = paise*10 + int64(d-'0')
	}
	paise *= 100
	if len(fraction) >= 1 {
		paise += int64(fraction[0]-'0') * 10
	}
	if len(fraction) == 2 {
		paise += int64(fraction[1] - '0')
	}

	switch {
	case paise == 0:
		return 0, errAmountZero
	case paise > maxAmountPaise:
		return 0, errAmountTooLarge
	}
	return paise, nil
}

// stripGroupCommas removes digit group separators from a run of digits, Indian ("1,00,000")
// or Western ("100,000"). It reports false for any other placement, such as "1,99" or
// "1,0,0,0", because a misplaced comma may be a mistyped decimal point and would
// otherwise change the amount.
func stripGroupCommas(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return s, true
	}
	parts := strings.Split(s, ",")
	first, middle, last := parts[0], parts[1:len(parts)-1], parts[len(parts)-1]
	if len(first) < 1 || len(first) > 3 || len(last) != 3 {
		return "", false
	}
	for _, part := range middle {
		// Middle groups are all two digits (Indian) or all three (Western).
		if len(part) != len(middle[0]) || (len(part) != 2 && len(part) != 3) {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCommand splits "/name args" into the lower-case name and the trimmed arguments. A
// Telegram "@botname" suffix on the name is dropped. It reports false unless s starts with "/"
// followed by 1 to 32 letters, digits or underscores.
func parseCommand(s string) (name, args string, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "/") {
		return "", "", false
	}
	head, args, _ := strings.Cut(s[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	if len(head) == 0 || len(head) > 32 {
		return "", "", false
	}
	for i := range len(head) {
		c := head[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "", "", false
		}
	}
	return strings.ToLower(head), strings.TrimSpace(args), true
}

// parseNumberAmount splits "9876543210 199" (a mobile number, then an amount of rupees) and
// reports false unless both parts parse. A comma, semicolon or tab may separate them, and the
// amount may be written as two words, "rs 199".
func parseNumberAmount(s string) (number string, amountPaise int64, ok bool) {
	// "9876543210,199" as in a bulk line, while "9876543210 1,999" groups the amount's digits.
	if i := strings.IndexAny(s, ",;\t"); i > 0 {
		if number, ok := parseMobile(s[:i]); ok {
			if amount, err := parseAmount(s[i+1:]); err == nil {
				return number, amount, true
			}
		}
	}
	fields := strings.Fields(s)
	if len(fields) < 2 || len(fields) > 8 {
		return "", 0, false
	}
	for amountWords := 1; amountWords <= 2 && amountWords < len(fields); amountWords++ {
		split := len(fields) - amountWords
		amount, err := parseAmount(strings.Join(fields[split:], " "))
		if err != nil {
			continue
		}
		if number, ok := parseMobile(strings.Join(fields[:split], " ")); ok {
			return number, amount, true
		}
	}
	return "", 0, false
}

// reservedWords are option words that cannot be nicknames of saved numbers, besides the
// words of wordCommands, which act as commands in every state.
var reservedWords = map[string]bool{"pay": true, "more": true, "yes": true, "no": true}

// parseNickname returns the lower-case nickname in s: 1 to 20 characters, a letter first, then
// letters, digits, '-' or '_', and not one of reservedWords.
func parseNickname(s string) (string, bool) {
	name := strings.ToLower(strings.TrimSpace(s))
	_, command := wordCommands[name]
	if len(name) == 0 || len(name) > 20 || name[0] < 'a' || name[0] > 'z' || reservedWords[name] || command {
		return "", false
	}
	for i := range len(name) {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	return name, true
}
