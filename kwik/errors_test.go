package kwik_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// errorCase is one failing reply and the endpoint it comes from.
type errorCase struct {
	name  string
	ep    kwik.Endpoint
	reply reply
}

// call makes the client call the endpoint with valid arguments and returns its error.
func call(t *testing.T, c *kwik.Client, ep kwik.Endpoint) error {
	t.Helper()
	ctx := t.Context()
	var err error
	switch ep {
	case kwik.EndpointCategories:
		_, err = c.Categories(ctx)
	case kwik.EndpointOperators:
		_, err = c.Operators(ctx, "Prepaid")
	case kwik.EndpointOperatorDetails:
		_, err = c.OperatorDetails(ctx, []string{"53", "54"})
	case kwik.EndpointCircles:
		_, err = c.Circles(ctx)
	case kwik.EndpointDetect:
		_, err = c.Detect(ctx, "9876543210")
	case kwik.EndpointPlans:
		_, err = c.Plans(ctx, "1", "1")
	case kwik.EndpointDTHPlans:
		_, err = c.DTHPlans(ctx, "27")
	case kwik.EndpointROffers:
		_, err = c.ROffers(ctx, "1", "9876543210")
	case kwik.EndpointRecharge:
		_, err = c.Recharge(ctx, viRecharge)
	case kwik.EndpointStatus:
		_, err = c.Status(ctx, "12011070")
	case kwik.EndpointBalance:
		_, err = c.Balance(ctx)
	case kwik.EndpointTransactions:
		_, err = c.Transactions(ctx)
	default:
		t.Fatalf("no call for endpoint %q", ep)
	}
	return err
}

// checkKind runs each case and checks that the error matches kind and, on recharge, whether
// it also matches ErrUnknownOutcome.
func checkKind(t *testing.T, kind error, unknownOnRecharge bool, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := endpointClient(t, tc.ep, nil, tc.reply)
			err := call(t, c, tc.ep)
			if !errors.Is(err, kind) {
				t.Fatalf("err = %v, want %v", err, kind)
			}
			if tc.ep == kwik.EndpointRecharge && errors.Is(err, kwik.ErrUnknownOutcome) != unknownOnRecharge {
				t.Errorf("errors.Is(err, ErrUnknownOutcome) = %v, want %v (err %v)", !unknownOnRecharge, unknownOnRecharge, err)
			}
			var apiErr *kwik.APIError
			if errors.As(err, &apiErr) && apiErr.Endpoint != tc.ep {
				t.Errorf("APIError.Endpoint = %q, want %q", apiErr.Endpoint, tc.ep)
			}
		})
	}
}

func TestErrAuth(t *testing.T) {
	checkKind(t, kwik.ErrAuth, false, []errorCase{
		{"invalid key", kwik.EndpointCategories, jsonReply(`{ "success": false, "status": "FAILED", "message": "Invalid API Key" }`)},
		{"API MISMATCH code 102", kwik.EndpointBalance, jsonReply(`{ "status": "102", "message": "API MISMATCH" }`)},
		{"IP not whitelisted", kwik.EndpointOperators, jsonReply(`{"status": "FAILED", "message": "IP not whitelisted"}`)},
		{"invalid key on recharge", kwik.EndpointRecharge, jsonReply(`{ "success": false, "status": "FAILED", "message": "Invalid API Key" }`)},
		{"API MISMATCH on recharge", kwik.EndpointRecharge, jsonReply(`{ "status": "102", "message": "API MISMATCH" }`)},
		{"HTTP 401 HTML", kwik.EndpointRecharge, reply{status: 401, body: "<html>Unauthorized</html>", contentType: "text/html"}},
		{"HTTP 403 empty", kwik.EndpointStatus, reply{status: 403}},
		{"invalid key on operator details", kwik.EndpointOperatorDetails, jsonReply(`{"success": false, "STATUS": "FAILED", "message": "Invalid API Key"}`)},
		{"invalid key on detect", kwik.EndpointDetect, jsonReply(`{"success": false, "message": "Invalid API Key"}`)},
		{"invalid key on transactions", kwik.EndpointTransactions, jsonReply(`{"status": "FAILED", "message": "Invalid API Key"}`)},
	})
}

