package kwik

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Status is the state of a recharge at KwikAPI.
type Status string

// Recharge states. KwikAPI's older "FAILED" reads as StatusFailure.
const (
	StatusSuccess Status = "SUCCESS"
	StatusPending Status = "PENDING"
	StatusFailure Status = "FAILURE"
	// StatusRefund: the money came back after an earlier success or pending state.
	StatusRefund Status = "REFUND"
)

// ParseStatus normalises a KwikAPI status; ok is false for text it does not know.
func ParseStatus(s string) (Status, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SUCCESS", "SUCCESSFUL", "SUCCESSFULL":
		return StatusSuccess, true
	case "PENDING", "PROCESSING", "IN PROCESS", "INPROCESS", "ACCEPTED":
		return StatusPending, true
	case "FAILURE", "FAILED", "FAIL":
		return StatusFailure, true
	case "REFUND", "REFUNDED", "REVERSED":
		return StatusRefund, true
	}
	return "", false
}

// RechargeRequest is one recharge order.
type RechargeRequest struct {
	// OrderID is our unique numeric id of at most 14 digits; it must never be reused.
	OrderID    string
	Number     string
	OperatorID string
	// CircleCode is sent as state_code when known.
	CircleCode  string
	AmountPaise int64
}

// RechargeResult is KwikAPI's reply to a recharge.
type RechargeResult struct {
	Status       Status
	OrderID      string
	OperatorRef  string
	Message      string
	ErrorCode    string
	BalancePaise int64
	ChargedPaise int64
}

// maxOrderIDDigits is the order id length older KwikAPI documents cap.
const maxOrderIDDigits = 14

// Recharge sends one recharge. It is never retried.
//
// A nil error comes with Status StatusSuccess, StatusPending or StatusFailure. An error
// matching ErrUnknownOutcome (timeout, dropped connection, 5xx, unparseable reply, duplicate
// order id) means the money may have moved: poll Status, never send the order again. Any
// other error (ErrAuth, ErrRateLimited, ErrInsufficientBalance, ErrInvalidParams,
// ErrOperatorUnavailable, a BeforeCall error, a context ended before sending) means KwikAPI
// rejected the request and no money moved. The result then contains the fields of the reply.
func (c *Client) Recharge(ctx context.Context, r RechargeRequest) (RechargeResult, error) {
	if err := r.validate(); err != nil {
		return RechargeResult{}, &APIError{Endpoint: EndpointRecharge, Message: err.Error(), Kind: ErrInvalidParams}
	}

	params := url.Values{
		"number":   {r.Number},
		"amount":   {FormatAmount(r.AmountPaise)},
		"opid":     {r.OperatorID},
		"order_id": {r.OrderID},
	}
	if r.CircleCode != "" {
		params.Set("state_code", r.CircleCode)
	}

	var result RechargeResult
	req := request{ep: EndpointRecharge, params: params, number: r.Number}
	err := c.attempt(ctx, req, c.rechargeTimeout, func(body []byte) error {
		var err error
		result, err = decodeRecharge(body)
		return err
	})
	if err == nil {
		return result, nil
	}

	switch classOf(err) {
	case transport, serverError, garbage:
		return result, fmt.Errorf("recharge order %s: %w: %w", r.OrderID, ErrUnknownOutcome, publicError(err))
	default:
		return result, publicError(err)
	}
}

func (r RechargeRequest) validate() error {
	if err := checkDigits("order id", r.OrderID, 1, maxOrderIDDigits); err != nil {
		return err
	}
	if err := checkDigits("number", r.Number, 6, 20); err != nil {
		return err
	}
	if r.OperatorID == "" {
		return errors.New("operator id is missing")
	}
	if r.AmountPaise <= 0 {
		return fmt.Errorf("amount %s is invalid: want a positive amount", FormatAmount(r.AmountPaise))
	}
	return nil
}

// checkDigits reports a value that is not min to max ASCII digits; the value itself is not
// repeated, since it may be a phone number.
func checkDigits(name, value string, minLen, maxLen int) error {
	if len(value) < minLen || len(value) > maxLen || !allDigits(value) {
		if minLen == maxLen {
			return fmt.Errorf("%s is invalid: want %d digits", name, minLen)
		}
		return fmt.Errorf("%s is invalid: want %d to %d digits", name, minLen, maxLen)
	}
	return nil
}

