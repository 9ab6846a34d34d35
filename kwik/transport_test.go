package kwik_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// sequence serves the n-th request with handlers[n], repeating the last one.
func sequence(t *testing.T, handlers ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		handlers[min(n, len(handlers)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func body(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeReply(w, jsonReply(s)) }
}

// hang never replies. It reads the body first because the server notices a closed connection,
// and so ends the request's context, only once the body has been read.
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

const balanceBody = `{"response": {"balance": "262.80"}}`

func TestReadRetriesServerErrors(t *testing.T) {
	srv, calls := sequence(t, status(503), status(500), body(balanceBody))
	got, err := newClient(t, srv).Balance(t.Context())
	if err != nil || got != 26280 {
		t.Fatalf("Balance = %d, %v; want 26280 after two retries", got, err)
	}
	if calls.Load() != 3 {
		t.Errorf("calls = %d, want 3", calls.Load())
	}
}

func TestReadRetriesConnectionReset(t *testing.T) {
	srv, calls := sequence(t, resetConnection, body(balanceBody))
	if _, err := newClient(t, srv).Balance(t.Context()); err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", calls.Load())
	}
}

func TestReadRetriesAttemptTimeout(t *testing.T) {
	srv, calls := sequence(t, hang, body(balanceBody))
	c := newClient(t, srv, kwik.WithTimeout(50*time.Millisecond))
	if _, err := c.Balance(t.Context()); err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", calls.Load())
	}
}

func TestReadRetriesAreBounded(t *testing.T) {
	srv, calls := sequence(t, status(502))
	_, err := newClient(t, srv).Balance(t.Context())
	var apiErr *kwik.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 502 || !errors.Is(err, kwik.ErrBadResponse) {
		t.Fatalf("err = %v, want ErrBadResponse with HTTP 502", err)
	}
	if calls.Load() != 3 {
		t.Errorf("calls = %d, want 3 (the configured tries)", calls.Load())
	}
}

func TestReadDoesNotRetryRefusals(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"auth":         body(`{"success": false, "status": "FAILED", "message": "Invalid API Key"}`),
		"rate limit":   status(429),
		"HTML 200":     func(w http.ResponseWriter, r *http.Request) { writeReply(w, reply{body: "<html/>"}) },
		"HTTP 400":     status(400),
		"missing data": body(`{"response": {}}`),
	} {
		t.Run(name, func(t *testing.T) {
			srv, calls := sequence(t, h)
			if _, err := newClient(t, srv).Balance(t.Context()); err == nil {
				t.Fatal("Balance succeeded, want an error")
			}
			if calls.Load() != 1 {
				t.Errorf("calls = %d, want 1", calls.Load())
			}
		})
	}
}

func TestReadStopsRetryingWhenContextEnds(t *testing.T) {
	srv, calls := sequence(t, status(503))
	c := newClient(t, srv, kwik.WithRetry(100, 20*time.Millisecond))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Balance(ctx)
	if err == nil {
		t.Fatal("Balance succeeded, want an error")
	}
	if n := calls.Load(); n >= 100 {
		t.Errorf("calls = %d, want retries to stop with the context", n)
	}
}

func TestRechargeIsNeverRetried(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"HTTP 503":         status(503),
		"connection reset": resetConnection,
		"rate limited":     status(429),
	} {
		t.Run(name, func(t *testing.T) {
			srv, calls := sequence(t, h, body(`{"status": "SUCCESS", "order_id": "12011070"}`))
			if _, err := newClient(t, srv).Recharge(t.Context(), viRecharge); err == nil {
				t.Fatal("Recharge succeeded, want the first reply's error")
			}
			if calls.Load() != 1 {
				t.Errorf("calls = %d, want 1", calls.Load())
			}
		})
	}
}

func TestRechargeTimeoutIsLongerThanReads(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(150 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if r.URL.Path == "/api/v2/recharge.php" {
			writeReply(w, jsonReply(`{"status": "SUCCESS", "order_id": "12011070"}`))
			return
		}
		writeReply(w, jsonReply(balanceBody))
	}
	srv, _ := sequence(t, slow)
	c := newClient(t, srv, kwik.WithRetry(1, 0), kwik.WithTimeout(30*time.Millisecond), kwik.WithRechargeTimeout(2*time.Second))

	if _, err := c.Balance(t.Context()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Balance err = %v, want a deadline exceeded past the read timeout", err)
	}
	if res, err := c.Recharge(t.Context(), viRecharge); err != nil || res.Status != kwik.StatusSuccess {
		t.Errorf("Recharge = %+v, %v; want SUCCESS within the recharge timeout", res, err)
	}
}

