package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// startSandbox runs `rechargebot sandbox` on a free loopback port and returns its base URL and
// key as printed. The sandbox stops when the test ends, or earlier through stop, and the test
// checks that it exited cleanly and in time.
func startSandbox(t *testing.T, args ...string) (baseURL, key string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutReader, stdoutWriter := io.Pipe()
	var stderr lockedBuffer

	exit := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...), envFrom(nil), nil, stdoutWriter, &stderr)
		stdoutWriter.Close()
		exit <- code
	}()

	lines := bufio.NewScanner(stdoutReader)
	for (baseURL == "" || key == "") && lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), "KWIKAPI_BASE_URL="); ok {
			baseURL = v
		}
		if v, ok := strings.CutPrefix(lines.Text(), "KWIKAPI_API_KEY="); ok {
			key = v
		}
	}
	if baseURL == "" || key == "" {
		cancel()
		t.Fatalf("sandbox printed no base URL and key; exit %d, stderr: %s", <-exit, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutReader) }()

	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case code := <-exit:
				if code != 0 {
					t.Errorf("sandbox exit status = %d, want 0; stderr: %s", code, stderr.String())
				}
			case <-time.After(2 * sandboxShutdownTimeout):
				// The margin keeps a loaded machine from failing a sandbox that did stop
				// when its own shutdown timeout ended.
				t.Error("sandbox did not stop within twice its shutdown timeout")
			}
		})
	}
	t.Cleanup(stop)
	return baseURL, key, stop
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSandboxPrintsLoopbackURLAndKey(t *testing.T) {
	baseURL, key, _ := startSandbox(t, "--key", "demo-key")
	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") || strings.HasSuffix(baseURL, ":0") {
		t.Errorf("base URL = %q, want http://127.0.0.1:PORT with the chosen port", baseURL)
	}
	if key != "demo-key" {
		t.Errorf("key = %q, want demo-key", key)
	}
}

func TestSandboxServesEveryEndpoint(t *testing.T) {
	baseURL, key, _ := startSandbox(t, "--balance", "2500.50")
	client, err := kwik.New(baseURL, key)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	balance, err := client.Balance(ctx)
	if err != nil || balance != 250050 {
		t.Errorf("Balance = %d, %v; want 250050 paise from --balance 2500.50", balance, err)
	}

	categories, err := client.Categories(ctx)
	if err != nil || len(categories) < 3 {
		t.Errorf("Categories = %v, %v; want Prepaid, DTH and others", categories, err)
	}
	prepaid, err := client.Operators(ctx, "Prepaid")
	if err != nil || !hasOperator(prepaid, "1", "Airtel") || !hasOperator(prepaid, "21", "Vodafone (Vi)") {
		t.Errorf("Operators(Prepaid) = %v, %v; want Airtel 1 and Vi 21", prepaid, err)
	}
	details, err := client.OperatorDetails(ctx, []string{"53", "27"})
	if err != nil || len(details) != 2 || details[0].Params[0] != "Consumer Number" {
		t.Errorf("OperatorDetails(53#27) = %+v, %v; want two with a Consumer Number label first", details, err)
	}
	circles, err := client.Circles(ctx)
	if err != nil || len(circles) < 30 {
		t.Errorf("Circles = %d circles, %v; want every documented circle", len(circles), err)
	}
	detection, err := client.Detect(ctx, "9876543210")
	if err != nil || detection.OperatorID != "1" {
		t.Errorf("Detect(9876543210) = %+v, %v; want Airtel", detection, err)
	}
	plans, err := client.Plans(ctx, "1", "1")
	if err != nil || len(plans.Groups) < 3 || len(plans.Groups[0].Plans) < 20 {
		t.Errorf("Plans(1, 1) = %d groups, %v; want several groups of 20 or more", len(plans.Groups), err)
	}
	dthPlans, err := client.DTHPlans(ctx, "27")
	if err != nil || len(dthPlans.Groups) == 0 {
		t.Errorf("DTHPlans(27) = %d groups, %v; want some", len(dthPlans.Groups), err)
	}
	offers, err := client.ROffers(ctx, "21", "9123456780")
	if err != nil || len(offers) == 0 {
		t.Errorf("ROffers(21) = %v, %v; want some", offers, err)
	}

	result, err := client.Recharge(ctx, kwik.RechargeRequest{OrderID: "26120400000001", Number: "9876543210", OperatorID: "1", AmountPaise: 19900})
	if err != nil || result.Status != kwik.StatusSuccess {
		t.Fatalf("Recharge = %+v, %v; want SUCCESS", result, err)
	}
	status, err := client.Status(ctx, "26120400000001")
	if err != nil || status.Status != kwik.StatusSuccess || status.AmountPaise != 19900 {
		t.Errorf("Status = %+v, %v; want SUCCESS of 19900 paise", status, err)
	}
	transactions, err := client.Transactions(ctx)
	if err != nil || len(transactions) != 1 || transactions[0].OrderID != "26120400000001" {
		t.Errorf("Transactions = %+v, %v; want the one order", transactions, err)
	}
}