// decodeRecharge reads a recharge reply. A FAILED reply whose code or message names an error
// kind (insufficient balance, duplicate order id, ...) returns that *APIError beside the
// filled-in result. Any other FAILED reply is a StatusFailure result.
func decodeRecharge(body []byte) (RechargeResult, error) {
	o, err := decodeObject(body)
	if err != nil {
		return RechargeResult{}, badShape("want a JSON object: %v", err)
	}
	if inner, ok := o.child("response", "data"); ok && inner.text("status", "STATUS") != "" {
		o = inner
	}

	f := readFailure(o, "status", "STATUS")
	result := RechargeResult{
		OrderID:     o.text("order_id", "orderid", "your_id"),
		OperatorRef: o.text("opr_id", "operator_ref", "operator_id_ref", "opid_ref"),
		Message:     o.text("message", "msg"),
		ErrorCode:   f.code,
	}
	if f.detail != "" && !strings.EqualFold(f.detail, result.Message) {
		result.Message = strings.TrimSpace(result.Message + ": " + f.detail)
		result.Message = strings.TrimPrefix(result.Message, ": ")
	}
	result.BalancePaise, _ = o.paise("balance", "closing_balance")
	result.ChargedPaise, _ = o.paise("charged_amount", "charged")

	status, known := ParseStatus(o.text("status", "STATUS"))
	if f.failed && (!known || status == StatusFailure) {
		result.Status = StatusFailure
		if kind := kindOf(f.code, f.detail, f.message); kind != nil {
			if kind == ErrDuplicateOrderID {
				// The reply is about the earlier request with this id, whose outcome it does not state.
				result.Status = ""
			}
			return result, f.apiError(nil)
		}
		return result, nil
	}
	if !known || status == StatusRefund {
		// A recharge reply must state SUCCESS, PENDING or FAILURE; anything else is unclear.
		return result, badShape("recharge status %q is not SUCCESS, PENDING or FAILURE", o.text("status", "STATUS"))
	}
	result.Status = status
	return result, nil
}

// StatusResult is KwikAPI's record of one order.
type StatusResult struct {
	OrderID      string
	OperatorRef  string
	Number       string
	Message      string
	Status       Status
	AmountPaise  int64
	ChargedPaise int64
	// Date is when KwikAPI recorded the order, in UTC; zero when the reply has none.
	Date time.Time
}

// Status returns the state of an order. It returns ErrOrderNotFound when KwikAPI does not know
// the order id.
func (c *Client) Status(ctx context.Context, orderID string) (StatusResult, error) {
	if err := checkDigits("order id", orderID, 1, maxOrderIDDigits); err != nil {
		return StatusResult{}, &APIError{Endpoint: EndpointStatus, Message: err.Error(), Kind: ErrInvalidParams}
	}

	var out StatusResult
	req := request{ep: EndpointStatus, params: url.Values{"order_id": {orderID}}}
	err := c.read(ctx, req, into(&out, decodeStatus))
	return out, err
}

// decodeStatus reads a status reply, wrapped in "response" or bare.
func decodeStatus(body []byte) (StatusResult, error) {
	o, err := decodeObject(body)
	if err != nil {
		if list, lerr := decodeList(body); lerr == nil {
			if items := objects(list); len(items) > 0 {
				o = items[0]
			} else {
				return StatusResult{}, &APIError{Message: "empty reply", Kind: ErrOrderNotFound}
			}
		} else {
			return StatusResult{}, badShape("want a JSON object: %v", err)
		}
	}

	record := o
	if inner, ok := o.child("response", "data", "result"); ok {
		record = inner
	}
	statusText := record.text("status", "STATUS")
	status, known := ParseStatus(statusText)
	orderID := record.text("order_id", "your_id", "orderid")

	if orderID == "" || !known {
		return StatusResult{}, statusFailure(o, record, statusText)
	}

	out := StatusResult{
		OrderID:     orderID,
		OperatorRef: record.text("opr_id", "operator_ref"),
		Number:      record.text("number", "mobile"),
		Message:     record.text("message", "msg"),
		Status:      status,
		Date:        parseIndiaTime(record.text("date", "created_at", "txn_date")),
	}
	out.AmountPaise, _ = record.paise("amount")
	out.ChargedPaise, _ = record.paise("charged_amount", "charged")
	return out, nil
}

// statusFailure explains a status reply without an order id or a known state. A failure whose
// message states that the order is unknown is ErrOrderNotFound. Any other failure is returned with
// the kind its code or message names, possibly none, so that a caller never settles an order
// as lost on a message it cannot read.
func statusFailure(o, record object, statusText string) error {
	f := readFailure(record, "status", "STATUS")
	if f.message == "" && f.detail == "" {
		f = readFailure(o, "status", "STATUS")
	}
	if !f.failed {
		if statusText == "" {
			return badShape("order id and status are missing")
		}
		return badShape("order status %q is unknown", statusText)
	}

	apiErr := f.apiError(nil)
	if apiErr.Kind == nil && mentionsUnknownOrder(f.message, f.detail) {
		apiErr.Kind = ErrOrderNotFound
	}
	return apiErr
}
