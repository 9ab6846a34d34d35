package kwiksim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

// charged is what the simulator debits for a prepaid recharge (3.8% margin).
func charged(paise int64) int64 { return paise * 9620 / 10000 }

func TestPlainRechargeSucceeds(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	before := sim.Balance()

	res, err := c.Recharge(t.Context(), rechargeOf("26120400000001", "9876543210", "1", 19900))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != kwik.StatusSuccess || res.OperatorRef == "" || res.ChargedPaise != charged(19900) {
		t.Errorf("result = %+v, want SUCCESS with a reference and the charged amount", res)
	}
	if got := sim.Balance(); got != before-charged(19900) || res.BalancePaise != got {
		t.Errorf("balance = %d (reply %d), want %d", got, res.BalancePaise, before-charged(19900))
	}
	if sim.TotalRecharges() != 1 || sim.RechargeCalls("26120400000001") != 1 || sim.Calls(kwik.EndpointRecharge) != 1 {
		t.Errorf("counters = %d orders, %d calls for the id, %d recharge calls; want 1 each",
			sim.TotalRecharges(), sim.RechargeCalls("26120400000001"), sim.Calls(kwik.EndpointRecharge))
	}
}

func TestMagicNumbers(t *testing.T) {
	tests := []struct {
		number     string
		wantStatus kwik.Status
		wantErr    error
		// later is what status.php shows after the number's scripted lookups.
		later     kwik.Status
		lookups   int
		debitLeft bool
	}{
		{"9876500000", kwik.StatusSuccess, nil, kwik.StatusSuccess, 1, true},
		{"9876500001", kwik.StatusFailure, nil, kwik.StatusFailure, 1, false},
		{"9876500002", kwik.StatusPending, nil, kwik.StatusSuccess, 3, true},
		{"9876500003", kwik.StatusPending, nil, kwik.StatusFailure, 3, false},
		{"9876500004", kwik.StatusSuccess, nil, kwik.StatusRefund, 1, false},
		{"9876500005", "", kwik.ErrUnknownOutcome, kwik.StatusSuccess, 1, true},
		{"9876500006", "", kwik.ErrUnknownOutcome, kwik.StatusSuccess, 1, true},
		{"9876500007", "", kwik.ErrUnknownOutcome, kwik.StatusSuccess, 1, true},
		{"9876500008", kwik.StatusFailure, kwik.ErrInsufficientBalance, kwik.StatusFailure, 1, false},
		{"9876500009", kwik.StatusSuccess, nil, kwik.StatusSuccess, 1, true},
	}
	for i, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			sim, c := start(t, kwiksim.Options{}, kwik.WithRechargeTimeout(100*time.Millisecond))
			before := sim.Balance()
			orderID := fmt.Sprint(100 + i)

			res, err := c.Recharge(t.Context(), rechargeOf(orderID, tt.number, "1", 1000))
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if res.Status != tt.wantStatus {
				t.Errorf("Status = %q, want %q", res.Status, tt.wantStatus)
			}

			var last kwik.StatusResult
			for range tt.lookups {
				last, err = c.Status(t.Context(), orderID)
				if err != nil {
					t.Fatalf("Status: %v", err)
				}
			}
			if last.Status != tt.later {
				t.Errorf("status after %d lookups = %q, want %q", tt.lookups, last.Status, tt.later)
			}

			want := before
			if tt.debitLeft {
				want -= charged(1000)
			}
			if got := sim.Balance(); got != want {
				t.Errorf("balance = %d, want %d", got, want)
			}
		})
	}
}

func TestPendingStaysPendingForItsChecks(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	if _, err := c.Recharge(t.Context(), rechargeOf("7", "9876500002", "1", 1000)); err != nil {
		t.Fatal(err)
	}
	var seen []kwik.Status
	for range 4 {
		st, err := c.Status(t.Context(), "7")
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, st.Status)
	}
	want := []kwik.Status{kwik.StatusPending, kwik.StatusPending, kwik.StatusSuccess, kwik.StatusSuccess}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("states = %v, want %v", seen, want)
	}
}

