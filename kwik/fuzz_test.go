package kwik

import (
	"errors"
	"testing"
)

// decoders are every reply decoder, by endpoint, each reduced to its error.
var decoders = map[Endpoint]func(body []byte) error{
	EndpointCategories:      func(b []byte) error { _, err := decodeCategories(b); return err },
	EndpointOperators:       func(b []byte) error { _, err := decodeOperatorPage(b); return err },
	EndpointOperatorDetails: func(b []byte) error { _, err := decodeOperatorDetails(b); return err },
	EndpointCircles:         func(b []byte) error { _, err := decodeCircles(b); return err },
	EndpointDetect:          func(b []byte) error { _, err := decodeDetection(b); return err },
	EndpointPlans:           func(b []byte) error { _, err := decodePlanList(b); return err },
	EndpointBalance:         func(b []byte) error { _, err := decodeBalance(b); return err },
	EndpointTransactions:    func(b []byte) error { _, err := decodeTransactions(b); return err },
	EndpointROffers:         func(b []byte) error { _, err := decodeOffers(b); return err },
	EndpointStatus: func(b []byte) error {
		r, err := decodeStatus(b)
		if err == nil && !knownStatus(r.Status) {
			return errors.New("status result with unknown state " + string(r.Status))
		}
		return err
	},
	EndpointRecharge: func(b []byte) error {
		r, err := decodeRecharge(b)
		if err == nil && r.Status != StatusSuccess && r.Status != StatusPending && r.Status != StatusFailure {
			return errors.New("recharge result without a SUCCESS, PENDING or FAILURE state: " + string(r.Status))
		}
		return err
	},
}

func knownStatus(s Status) bool {
	_, ok := ParseStatus(string(s))
	return ok
}

var fuzzSeeds = []string{
	`{ "success": true, "status": "SUCCESS", "total": 1, "categories": [ { "service_name": "Prepaid", "total_operators": 32 } ] }`,
	`{ "status": "SUCCESS", "response": [ { "operator_name": "Airtel", "operator_id": "1", "status": "1", "biller_status": "on", "amount_minimum": "10", "amount_maximum": "10000" } ] }`,
	`{ "success": true, "STATUS": "SUCCESS", "operator_id": "53", "status": "1", "parameters": [ { "opt1/param1": "Consumer Number" }, { "opt2/param2": "" } ] }`,
	`[{"STATUS": "SUCCESS", "operator_id": 27, "required_params": ["Subscriber ID", {"name": "x"}]}]`,
	`{ "response": [ { "circle_name": "DELHI (DL)", "circle_code": "1" } ] }`,
	`{ "success": true, "message": null, "credit_balance": "499", "details": { "provider": "Airtel", "opid": "1", "circle_code": "5", "circle_name": "Delhi (DL)" } }`,
	`{"opid": 8, "operator_name": "Jio", "circle_code": 4, "is_ported": "YES"}`,
	`{ "success": true, "plans": { "3G/4G": [ { "Type": "Data", "rs": 22, "validity": "1 Day" } ], "Talktime": [ { "rs": "10" } ] } }`,
	`{"plans": {"Long": [{"rs": {"1 MONTHS": "153.00", "3 MONTHS": 459}}]}}`,
	`{"plans": [{"Type": "Data", "rs": "19"}]}`,
	`{ "status": "SUCCESS", "order_id": "12011070", "opr_id": "BRH25", "balance": "253.18", "charged_amount": 9.62 }`,
	`{ "status": "FAILED", "message": "Transaction Failed", "order_id": "1", "error_code": "101", "error_message": "Insufficient Balance" }`,
	`{ "response": { "order_id": "11554212", "status": "SUCCESS", "amount": "1", "date": "2024-06-10 14:23:53" } }`,
	`{ "response": { "balance": "262.80", "plan_credit": "1" } }`,
	`[ { "trx_id": "2439956", "your_id": "15941191532587", "amount": "220", "status": "SUCCESS", "date": "2020-07-07 16:22:33" } ]`,
	`{ "status": "102", "message": "API MISMATCH" }`,
	`{ "success": true, "offers": [ { "price": "199", "ofrtext": "x", "validity": 28 } ] }`,
	`<html></html>`, `[]`, `{}`, `null`, `"x"`, `{"response": null}`, `{"plans": {"a": 5}}`,
}

// FuzzDecoders feeds arbitrary bodies to every decoder. A decoder must not panic, must report
// every failure as an *APIError (so the transport can classify it), and must never turn a body
// into a result with a state outside the documented ones.
func FuzzDecoders(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for ep, decode := range decoders {
			err := decode(body)
			if err == nil {
				continue
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Errorf("%s: error %v is not an *APIError", ep, err)
			}
		}
	})
}

// FuzzParsePaise checks that any amount ParsePaise accepts formats back to the same paise.
func FuzzParsePaise(f *testing.F) {
	for _, seed := range []string{"10", "253.18", "9.6", "1,000.50", "₹ 5", "-0.01", "9.615", ".5", "1e3", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		paise, err := ParsePaise(s)
		if err != nil {
			return
		}
		back, err := ParsePaise(FormatAmount(paise))
		if err != nil || back != paise {
			t.Errorf("ParsePaise(%q) = %d, but FormatAmount gives %q which parses to %d, %v", s, paise, FormatAmount(paise), back, err)
		}
	})
}
