package kwik_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/kwik"
)

var viRecharge = kwik.RechargeRequest{OrderID: "12011070", Number: "9000000001", OperatorID: "21", CircleCode: "17", AmountPaise: 1000}

var viRechargeForm = url.Values{"order_id": {"12011070"}, "number": {"9000000001"}, "opid": {"21"}, "state_code": {"17"}, "amount": {"10"}}

func TestRecharge(t *testing.T) {
	tests := []struct {
		name string
		body string
		want kwik.RechargeResult
	}{
		{
			name: "documented success",
			body: `{ "status": "SUCCESS", "order_id": "12011070", "opr_id": "BRH2512201219430132", "balance": "253.18",
			  "number": "9000000001", "provider": "VI", "amount": "10", "charged_amount": "9.62", "message": "SUCCESS" }`,
			want: kwik.RechargeResult{Status: kwik.StatusSuccess, OrderID: "12011070", OperatorRef: "BRH2512201219430132",
				Message: "SUCCESS", BalancePaise: 25318, ChargedPaise: 962},
		},
		{
			name: "success with numbers, STATUS, operator_ref, extra fields",
			body: `{ "STATUS": "Success", "order_id": 12011070, "operator_ref": "REF1", "balance": 253.18,
			  "charged_amount": 9.62, "commission": 0.38, "txn_time": "now" }`,
			want: kwik.RechargeResult{Status: kwik.StatusSuccess, OrderID: "12011070", OperatorRef: "REF1", BalancePaise: 25318, ChargedPaise: 962},
		},
		{
			name: "documented pending",
			body: `{ "status": "PENDING", "message": "Transaction is in pending state", "order_id": "12011071" }`,
			want: kwik.RechargeResult{Status: kwik.StatusPending, OrderID: "12011071", Message: "Transaction is in pending state"},
		},
		{
			name: "failed without a refusal code",
			body: `{ "status": "FAILED", "message": "Transaction Failed", "order_id": "12011072" }`,
			want: kwik.RechargeResult{Status: kwik.StatusFailure, OrderID: "12011072", Message: "Transaction Failed"},
		},
		{
			name: "failure spelled FAILURE with an operator message",
			body: `{ "status": "FAILURE", "message": "Recharge failed at operator", "error_code": "205", "order_id": "12011072" }`,
			want: kwik.RechargeResult{Status: kwik.StatusFailure, OrderID: "12011072", Message: "Recharge failed at operator", ErrorCode: "205"},
		},
		{
			name: "wrapped in response",
			body: `{"response": {"status": "SUCCESS", "order_id": "12011070", "opr_id": "X"}}`,
			want: kwik.RechargeResult{Status: kwik.StatusSuccess, OrderID: "12011070", OperatorRef: "X"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointRecharge, viRechargeForm, jsonReply(tt.body))
			got, err := c.Recharge(t.Context(), viRecharge)
			if err != nil {
				t.Fatalf("Recharge: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Recharge mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRechargeSendsAmountInRupees(t *testing.T) {
	req := viRecharge
	req.AmountPaise = 19950
	req.CircleCode = ""
	want := url.Values{"amount": {"199.50"}, "state_code": {""}}
	c := endpointClient(t, kwik.EndpointRecharge, want, jsonReply(`{"status": "SUCCESS", "order_id": "12011070"}`))
	if _, err := c.Recharge(t.Context(), req); err != nil {
		t.Fatalf("Recharge: %v", err)
	}
}

func TestRechargeInsufficientBalanceKeepsResult(t *testing.T) {
	body := `{ "status": "FAILED", "message": "Transaction Failed", "order_id": "12011072", "error_code": "101", "error_message": "Insufficient Balance" }`
	c := endpointClient(t, kwik.EndpointRecharge, viRechargeForm, jsonReply(body))
	got, err := c.Recharge(t.Context(), viRecharge)
	if !errorIs(err, kwik.ErrInsufficientBalance) {
		t.Fatalf("err = %v, want ErrInsufficientBalance", err)
	}
	if errorIs(err, kwik.ErrUnknownOutcome) {
		t.Error("an insufficient balance matches ErrUnknownOutcome; the request was refused")
	}
	want := kwik.RechargeResult{Status: kwik.StatusFailure, OrderID: "12011072", ErrorCode: "101", Message: "Transaction Failed: Insufficient Balance"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result mismatch (-want +got):\n%s", diff)
	}
}

func TestRechargeUnclearStatusIsUnknownOutcome(t *testing.T) {
	for _, body := range []string{
		`{"status": "REFUND", "order_id": "1"}`,
		`{"status": "QUEUED", "order_id": "1"}`,
		`{"order_id": "1", "message": "accepted"}`,
		`[]`,
	} {
		c := endpointClient(t, kwik.EndpointRecharge, nil, jsonReply(body))
		if _, err := c.Recharge(t.Context(), viRecharge); !errorIs(err, kwik.ErrUnknownOutcome) || !errorIs(err, kwik.ErrBadResponse) {
			t.Errorf("Recharge with %s: err = %v, want ErrUnknownOutcome and ErrBadResponse", body, err)
		}
	}
}

func TestRechargeValidatesBeforeSending(t *testing.T) {
	tests := []struct {
		name string
		req  kwik.RechargeRequest
	}{
		{"order id too long", kwik.RechargeRequest{OrderID: "123456789012345", Number: "9000000001", OperatorID: "1", AmountPaise: 1000}},
		{"order id not numeric", kwik.RechargeRequest{OrderID: "A1", Number: "9000000001", OperatorID: "1", AmountPaise: 1000}},
		{"order id missing", kwik.RechargeRequest{Number: "9000000001", OperatorID: "1", AmountPaise: 1000}},
		{"number with letters", kwik.RechargeRequest{OrderID: "1", Number: "90000x0001", OperatorID: "1", AmountPaise: 1000}},
		{"operator missing", kwik.RechargeRequest{OrderID: "1", Number: "9000000001", AmountPaise: 1000}},
		{"amount zero", kwik.RechargeRequest{OrderID: "1", Number: "9000000001", OperatorID: "1"}},
		{"amount negative", kwik.RechargeRequest{OrderID: "1", Number: "9000000001", OperatorID: "1", AmountPaise: -100}},
	}
	c := newClient(t, failOnCall(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Recharge(t.Context(), tt.req)
			if !errorIs(err, kwik.ErrInvalidParams) || errorIs(err, kwik.ErrUnknownOutcome) {
				t.Errorf("err = %v, want ErrInvalidParams only", err)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name string
		body string
		want kwik.StatusResult
	}{
		{
			name: "documented sample",
			body: `{ "response": { "order_id": "11554212", "operator_ref": "4162140972233", "opr_id": "416214093455",
			  "status": "SUCCESS", "number": "9000000001", "amount": "1", "charged_amount": "2.35",
			  "closing_balance": "312.15", "date": "2024-06-10 14:23:53" } }`,
			want: kwik.StatusResult{OrderID: "11554212", OperatorRef: "416214093455", Number: "9000000001", Status: kwik.StatusSuccess,
				AmountPaise: 100, ChargedPaise: 235, Date: india(2024, 6, 10, 14, 23, 53)},
		},
		{
			name: "bare, numbers, FAILED, only operator_ref",
			body: `{"order_id": 11554212, "operator_ref": "4162", "STATUS": "FAILED", "amount": 10, "charged_amount": 9.62, "message": "Operator failure", "date": "2024-06-10T00:10:00"}`,
			want: kwik.StatusResult{OrderID: "11554212", OperatorRef: "4162", Status: kwik.StatusFailure, Message: "Operator failure",
				AmountPaise: 1000, ChargedPaise: 962, Date: india(2024, 6, 10, 0, 10, 0)},
		},
		{
			name: "refund, missing date",
			body: `{"response": {"order_id": "7", "status": "REFUND"}}`,
			want: kwik.StatusResult{OrderID: "7", Status: kwik.StatusRefund},
		},
		{
			name: "pending",
			body: `{"response": {"order_id": "7", "status": "Pending", "date": "garbage"}}`,
			want: kwik.StatusResult{OrderID: "7", Status: kwik.StatusPending},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointStatus, url.Values{"order_id": {"11554212"}}, jsonReply(tt.body))
			got, err := c.Status(t.Context(), "11554212")
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Status mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusDateIsIndiaTimeInUTC(t *testing.T) {
	c := endpointClient(t, kwik.EndpointStatus, nil, jsonReply(`{"response": {"order_id": "1", "status": "SUCCESS", "date": "2024-06-10 04:00:00"}}`))
	got, err := c.Status(t.Context(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if want := "2024-06-09T22:30:00Z"; got.Date.Format("2006-01-02T15:04:05Z07:00") != want || got.Date.Location().String() != "UTC" {
		t.Errorf("Date = %v, want %s in UTC", got.Date, want)
	}
}

func TestStatusUnknownOrder(t *testing.T) {
	for _, body := range []string{
		`{"success": false, "status": "FAILED", "message": "Order not found"}`,
		`{"status": "FAILED", "message": "No record found for this order id"}`,
		`{"response": {"status": "FAILURE", "message": "Invalid order id"}}`,
		`{"status": "FAILED", "message": "Transaction does not exist"}`,
	} {
		c := endpointClient(t, kwik.EndpointStatus, nil, jsonReply(body))
		if _, err := c.Status(t.Context(), "1"); !errorIs(err, kwik.ErrOrderNotFound) {
			t.Errorf("Status with %s: err = %v, want ErrOrderNotFound", body, err)
		}
	}
}

func TestStatusUnknownStateIsBadResponse(t *testing.T) {
	for _, body := range []string{`{"response": {"order_id": "1", "status": "HELD"}}`, `{"response": {}}`, `{}`} {
		c := endpointClient(t, kwik.EndpointStatus, nil, jsonReply(body))
		if _, err := c.Status(t.Context(), "1"); !errorIs(err, kwik.ErrBadResponse) {
			t.Errorf("Status with %s: err = %v, want ErrBadResponse", body, err)
		}
	}
}

func TestStatusUnreadableFailureIsNotOrderNotFound(t *testing.T) {
	c := endpointClient(t, kwik.EndpointStatus, nil, jsonReply(`{"status": "FAILED", "message": "Server busy, try later"}`))
	_, err := c.Status(t.Context(), "1")
	var apiErr *kwik.APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "Server busy, try later" {
		t.Fatalf("err = %v, want an *APIError carrying the message", err)
	}
	if errors.Is(err, kwik.ErrOrderNotFound) {
		t.Error("an unreadable failure matches ErrOrderNotFound; a caller would settle the order as lost")
	}
}

func TestBalance(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int64
	}{
		{"documented wrapped", `{ "response": { "balance": "262.80", "plan_credit": "1" } }`, 26280},
		{"documented older", `{ "status": "SUCCESS", "balance": "10000.50", "currency": "INR" }`, 1000050},
		{"number", `{"response": {"balance": 99.5}}`, 9950},
		{"zero", `{"STATUS": "SUCCESS", "balance": "0.00"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointBalance, nil, jsonReply(tt.body))
			got, err := c.Balance(t.Context())
			if err != nil || got != tt.want {
				t.Errorf("Balance = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestBalanceMissingOrMalformedIsBadResponse(t *testing.T) {
	for _, body := range []string{`{"response": {"plan_credit": "1"}}`, `{"balance": "lots"}`} {
		c := endpointClient(t, kwik.EndpointBalance, nil, jsonReply(body))
		if _, err := c.Balance(t.Context()); !errorIs(err, kwik.ErrBadResponse) {
			t.Errorf("Balance with %s: err = %v, want ErrBadResponse", body, err)
		}
	}
}

func TestTransactions(t *testing.T) {
	body := `[ { "trx_id": "2439956", "your_id": "15941191532587", "number": "9000000002", "number2": null,
	    "ref_id": "14132909", "amount": "220", "charged_amount": "212.74", "date": "2020-07-07 16:22:33",
	    "status": "SUCCESS", "service": "SUN DTH" },
	  { "trx_id": 2439955, "your_id": 15941191532586, "number": "9000000001", "amount": 10, "charged_amount": 9.62,
	    "status": "FAILED", "service": "VI", "extra": {"a": 1} },
	  { "trx_id": "2439954", "your_id": "3", "status": "REFUND" },
	  { "trx_id": "2439953", "your_id": "4", "status": "ON HOLD" } ]`
	c := endpointClient(t, kwik.EndpointTransactions, nil, jsonReply(body))
	got, err := c.Transactions(t.Context())
	if err != nil {
		t.Fatalf("Transactions: %v", err)
	}
	want := []kwik.Transaction{
		{TrxID: "2439956", OrderID: "15941191532587", Number: "9000000002", RefID: "14132909", Service: "SUN DTH",
			Status: kwik.StatusSuccess, AmountPaise: 22000, ChargedPaise: 21274, Date: india(2020, 7, 7, 16, 22, 33)},
		{TrxID: "2439955", OrderID: "15941191532586", Number: "9000000001", Service: "VI", Status: kwik.StatusFailure, AmountPaise: 1000, ChargedPaise: 962},
		{TrxID: "2439954", OrderID: "3", Status: kwik.StatusRefund},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Transactions mismatch (-want +got):\n%s", diff)
	}
}

func TestTransactionsWrappedAndEmpty(t *testing.T) {
	tests := []struct {
		body string
		want int
	}{
		{`{"status": "SUCCESS", "response": [{"your_id": "1", "status": "SUCCESS"}]}`, 1},
		{`[]`, 0},
	}
	for _, tt := range tests {
		c := endpointClient(t, kwik.EndpointTransactions, nil, jsonReply(tt.body))
		got, err := c.Transactions(t.Context())
		if err != nil || len(got) != tt.want {
			t.Errorf("Transactions with %s = %v, %v; want %d entries", tt.body, got, err, tt.want)
		}
	}
}
