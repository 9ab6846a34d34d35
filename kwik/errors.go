package kwik

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. An *APIError matches its kind with errors.Is; transport failures of a recharge
// match ErrUnknownOutcome.
var (
	// ErrAuth: the key was rejected (invalid key, API MISMATCH, IP not whitelisted, HTTP 401/403).
	ErrAuth = errors.New("authentication rejected")
	// ErrRateLimited: KwikAPI refused the call for its rate or daily limit (HTTP 429 or a message).
	ErrRateLimited = errors.New("rate limited")
	// ErrInsufficientBalance: the merchant's KwikAPI wallet cannot pay for the recharge (code 101).
	ErrInsufficientBalance = errors.New("insufficient merchant balance")
	// ErrDuplicateOrderID: KwikAPI already has this order id. It also matches ErrUnknownOutcome,
	// because the earlier request with that id may have moved the money.
	ErrDuplicateOrderID = errors.New("duplicate order id")
	// ErrOperatorUnavailable: the operator is down or disabled at KwikAPI.
	ErrOperatorUnavailable = errors.New("operator unavailable")
	// ErrInvalidParams: KwikAPI rejected a parameter (code 147), or the client did before sending.
	ErrInvalidParams = errors.New("invalid parameters")
	// ErrUnknownOutcome: a recharge got no clear reply (timeout, reset, 5xx, non-JSON body,
	// unknown status). The money may have moved: poll the status, never send the order again.
	ErrUnknownOutcome = errors.New("recharge outcome unknown")
	// ErrOrderNotFound: status.php does not know the order id.
	ErrOrderNotFound = errors.New("order not found")
	// ErrBadResponse: the reply was not the expected JSON (HTML page, 5xx, missing fields).
	ErrBadResponse = errors.New("bad response")
)

// APIError is a reply from KwikAPI, or from a proxy in front of it, that reports a failure.
// Kind is one of the ErrX sentinels, or nil for a failure message that matches no known kind.
// Message is the server's text with the API key removed.
type APIError struct {
	Endpoint   Endpoint
	HTTPStatus int
	Code       string
	Message    string
	Kind       error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kwikapi %s: ", e.Endpoint)
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("request failed")
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	return b.String()
}

// Is matches the error's kind; a duplicate order id also matches ErrUnknownOutcome.
func (e *APIError) Is(target error) bool {
	if e.Kind == nil {
		return false
	}
	if target == e.Kind {
		return true
	}
	return e.Kind == ErrDuplicateOrderID && target == ErrUnknownOutcome
}

// Unwrap returns the kind, so errors.Is also works through wrappers that only unwrap.
func (e *APIError) Unwrap() error { return e.Kind }

// errorCodes maps KwikAPI's numeric error codes to kinds.
var errorCodes = map[string]error{
	"101": ErrInsufficientBalance,
	"102": ErrAuth,
	"147": ErrInvalidParams,
}

// messageKinds maps fragments of KwikAPI's lowercase messages to kinds, checked in order so
// "invalid api key" wins over the generic "invalid" fragments further down.
var messageKinds = []struct {
	fragment string
	kind     error
}{
	{"api key", ErrAuth},
	{"apikey", ErrAuth},
	{"api_key", ErrAuth},
	{"api mismatch", ErrAuth},
	{"not whitelisted", ErrAuth},
	{"whitelist", ErrAuth},
	{"unauthori", ErrAuth},
	{"authentication", ErrAuth},
	{"rate limit", ErrRateLimited},
	{"too many requests", ErrRateLimited},
	{"limit exceeded", ErrRateLimited},
	{"insufficient", ErrInsufficientBalance},
	{"low balance", ErrInsufficientBalance},
	{"duplicate", ErrDuplicateOrderID},
	{"already exist", ErrDuplicateOrderID},
	{"already used", ErrDuplicateOrderID},
	{"temporarily unavailable", ErrOperatorUnavailable},
	{"operator unavailable", ErrOperatorUnavailable},
	{"operator down", ErrOperatorUnavailable},
	{"operator is down", ErrOperatorUnavailable},
	{"operator not available", ErrOperatorUnavailable},
	{"under maintenance", ErrOperatorUnavailable},
	{"invalid param", ErrInvalidParams},
	{"missing param", ErrInvalidParams},
	{"invalid number", ErrInvalidParams},
	{"invalid mobile", ErrInvalidParams},
	{"invalid amount", ErrInvalidParams},
	{"amount should", ErrInvalidParams},
	{"invalid operator", ErrInvalidParams},
	{"invalid opid", ErrInvalidParams},
	{"invalid state", ErrInvalidParams},
	{"invalid circle", ErrInvalidParams},
	{"is required", ErrInvalidParams},
}

// kindOf returns the kind named by an error code or by a message; nil when neither is known.
func kindOf(code string, messages ...string) error {
	if kind, ok := errorCodes[code]; ok {
		return kind
	}
	for _, message := range messages {
		lower := strings.ToLower(message)
		for _, mk := range messageKinds {
			if strings.Contains(lower, mk.fragment) {
				return mk.kind
			}
		}
	}
	return nil
}

// unknownOrderFragments are the lowercase message fragments with which status.php reports an
// order id it does not know.
var unknownOrderFragments = []string{
	"not found", "no record", "no transaction", "no data", "invalid order", "does not exist", "not exist", "no such order",
}

// mentionsUnknownOrder reports whether a status.php message states that the order id is unknown.
func mentionsUnknownOrder(messages ...string) bool {
	for _, message := range messages {
		lower := strings.ToLower(message)
		for _, fragment := range unknownOrderFragments {
			if strings.Contains(lower, fragment) {
				return true
			}
		}
	}
	return false
}

// kindOfHTTPStatus returns the kind an HTTP status implies on its own.
func kindOfHTTPStatus(status int) error {
	switch {
	case status == 401 || status == 403:
		return ErrAuth
	case status == 429:
		return ErrRateLimited
	default:
		return ErrBadResponse
	}
}
