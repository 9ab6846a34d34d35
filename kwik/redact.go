package kwik

import (
	"errors"
	"net/url"
	"strings"
)

// redacted is the text that replaces the API key.
const redacted = "[REDACTED]"

// redact returns err with the API key and the request's phone number removed from its text.
// net/http's *url.Error prints the whole request URL, query string included, and a GET sends
// the key and the number in the query, so its URL is cut down to scheme, host and path.
func (c *Client) redact(err error, req request) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		urlErr.URL = stripQuery(urlErr.URL)
	}
	return &redactedError{err: err, clean: c.replacer(req)}
}

// redactText returns server text with the API key removed and phone numbers masked: the
// request's own number and anything else that looks like an Indian mobile number.
func (c *Client) redactText(s string, req request) string {
	return maskPhoneNumbers(c.replacer(req).Replace(s))
}

// maskPhoneNumbers masks every run of digits that reads as an Indian mobile number: ten digits
// starting with 6 to 9, optionally after 91. Longer runs, such as 14-digit order ids, stay.
func maskPhoneNumbers(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		run := s[i:j]
		if looksLikeMobile(run) {
			run = maskNumber(run)
		}
		b.WriteString(run)
		i = j
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func looksLikeMobile(digits string) bool {
	if len(digits) == 12 && strings.HasPrefix(digits, "91") {
		digits = digits[2:]
	}
	return len(digits) == 10 && digits[0] >= '6'
}

func (c *Client) replacer(req request) *strings.Replacer {
	pairs := []string{c.key, redacted}
	if escaped := url.QueryEscape(c.key); escaped != c.key {
		pairs = append(pairs, escaped, redacted)
	}
	if len(req.number) > 4 {
		pairs = append(pairs, req.number, maskNumber(req.number))
	}
	return strings.NewReplacer(pairs...)
}

func stripQuery(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(URL omitted)"
	}
	u.RawQuery = ""
	u.ForceQuery = false
	u.User = nil
	return u.String()
}

// maskNumber keeps the last four characters of a phone number or subscriber id.
func maskNumber(s string) string {
	const visible = 4
	if len(s) <= visible {
		return s
	}
	return strings.Repeat("*", len(s)-visible) + s[len(s)-visible:]
}

// redactedError hides secrets in the text of an error it wraps, which stays reachable for
// errors.Is and errors.As.
type redactedError struct {
	err   error
	clean *strings.Replacer
}

func (e *redactedError) Error() string { return e.clean.Replace(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }
