package whatsapp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
)

// Phone numbers are in E.164 without the "+": a country code and the subscriber number,
// 8 to 15 digits in all.
const (
	minPhoneDigits = 8
	maxPhoneDigits = 15
)

// ErrInvalidPhone reports a phone number that is not digits with a country code. Its text
// never repeats the number.
var ErrInvalidPhone = errors.New("phone number is invalid")

// NormalizePhone turns a phone number typed by an operator ("+91 98765-43210") into the
// digits WhatsApp uses ("919876543210"). Because the bot serves India, a ten-digit number
// starting with 6 to 9 is taken for an Indian mobile without its country code and rejected.
func NormalizePhone(s string) (string, error) {
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("%w: use digits with the country code, e.g. 919876543210", ErrInvalidPhone)
		}
	}

	phone := digits.String()
	if len(phone) == 10 && phone[0] >= '6' {
		return "", fmt.Errorf("%w: add the country code 91 in front of the ten digits", ErrInvalidPhone)
	}
	if err := checkPhone(phone); err != nil {
		return "", err
	}
	return phone, nil
}

// checkPhone reports whether phone is a WhatsApp user part: 8 to 15 digits, no leading zero.
func checkPhone(phone string) error {
	if len(phone) < minPhoneDigits || len(phone) > maxPhoneDigits {
		return fmt.Errorf("%w: use 8 to 15 digits with the country code, e.g. 919876543210", ErrInvalidPhone)
	}
	for _, r := range phone {
		if r < '0' || r > '9' {
			return fmt.Errorf("%w: use digits only, with the country code, e.g. 919876543210", ErrInvalidPhone)
		}
	}
	if phone[0] == '0' {
		return fmt.Errorf("%w: start with the country code, not 0, e.g. 919876543210", ErrInvalidPhone)
	}
	return nil
}

// maskPhone hides all but the last four digits, for logs and errors.
func maskPhone(phone string) string { return bot.Mask(phone) }