func TestErrRateLimited(t *testing.T) {
	checkKind(t, kwik.ErrRateLimited, false, []errorCase{
		{"HTTP 429 JSON", kwik.EndpointCircles, reply{status: 429, body: `{"status": "FAILED", "message": "Rate limit exceeded"}`}},
		{"HTTP 429 text", kwik.EndpointRecharge, reply{status: 429, body: "Too Many Requests", contentType: "text/plain"}},
		{"message with HTTP 200", kwik.EndpointStatus, jsonReply(`{"success": false, "status": "FAILED", "message": "Rate limit exceeded"}`)},
		{"daily limit", kwik.EndpointPlans, jsonReply(`{"success": false, "message": "Daily limit exceeded for this API"}`)},
	})
}

func TestErrInsufficientBalance(t *testing.T) {
	checkKind(t, kwik.ErrInsufficientBalance, false, []errorCase{
		{"code 101", kwik.EndpointRecharge, jsonReply(`{ "status": "FAILED", "error_code": "101", "message": "Insufficient Balance" }`)},
		{"code 101 beside generic message", kwik.EndpointRecharge, jsonReply(`{ "status": "FAILED", "message": "Transaction Failed", "order_id": "12011072", "error_code": 101, "error_message": "Insufficient Balance" }`)},
		{"message only", kwik.EndpointRecharge, jsonReply(`{"status": "FAILED", "message": "Insufficient balance"}`)},
	})
}

func TestErrDuplicateOrderID(t *testing.T) {
	checkKind(t, kwik.ErrDuplicateOrderID, true, []errorCase{
		{"duplicate order_id", kwik.EndpointRecharge, jsonReply(`{ "status": "FAILED", "message": "Duplicate order_id" }`)},
		{"already exists", kwik.EndpointRecharge, jsonReply(`{"status": "FAILED", "message": "Order ID already exists"}`)},
	})
}

func TestErrDuplicateOrderIDDoesNotStateFailure(t *testing.T) {
	c := endpointClient(t, kwik.EndpointRecharge, nil, jsonReply(`{ "status": "FAILED", "message": "Duplicate order_id" }`))
	result, err := c.Recharge(t.Context(), viRecharge)
	if !errors.Is(err, kwik.ErrDuplicateOrderID) {
		t.Fatalf("err = %v, want ErrDuplicateOrderID", err)
	}
	if result.Status != "" {
		t.Errorf("Status = %q, want empty: the reply says nothing about the earlier request", result.Status)
	}
}

func TestErrOperatorUnavailable(t *testing.T) {
	checkKind(t, kwik.ErrOperatorUnavailable, false, []errorCase{
		{"documented message", kwik.EndpointRecharge, jsonReply(`{"status": "FAILED", "message": "Operator is temporarily unavailable"}`)},
		{"operator down", kwik.EndpointRecharge, jsonReply(`{"status": "FAILURE", "message": "Operator down, try later", "order_id": "1"}`)},
		{"on plans", kwik.EndpointPlans, jsonReply(`{"success": false, "message": "Operator is temporarily unavailable"}`)},
	})
}

func TestErrInvalidParams(t *testing.T) {
	checkKind(t, kwik.ErrInvalidParams, false, []errorCase{
		{"code 147", kwik.EndpointRecharge, jsonReply(`{ "status": "FAILED", "error_code": "147", "message": "Invalid Parameters" }`)},
		{"invalid number", kwik.EndpointDetect, jsonReply(`{"success": false, "message": "Invalid mobile number"}`)},
		{"invalid state code", kwik.EndpointPlans, jsonReply(`{"success": false, "message": "Invalid state code"}`)},
		{"invalid operator", kwik.EndpointOperatorDetails, jsonReply(`{"success": false, "STATUS": "FAILED", "message": "Invalid operator id"}`)},
	})
}