func TestTransactionsSettlePendingAndShowRefund(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	sim.Script("9012340000", kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 1, Final: kwiksim.Failure})
	sim.Script("9012340001", kwiksim.Scenario{Outcome: kwiksim.Refund, Checks: 1})
	before := sim.Balance()
	for i, number := range []string{"9012340000", "9012340001", "9012349999"} {
		if _, err := c.Recharge(t.Context(), rechargeOf(fmt.Sprint(i+1), number, "21", 2000)); err != nil {
			t.Fatal(err)
		}
	}

	first, err := c.Transactions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 || first[0].OrderID != "3" || first[2].OrderID != "1" {
		t.Fatalf("transactions = %+v, want three, newest first", first)
	}
	if first[2].Status != kwik.StatusPending || first[1].Status != kwik.StatusSuccess {
		t.Errorf("first look: %s, %s; want PENDING and SUCCESS", first[2].Status, first[1].Status)
	}

	second, err := c.Transactions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if second[2].Status != kwik.StatusFailure || second[1].Status != kwik.StatusRefund || second[0].Status != kwik.StatusSuccess {
		t.Errorf("second look: %s, %s, %s; want FAILURE, REFUND, SUCCESS", second[2].Status, second[1].Status, second[0].Status)
	}
	if got := sim.Balance(); got != before-charged(2000) {
		t.Errorf("balance = %d, want only the successful order debited (%d)", got, before-charged(2000))
	}
	if second[0].Service != "VI" || second[0].ChargedPaise != charged(2000) || second[0].Date.IsZero() {
		t.Errorf("transaction = %+v, want service VI, charged amount and date", second[0])
	}
}

