package kwik

import (
	"encoding/json"
	"fmt"
	"strings"
)

// failure is the error information of a reply object.
type failure struct {
	failed  bool
	code    string
	message string
	// detail is error_message, which recharge sends beside a generic message.
	detail string
}

// readFailure reads the error fields of a reply. statusKeys names the keys that carry the
// call's status in this reply, because some objects also hold an unrelated "status" field.
func readFailure(o object, statusKeys ...string) failure {
	f := failure{
		code:    o.text("error_code", "errorCode", "err_code"),
		message: o.text("message", "msg", "error"),
		detail:  o.text("error_message", "errorMessage", "error_msg"),
	}

	if v, ok := o.value("success"); ok {
		if s := rawText(v); s != "" && !truthy(s) {
			f.failed = true
		}
	}

	status := ""
	if len(statusKeys) > 0 {
		status = strings.ToUpper(o.text(statusKeys...))
	}
	switch status {
	case "FAILED", "FAILURE", "FAIL", "ERROR", "FALSE":
		f.failed = true
	case "SUCCESS", "PENDING", "TRUE", "OK", "":
	default:
		if len(status) >= 3 && allDigits(status) {
			f.failed = true
			if f.code == "" {
				f.code = status
			}
		}
	}

	if f.code != "" && f.code != "0" && status != "SUCCESS" && status != "PENDING" {
		f.failed = true
	}
	return f
}

// apiError turns a failure into an *APIError; fallback is the kind when the code and the
// messages name none.
func (f failure) apiError(fallback error) *APIError {
	kind := kindOf(f.code, f.detail, f.message)
	if kind == nil {
		kind = fallback
	}
	message := f.message
	if f.detail != "" && !strings.EqualFold(f.detail, f.message) {
		if message != "" {
			message += ": "
		}
		message += f.detail
	}
	return &APIError{Code: f.code, Message: message, Kind: kind}
}

// checkReply returns the body's failure as an *APIError when it reports one.
func checkReply(o object, statusKeys ...string) error {
	if f := readFailure(o, statusKeys...); f.failed {
		return f.apiError(nil)
	}
	return nil
}

// badShape reports a JSON reply that lacks what the endpoint must return.
func badShape(format string, args ...any) error {
	return &APIError{Message: fmt.Sprintf(format, args...), Kind: ErrBadResponse}
}

// replyObject decodes a body that must be a JSON object and checks it for a reported failure.
func replyObject(body []byte, statusKeys ...string) (object, error) {
	o, err := decodeObject(body)
	if err != nil {
		if list, lerr := decodeList(body); lerr == nil && len(list) == 0 {
			return object{}, nil
		}
		return nil, badShape("want a JSON object: %v", err)
	}
	if err := checkReply(o, statusKeys...); err != nil {
		return nil, err
	}
	return o, nil
}

// objects decodes every element of a list that is an object, skipping anything else.
func objects(items []json.RawMessage) []object {
	out := make([]object, 0, len(items))
	for _, item := range items {
		if o, err := decodeObject(item); err == nil {
			out = append(out, o)
		}
	}
	return out
}
