package conversation

import (
	"strconv"

	"github.com/rechargebot/rechargebot/bot"
)

// formatRupees writes paise as rupees for a chat: "₹199", "₹9.62", "₹1,00,000" (Indian digit
// grouping: the last three digits, then pairs).
func formatRupees(paise int64) string {
	sign := ""
	if paise < 0 {
		sign = "-"
		paise = -paise
	}
	rupees := groupIndian(strconv.FormatInt(paise/100, 10))
	if rest := paise % 100; rest != 0 {
		return sign + "₹" + rupees + "." + twoDigits(rest)
	}
	return sign + "₹" + rupees
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// groupIndian inserts commas into a string of digits: 1234567 → 12,34,567.
func groupIndian(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	head, tail := digits[:len(digits)-3], digits[len(digits)-3:]
	var out []byte
	for i := range len(head) {
		if i > 0 && (len(head)-i)%2 == 0 {
			out = append(out, ',')
		}
		out = append(out, head[i])
	}
	return string(out) + "," + tail
}

// maskNumber hides a phone number or subscriber ID but for its last four characters, for
// texts read by someone other than its owner.
func maskNumber(number string) string { return bot.Mask(number) }