func TestTransactionsListsLastHundred(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	for i := range 105 {
		if _, err := c.Recharge(t.Context(), rechargeOf(fmt.Sprint(1000+i), "9876543210", "1", 1000)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Transactions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 || got[0].OrderID != "1104" || got[99].OrderID != "1005" {
		t.Errorf("transactions = %d from %s to %s, want 100 from 1104 to 1005", len(got), got[0].OrderID, got[len(got)-1].OrderID)
	}
}

func TestDuplicateOrderIDIsRejected(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	if _, err := c.Recharge(t.Context(), rechargeOf("42", "9876543210", "1", 1000)); err != nil {
		t.Fatal(err)
	}
	balance := sim.Balance()
	_, err := c.Recharge(t.Context(), rechargeOf("42", "9876543211", "1", 5000))
	if !errorIs(err, kwik.ErrDuplicateOrderID) || !errorIs(err, kwik.ErrUnknownOutcome) {
		t.Errorf("err = %v, want ErrDuplicateOrderID, which is also an unknown outcome", err)
	}
	if sim.Balance() != balance || sim.TotalRecharges() != 1 || sim.RechargeCalls("42") != 2 {
		t.Errorf("balance %d (want %d), orders %d (want 1), calls for 42 %d (want 2)",
			sim.Balance(), balance, sim.TotalRecharges(), sim.RechargeCalls("42"))
	}
}

func TestRechargeRejectsBadParameters(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	tests := []struct {
		name string
		req  kwik.RechargeRequest
	}{
		{"below minimum", rechargeOf("1", "9876543210", "1", 500)},
		{"above maximum", rechargeOf("2", "9876543210", "1", 10000100)},
		{"unknown operator", rechargeOf("3", "9876543210", "999", 1000)},
		{"landline for prepaid", rechargeOf("4", "2212345678", "1", 1000)},
		{"unknown circle", kwik.RechargeRequest{OrderID: "5", Number: "9876543210", OperatorID: "1", CircleCode: "3", AmountPaise: 1000}},
		{"DTH below minimum", rechargeOf("6", "1234567890", "27", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Recharge(t.Context(), tt.req); !errorIs(err, kwik.ErrInvalidParams) {
				t.Errorf("err = %v, want ErrInvalidParams", err)
			}
		})
	}
	if sim.TotalRecharges() != 0 {
		t.Errorf("orders = %d, want none recorded", sim.TotalRecharges())
	}
}

func TestDTHRechargeSucceeds(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	res, err := c.Recharge(t.Context(), rechargeOf("9", "1234567890", kwiksim.OpTataPlay, 22000))
	if err != nil || res.Status != kwik.StatusSuccess {
		t.Fatalf("Recharge = %+v, %v; want SUCCESS", res, err)
	}
	if res.ChargedPaise != 21274 {
		t.Errorf("charged = %d, want 21274 (3.3%% DTH margin)", res.ChargedPaise)
	}
	if o, _ := sim.Order("9"); o.OperatorID != "27" || o.Number != "1234567890" {
		t.Errorf("order = %+v", o)
	}
}

func TestMerchantBalanceRunsOut(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	sim.SetBalance(10000)
	if _, err := c.Recharge(t.Context(), rechargeOf("1", "9876543210", "1", 10000)); err != nil {
		t.Fatalf("first recharge: %v", err)
	}
	left := sim.Balance()
	_, err := c.Recharge(t.Context(), rechargeOf("2", "9876543210", "1", 1000))
	if !errorIs(err, kwik.ErrInsufficientBalance) || errorIs(err, kwik.ErrUnknownOutcome) {
		t.Errorf("err = %v, want ErrInsufficientBalance only", err)
	}
	if sim.Balance() != left {
		t.Errorf("balance = %d, want %d unchanged", sim.Balance(), left)
	}
	if st, err := c.Status(t.Context(), "2"); err != nil || st.Status != kwik.StatusFailure {
		t.Errorf("Status of the refused order = %+v, %v; want FAILURE", st, err)
	}
}

func TestScriptedOutcomes(t *testing.T) {
	sim, c := start(t, kwiksim.Options{}, kwik.WithRechargeTimeout(100*time.Millisecond))
	sim.Script("9876543210", kwiksim.Scenario{Outcome: kwiksim.Failure, Message: "Operator rejected the number"})
	sim.Script("9876543211", kwiksim.Scenario{Outcome: kwiksim.ServerError, Unrecorded: true})
	sim.Script("9876543212", kwiksim.Scenario{Outcome: kwiksim.HTML, Final: kwiksim.Failure})
	sim.Script("9876543213", kwiksim.Scenario{Outcome: kwiksim.InsufficientBalance})
	sim.Script("9876500001", kwiksim.Scenario{})

	res, err := c.Recharge(t.Context(), rechargeOf("1", "9876543210", "1", 1000))
	if err != nil || res.Status != kwik.StatusFailure || res.Message != "Operator rejected the number" {
		t.Errorf("scripted failure = %+v, %v", res, err)
	}

	_, err = c.Recharge(t.Context(), rechargeOf("2", "9876543211", "1", 1000))
	if !errorIs(err, kwik.ErrUnknownOutcome) {
		t.Errorf("unrecorded server error: err = %v, want ErrUnknownOutcome", err)
	}
	if _, err := c.Status(t.Context(), "2"); !errorIs(err, kwik.ErrOrderNotFound) {
		t.Errorf("status of an unrecorded order: err = %v, want ErrOrderNotFound", err)
	}

	before := sim.Balance()
	if _, err := c.Recharge(t.Context(), rechargeOf("3", "9876543212", "1", 1000)); !errorIs(err, kwik.ErrUnknownOutcome) {
		t.Errorf("HTML: err = %v, want ErrUnknownOutcome", err)
	}
	if st, err := c.Status(t.Context(), "3"); err != nil || st.Status != kwik.StatusFailure || sim.Balance() != before {
		t.Errorf("status behind HTML = %+v, %v, balance %d; want FAILURE and the balance back at %d", st, err, sim.Balance(), before)
	}

	if _, err := c.Recharge(t.Context(), rechargeOf("4", "9876543213", "1", 1000)); !errorIs(err, kwik.ErrInsufficientBalance) {
		t.Errorf("insufficient: err = %v", err)
	}
	if res, err := c.Recharge(t.Context(), rechargeOf("5", "9876500001", "1", 1000)); err != nil || res.Status != kwik.StatusSuccess {
		t.Errorf("a script replaces the magic number: %+v, %v; want SUCCESS", res, err)
	}
}

func TestHangEndsWithTheClientTimeout(t *testing.T) {
	sim, c := start(t, kwiksim.Options{}, kwik.WithRechargeTimeout(50*time.Millisecond))
	done := make(chan error, 1)
	go func() {
		_, err := c.Recharge(context.Background(), rechargeOf("1", "9876500005", "1", 1000))
		done <- err
	}()
	select {
	case err := <-done:
		if !errorIs(err, kwik.ErrUnknownOutcome) || !errorIs(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want an unknown outcome from the deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("recharge of a hanging number did not end with the client's timeout")
	}
	if o, ok := sim.Order("1"); !ok || o.Status != kwik.StatusSuccess {
		t.Errorf("order behind the hang = %+v, %v; want recorded as SUCCESS", o, ok)
	}
}

func TestFailNextMakesReadsRetry(t *testing.T) {
	sim, c := start(t, kwiksim.Options{}, kwik.WithTimeout(50*time.Millisecond))
	sim.FailNext(kwik.EndpointBalance, 1, kwiksim.ServerError)
	sim.FailNext(kwik.EndpointBalance, 1, kwiksim.Hang)
	if _, err := c.Balance(t.Context()); err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if got := sim.Calls(kwik.EndpointBalance); got != 3 {
		t.Errorf("balance calls = %d, want 3 (500, hang, success)", got)
	}

	sim.FailNext(kwik.EndpointDetect, 1, kwiksim.HTML)
	if _, err := c.Detect(t.Context(), "9876543210"); !errorIs(err, kwik.ErrBadResponse) {
		t.Errorf("Detect after HTML: err = %v, want ErrBadResponse", err)
	}
}

func TestWrongKeyIsRejected(t *testing.T) {
	sim := kwiksim.New(kwiksim.Options{APIKey: "right"})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	c, err := kwik.New(srv.URL, "wrong")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Balance(t.Context()); !errorIs(err, kwik.ErrAuth) {
		t.Errorf("Balance: err = %v, want ErrAuth", err)
	}
	if _, err := c.Recharge(t.Context(), rechargeOf("1", "9876543210", "1", 1000)); !errorIs(err, kwik.ErrAuth) {
		t.Errorf("Recharge: err = %v, want ErrAuth", err)
	}
	if sim.TotalRecharges() != 0 || sim.Calls(kwik.EndpointBalance) != 1 {
		t.Errorf("orders %d, balance calls %d; want 0 and 1", sim.TotalRecharges(), sim.Calls(kwik.EndpointBalance))
	}
}

func TestDailyLimitsResetAtIndiaMidnight(t *testing.T) {
	// 18:29 UTC is 23:59 IST; two minutes later it is the next India day.
	clk := &clock{now: time.Date(2026, 12, 4, 18, 29, 0, 0, time.UTC)}
	sim, c := start(t, kwiksim.Options{Now: clk.Now}, kwik.WithRetry(1, 0))

	for i := range 2 {
		if _, err := c.Circles(t.Context()); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if _, err := c.Circles(t.Context()); !errorIs(err, kwik.ErrRateLimited) {
		t.Errorf("third call: err = %v, want ErrRateLimited (documented limit 2)", err)
	}

	clk.Set(clk.Now().Add(2 * time.Minute))
	if _, err := c.Circles(t.Context()); err != nil {
		t.Errorf("first call of the next India day: %v", err)
	}
	if sim.Calls(kwik.EndpointCircles) != 4 {
		t.Errorf("calls = %d, want 4, the rejected one included", sim.Calls(kwik.EndpointCircles))
	}
}

func TestLimitsCanBeChanged(t *testing.T) {
	_, c := start(t, kwiksim.Options{Limits: map[kwik.Endpoint]int{kwik.EndpointCircles: 0, kwik.EndpointDetect: 1}}, kwik.WithRetry(1, 0))
	for range 5 {
		if _, err := c.Circles(t.Context()); err != nil {
			t.Fatalf("Circles without a limit: %v", err)
		}
	}
	if _, err := c.Detect(t.Context(), "9876543210"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Detect(t.Context(), "9876543210"); !errorIs(err, kwik.ErrRateLimited) {
		t.Errorf("second Detect: err = %v, want ErrRateLimited", err)
	}
}

func TestLatencyDelaysReplies(t *testing.T) {
	_, c := start(t, kwiksim.Options{Latency: 20 * time.Millisecond})
	began := time.Now()
	if _, err := c.Balance(t.Context()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < 20*time.Millisecond {
		t.Errorf("Balance took %v, want at least the 20ms latency", took)
	}
}

func TestWrongMethodAndPath(t *testing.T) {
	sim := kwiksim.New(kwiksim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/api/v2/Service-Category-List.php?api_key=sim-key")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET of a POST endpoint: HTTP %d, want 405", resp.StatusCode)
	}

	resp, err = http.Get(srv.URL + "/api/v2/nothing.php")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: HTTP %d, want 404", resp.StatusCode)
	}
}

// TestConcurrentRecharges runs 200 users at once, each recharging and polling, and checks
// that every order is recorded once and the balance adds up.
func TestConcurrentRecharges(t *testing.T) {
	sim, c := start(t, kwiksim.Options{Limits: map[kwik.Endpoint]int{kwik.EndpointStatus: 0}})
	before := sim.Balance()
	const users = 200

	var wg sync.WaitGroup
	errs := make(chan error, users)
	for i := range users {
		wg.Go(func() {
			orderID := fmt.Sprint(500000 + i)
			number := fmt.Sprintf("98%04d%04d", i, 1000+i)
			if _, err := c.Detect(t.Context(), number); err != nil {
				errs <- err
				return
			}
			if _, err := c.Recharge(t.Context(), rechargeOf(orderID, number, "1", 1000)); err != nil {
				errs <- err
				return
			}
			if _, err := c.Status(t.Context(), orderID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	if sim.TotalRecharges() != users || sim.Calls(kwik.EndpointRecharge) != users {
		t.Errorf("orders = %d, recharge calls = %d; want %d each", sim.TotalRecharges(), sim.Calls(kwik.EndpointRecharge), users)
	}
	if got, want := sim.Balance(), before-users*charged(1000); got != want {
		t.Errorf("balance = %d, want %d", got, want)
	}
}
