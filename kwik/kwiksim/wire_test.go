package kwiksim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

// rawCall sends form to path with the default key and decodes the JSON reply.
func rawCall(t *testing.T, srv *httptest.Server, method, path string, form url.Values) any {
	t.Helper()
	form.Set("api_key", kwiksim.DefaultAPIKey)
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = http.Get(srv.URL + path + "?" + form.Encode())
	} else {
		resp, err = http.PostForm(srv.URL+path, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: reply is not JSON: %s", path, body)
	}
	return v
}

func field(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func isString(v any) bool { _, ok := v.(string); return ok }
func isNumber(v any) bool { _, ok := v.(float64); return ok }

// TestRepliesMixWireVariants checks that the simulator sends the variants a client must
// tolerate, not only the most common form.
func TestRepliesMixWireVariants(t *testing.T) {
	srv := httptest.NewServer(kwiksim.New(kwiksim.Options{PageSize: 5}).Handler())
	t.Cleanup(srv.Close)

	page1 := rawCall(t, srv, "GET", "/api/v2/operator_codes.php", url.Values{"service": {"Prepaid"}})
	page2 := rawCall(t, srv, "GET", "/api/v2/operator_codes.php", url.Values{"service": {"Prepaid"}, "page": {"2"}})
	if field(page1, "status") != "SUCCESS" || field(page2, "status") != nil {
		t.Errorf("top-level status on pages 1 and 2 = %v, %v; want SUCCESS then none", field(page1, "status"), field(page2, "status"))
	}
	prepaid := field(page1, "response").([]any)[0]
	dth := field(rawCall(t, srv, "GET", "/api/v2/operator_codes.php", url.Values{"service": {"DTH"}}), "response").([]any)[0]
	if !isString(field(prepaid, "amount_minimum")) || !isNumber(field(dth, "amount_minimum")) {
		t.Errorf("amount_minimum = %#v (prepaid), %#v (DTH); want a string and a number", field(prepaid, "amount_minimum"), field(dth, "amount_minimum"))
	}

	detail := rawCall(t, srv, "POST", "/api/v2/operatorFetch.php", url.Values{"opid": {"53"}})
	if field(detail, "STATUS") != "SUCCESS" || field(detail, "status") != "1" {
		t.Errorf("operatorFetch STATUS, status = %v, %v; want SUCCESS and 1 side by side", field(detail, "STATUS"), field(detail, "status"))
	}

	nested := rawCall(t, srv, "POST", "/api/v2/operator_fetch_v2.php", url.Values{"number": {"9876543210"}})
	flat := rawCall(t, srv, "POST", "/api/v2/operator_fetch_v2.php", url.Values{"number": {"9876543211"}})
	if field(nested, "details", "opid") != "1" || !isNumber(field(flat, "circle_code")) || field(flat, "is_ported") != false {
		t.Errorf("detect shapes = %v and %v; want nested details and the flat shape", nested, flat)
	}

	plans := rawCall(t, srv, "POST", "/api/v2/recharge_plans.php", url.Values{"opid": {"1"}, "state_code": {"1"}})
	first := field(plans, "plans", "Unlimited").([]any)
	if !isNumber(field(first[0], "rs")) || !isString(field(first[1], "rs")) {
		t.Errorf("rs = %#v, %#v; want a number and a string", field(first[0], "rs"), field(first[1], "rs"))
	}

	recharge := url.Values{"number": {"9876543210"}, "amount": {"10"}, "opid": {"1"}}
	one := rawCall(t, srv, "GET", "/api/v2/recharge.php", with(recharge, "order_id", "1"))
	two := rawCall(t, srv, "GET", "/api/v2/recharge.php", with(recharge, "order_id", "2"))
	if isNumber(field(one, "balance")) == isNumber(field(two, "balance")) {
		t.Errorf("balance in two recharge replies = %#v, %#v; want one number and one string", field(one, "balance"), field(two, "balance"))
	}

	wrapped := rawCall(t, srv, "GET", "/api/v2/balance.php", url.Values{})
	older := rawCall(t, srv, "GET", "/api/v2/balance.php", url.Values{})
	if field(wrapped, "response", "balance") == nil || field(older, "currency") != "INR" {
		t.Errorf("balance shapes = %v, %v; want the wrapped then the older form", wrapped, older)
	}

	failed := rawCall(t, srv, "GET", "/api/v2/recharge.php", url.Values{"number": {"9876500001"}, "amount": {"10"}, "opid": {"1"}, "order_id": {"3"}})
	status := rawCall(t, srv, "GET", "/api/v2/status.php", url.Values{"order_id": {"3"}})
	if field(failed, "status") != "FAILED" || field(status, "response", "status") != "FAILURE" {
		t.Errorf("failure spelled %v by recharge and %v by status; want FAILED and FAILURE", field(failed, "status"), field(status, "response", "status"))
	}
}

func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set(key, value)
	return out
}