func TestErrBadResponse(t *testing.T) {
	checkKind(t, kwik.ErrBadResponse, true, []errorCase{
		{"HTML page with 200", kwik.EndpointCategories, reply{body: "<html><title>Maintenance</title></html>", contentType: "text/html"}},
		{"HTML page on recharge", kwik.EndpointRecharge, reply{body: "<!DOCTYPE html><html></html>", contentType: "text/html"}},
		{"HTTP 502 HTML", kwik.EndpointBalance, reply{status: 502, body: "<html>502 Bad Gateway</html>", contentType: "text/html"}},
		{"HTTP 500 on recharge", kwik.EndpointRecharge, reply{status: 500, body: "Internal Server Error", contentType: "text/plain"}},
		{"empty body", kwik.EndpointTransactions, reply{body: ""}},
		{"truncated JSON", kwik.EndpointStatus, jsonReply(`{"response": {"order_id": "1", "stat`)},
		{"truncated JSON on recharge", kwik.EndpointRecharge, jsonReply(`{"status": "SUCC`)},
		{"HTTP 404", kwik.EndpointCircles, reply{status: 404, body: "not found", contentType: "text/plain"}},
		{"HTTP 404 on recharge", kwik.EndpointRecharge, reply{status: 404, body: "not found", contentType: "text/plain"}},
		{"body over the size limit", kwik.EndpointCircles, jsonReply(`{"response": [` + strings.Repeat(`{"circle_code": "1"},`, 300000) + `{}]}`)},
	})
}

func TestAPIErrorFields(t *testing.T) {
	c := endpointClient(t, kwik.EndpointRecharge, nil, jsonReply(`{ "status": "FAILED", "error_code": "147", "message": "Invalid Parameters" }`))
	_, err := c.Recharge(t.Context(), viRecharge)
	var apiErr *kwik.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if apiErr.Endpoint != kwik.EndpointRecharge || apiErr.HTTPStatus != 200 || apiErr.Code != "147" || apiErr.Message != "Invalid Parameters" {
		t.Errorf("APIError = %+v", apiErr)
	}
	if want := "kwikapi recharge: invalid parameters (code 147): Invalid Parameters"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestUnreadableFailureHasNoKind(t *testing.T) {
	c := endpointClient(t, kwik.EndpointCategories, nil, jsonReply(`{"success": false, "message": "Something odd"}`))
	err := call(t, c, kwik.EndpointCategories)
	var apiErr *kwik.APIError
	if !errors.As(err, &apiErr) || apiErr.Kind != nil || apiErr.Message != "Something odd" {
		t.Fatalf("err = %#v, want an *APIError without a kind", err)
	}
	for _, kind := range []error{kwik.ErrAuth, kwik.ErrBadResponse, kwik.ErrInvalidParams, kwik.ErrUnknownOutcome} {
		if errors.Is(err, kind) {
			t.Errorf("err matches %v", kind)
		}
	}
}

func TestErrUnknownOutcome(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"timeout", hang},
		{"connection reset", resetConnection},
		{"HTTP 503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }},
		{"HTML", func(w http.ResponseWriter, r *http.Request) {
			writeReply(w, reply{body: "<html></html>", contentType: "text/html"})
		}},
		{"JSON without status", func(w http.ResponseWriter, r *http.Request) { writeReply(w, jsonReply(`{"order_id": "12011070"}`)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, calls := sequence(t, tt.handler)

			c := newClient(t, srv, kwik.WithRechargeTimeout(50*time.Millisecond))
			_, err := c.Recharge(t.Context(), viRecharge)
			if !errors.Is(err, kwik.ErrUnknownOutcome) {
				t.Fatalf("err = %v, want ErrUnknownOutcome", err)
			}
			if calls.Load() != 1 {
				t.Errorf("recharge.php calls = %d, want exactly 1 (never retried)", calls.Load())
			}
		})
	}
}

// resetConnection closes the connection without a reply.
func resetConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// TestErrorBodyIsReadThroughLimit pads a JSON error past the 64 KiB error-body limit: the client
// stops reading there, so the message is lost and the HTTP status alone sets the kind.
func TestErrorBodyIsReadThroughLimit(t *testing.T) {
	padded := `{"status": "FAILED", "message": "Invalid API Key", "pad": "` + strings.Repeat("x", 100<<10) + `"}`
	c := endpointClient(t, kwik.EndpointBalance, nil, reply{status: http.StatusTooManyRequests, body: padded})
	_, err := c.Balance(t.Context())
	var apiErr *kwik.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if apiErr.Kind != kwik.ErrRateLimited {
		t.Errorf("Kind = %v, want ErrRateLimited from HTTP 429", apiErr.Kind)
	}
	if apiErr.Message == "Invalid API Key" {
		t.Error("the message past the limit was decoded, so the whole body was read")
	}
}