func TestRechargeWithEndedContextSendsNothing(t *testing.T) {
	c := newClient(t, failOnCall(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Recharge(ctx, viRecharge)
	if !errors.Is(err, context.Canceled) || errors.Is(err, kwik.ErrUnknownOutcome) {
		t.Errorf("err = %v, want context.Canceled and not an unknown outcome", err)
	}
}

func TestBeforeCallRunsBeforeEveryRequest(t *testing.T) {
	srv, _ := sequence(t, status(503), body(balanceBody))
	var mu sync.Mutex
	var seen []kwik.Endpoint
	c := newClient(t, srv, kwik.WithBeforeCall(func(ctx context.Context, ep kwik.Endpoint) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, ep)
		return nil
	}))
	if _, err := c.Balance(t.Context()); err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if len(seen) != 2 || seen[0] != kwik.EndpointBalance || seen[1] != kwik.EndpointBalance {
		t.Errorf("BeforeCall saw %v, want balance twice (one per HTTP request)", seen)
	}
}

func TestBeforeCallErrorAbortsCall(t *testing.T) {
	budgetErr := errors.New("daily budget spent")
	c := newClient(t, failOnCall(t), kwik.WithBeforeCall(func(ctx context.Context, ep kwik.Endpoint) error { return budgetErr }))

	if _, err := c.Status(t.Context(), "1"); !errors.Is(err, budgetErr) {
		t.Errorf("Status err = %v, want the hook's error wrapped", err)
	}
	_, err := c.Recharge(t.Context(), viRecharge)
	if !errors.Is(err, budgetErr) || errors.Is(err, kwik.ErrUnknownOutcome) {
		t.Errorf("Recharge err = %v, want the hook's error and not an unknown outcome", err)
	}
}

func TestUnsentCallHookOnlyForFailedConnections(t *testing.T) {
	deadURL := refusingURL(t)

	var mu sync.Mutex
	var unsent []kwik.Endpoint
	hook := kwik.WithUnsentCall(func(ctx context.Context, ep kwik.Endpoint) {
		mu.Lock()
		defer mu.Unlock()
		unsent = append(unsent, ep)
	})

	dead, err := kwik.New(deadURL, testKey, kwik.WithRetry(2, time.Millisecond), hook)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dead.Circles(t.Context()); err == nil {
		t.Fatal("Circles succeeded against a closed port")
	}
	if len(unsent) != 2 || unsent[0] != kwik.EndpointCircles {
		t.Errorf("unsent calls = %v, want circles twice (one per try)", unsent)
	}

	unsent = nil
	srv, _ := sequence(t, status(500), status(500))
	reached := newClient(t, srv, kwik.WithRetry(2, time.Millisecond), hook)
	if _, err := reached.Balance(t.Context()); err == nil {
		t.Fatal("Balance succeeded against HTTP 500")
	}
	if len(unsent) != 0 {
		t.Errorf("unsent calls = %v, want none: the server saw both requests", unsent)
	}
}

func TestObserverSeesEveryRequest(t *testing.T) {
	srv, _ := sequence(t, status(500), body(balanceBody))
	type observation struct {
		ep  kwik.Endpoint
		err error
	}
	var mu sync.Mutex
	var seen []observation
	c := newClient(t, srv, kwik.WithObserver(func(ep kwik.Endpoint, took time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if took <= 0 {
			t.Errorf("took = %v, want a positive duration", took)
		}
		seen = append(seen, observation{ep, err})
	}))
	if _, err := c.Balance(t.Context()); err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if len(seen) != 2 {
		t.Fatalf("observations = %v, want 2", seen)
	}
	if !errors.Is(seen[0].err, kwik.ErrBadResponse) || seen[1].err != nil {
		t.Errorf("observed errors = %v, %v; want ErrBadResponse then nil", seen[0].err, seen[1].err)
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name, base, key string
		opts            []kwik.Option
	}{
		{"empty base", "", testKey, nil},
		{"no scheme", "www.kwikapi.com", testKey, nil},
		{"ftp", "ftp://www.kwikapi.com", testKey, nil},
		{"empty key", "https://www.kwikapi.com", " ", nil},
		{"zero timeout", "https://www.kwikapi.com", testKey, []kwik.Option{kwik.WithTimeout(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kwik.New(tt.base, tt.key, tt.opts...)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}
}

func TestBaseURLWithPathPrefix(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/proxy/api/v2/balance.php" {
			t.Errorf("path = %s, want the prefix kept", r.URL.Path)
		}
		writeReply(w, jsonReply(balanceBody))
	}))
	t.Cleanup(srv.Close)
	c, err := kwik.New(srv.URL+"/proxy/", testKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Balance(t.Context()); err != nil {
		t.Errorf("Balance: %v", err)
	}
}