// TestSandboxRepliesHaveDocumentedShapes checks the raw JSON keys of each endpoint's reply,
// independent of the client's tolerant decoding.
func TestSandboxRepliesHaveDocumentedShapes(t *testing.T) {
	baseURL, key, _ := startSandbox(t)
	recharge := url.Values{"number": {"9876543210"}, "amount": {"10"}, "opid": {"1"}, "order_id": {"501"}}

	tests := []struct {
		name   string
		method string
		path   string
		params url.Values
		keys   []string
	}{
		{"categories", "POST", "/api/v2/Service-Category-List.php", nil, []string{"success", "status", "categories", "total"}},
		{"operator codes", "GET", "/api/v2/operator_codes.php", url.Values{"service": {"DTH"}}, []string{"status", "response"}},
		{"operator details", "POST", "/api/v2/operatorFetch.php", url.Values{"opid": {"53"}}, []string{"success", "STATUS", "status", "operator_id", "parameters"}},
		{"circles", "GET", "/api/v2/circle_codes.php", nil, []string{"response"}},
		{"detect", "POST", "/api/v2/operator_fetch_v2.php", url.Values{"number": {"9876543210"}}, []string{"success", "details"}},
		{"plans", "POST", "/api/v2/recharge_plans.php", url.Values{"opid": {"3"}, "state_code": {"17"}}, []string{"success", "operator", "circle", "plans"}},
		{"DTH plans", "POST", "/api/v2/DTH_plans.php", url.Values{"opid": {"25"}}, []string{"success", "operator", "plans"}},
		{"R-offers", "POST", "/api/v2/R-OFFER_check.php", url.Values{"opid": {"21"}, "mobile": {"9000000001"}}, []string{"success", "mobile_no", "offers"}},
		{"recharge", "GET", "/api/v2/recharge.php", recharge, []string{"status", "order_id", "opr_id", "balance", "charged_amount"}},
		{"status", "GET", "/api/v2/status.php", url.Values{"order_id": {"501"}}, []string{"response"}},
		{"balance", "GET", "/api/v2/balance.php", nil, []string{"response"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := callRaw(t, tt.method, baseURL+tt.path, key, tt.params)
			var object map[string]json.RawMessage
			if err := json.Unmarshal(reply, &object); err != nil {
				t.Fatalf("reply is not a JSON object: %v; body %s", err, reply)
			}
			for _, k := range tt.keys {
				if _, ok := object[k]; !ok {
					t.Errorf("reply lacks %q; body %s", k, reply)
				}
			}
		})
	}

	t.Run("transactions", func(t *testing.T) {
		reply := callRaw(t, "GET", baseURL+"/api/v2/transactions.php", key, nil)
		var list []map[string]any
		if err := json.Unmarshal(reply, &list); err != nil || len(list) != 1 {
			t.Fatalf("reply = %s, want a bare array of one transaction (%v)", reply, err)
		}
		if list[0]["your_id"] != "501" {
			t.Errorf("your_id = %v, want 501", list[0]["your_id"])
		}
	})
}

func callRaw(t *testing.T, method, endpoint, key string, params url.Values) []byte {
	t.Helper()
	form := url.Values{"api_key": {key}}
	for k, v := range params {
		form[k] = v
	}
	var resp *http.Response
	var err error
	if method == "GET" {
		resp, err = http.Get(endpoint + "?" + form.Encode())
	} else {
		resp, err = http.PostForm(endpoint, form)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d, %v", method, endpoint, resp.StatusCode, err)
	}
	return body
}

func hasOperator(ops []kwik.Operator, id, name string) bool {
	for _, op := range ops {
		if op.ID == id && op.Name == name {
			return true
		}
	}
	return false
}

func TestSandboxRejectsBadBalance(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"sandbox", "--balance", "lots"}, envFrom(nil), nil, &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit status = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "--balance") {
		t.Errorf("stderr = %q, want it to name --balance", stderr.String())
	}
}

func TestSandboxStopEndsHangingRequest(t *testing.T) {
	baseURL, key, stop := startSandbox(t, "--unlimited")
	client, err := kwik.New(baseURL, key, kwik.WithRechargeTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}

	// A number ending 0005 records the order, then holds the reply until the request ends.
	done := make(chan error, 1)
	go func() {
		_, err := client.Recharge(context.Background(), kwik.RechargeRequest{OrderID: "77", Number: "9876500005", OperatorID: "1", AmountPaise: 1000})
		done <- err
	}()
	waitForOrder(t, client, "77")

	stop()
	select {
	case err := <-done:
		if !errors.Is(err, kwik.ErrUnknownOutcome) {
			t.Errorf("Recharge err = %v, want an unknown outcome", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the hanging recharge did not end when the sandbox stopped")
	}
}

// waitForOrder polls transactions.php until the order shows up.
func waitForOrder(t *testing.T, client *kwik.Client, orderID string) {
	t.Helper()
	for range 10000 {
		transactions, err := client.Transactions(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range transactions {
			if tx.OrderID == orderID {
				return
			}
		}
		runtime.Gosched()
	}
	t.Fatalf("order %s never showed up in transactions", orderID)
}

func TestSandboxUnlimitedLiftsDailyLimits(t *testing.T) {
	baseURL, key, _ := startSandbox(t, "--unlimited")
	client, err := kwik.New(baseURL, key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range kwik.DailyLimits()[kwik.EndpointCircles] + 1 {
		if _, err := client.Circles(t.Context()); err != nil {
			t.Fatalf("circle list %d: %v", i+1, err)
		}
	}
}

func TestSandboxKeepsDailyLimitsByDefault(t *testing.T) {
	baseURL, key, _ := startSandbox(t)
	client, err := kwik.New(baseURL, key)
	if err != nil {
		t.Fatal(err)
	}
	limit := kwik.DailyLimits()[kwik.EndpointCircles]
	for range limit {
		if _, err := client.Circles(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Circles(t.Context()); !errors.Is(err, kwik.ErrRateLimited) {
		t.Errorf("circle list %d: err = %v, want ErrRateLimited", limit+1, err)
	}
}
