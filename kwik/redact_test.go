package kwik_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// secrets are the texts no error or log line may contain: the key, raw and as a GET query
// escapes it, and the full phone numbers the calls send.
var secrets = []string{testKey, url.QueryEscape(testKey), "9876543210", "9000000001"}

// echoSecrets is a reply that repeats the key and the numbers back, as a careless server might.
var echoSecrets = fmt.Sprintf(`{"success": false, "status": "FAILED", "message": "Invalid API Key %s for 9876543210 and 9000000001", "error_message": "key=%s"}`,
	testKey, url.QueryEscape(testKey))

func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	deadURL := refusingURL(t)

	failures := map[string]http.HandlerFunc{
		"HTTP 500": status(500),
		"HTTP 401": status(401),
		"HTML": func(w http.ResponseWriter, r *http.Request) {
			writeReply(w, reply{body: "<html>" + r.URL.String() + "</html>"})
		},
		"echoed secrets":   body(echoSecrets),
		"echoed with 429":  func(w http.ResponseWriter, r *http.Request) { writeReply(w, reply{status: 429, body: echoSecrets}) },
		"timeout":          hang,
		"connection reset": resetConnection,
	}

	for _, ep := range kwik.Endpoints() {
		for name, h := range failures {
			t.Run(string(ep)+"/"+name, func(t *testing.T) {
				srv, _ := sequence(t, h)
				checkNoSecrets(t, ep, srv.URL)
			})
		}
		t.Run(string(ep)+"/connection refused", func(t *testing.T) {
			checkNoSecrets(t, ep, deadURL)
		})
		t.Run(string(ep)+"/hook error", func(t *testing.T) {
			hook := kwik.WithBeforeCall(func(ctx context.Context, ep kwik.Endpoint) error {
				return errors.New("daily budget spent")
			})
			checkNoSecrets(t, ep, failOnCall(t).URL, hook)
		})
	}
}

// checkNoSecrets calls ep on baseURL with debug logging and fails if a secret shows up in the
// error, in any of its formats, in any error it wraps, or in the log.
func checkNoSecrets(t *testing.T, ep kwik.Endpoint, baseURL string, opts ...kwik.Option) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append([]kwik.Option{
		kwik.WithLogger(logger), kwik.WithRetry(2, time.Millisecond),
		kwik.WithTimeout(50 * time.Millisecond), kwik.WithRechargeTimeout(50 * time.Millisecond),
	}, opts...)
	c, err := kwik.New(baseURL, testKey, opts...)
	if err != nil {
		t.Fatal(err)
	}

	err = call(t, c, ep)
	if err == nil {
		t.Fatal("call succeeded, want an error")
	}
	texts := map[string]string{
		"error %v":  fmt.Sprintf("%v", err),
		"error %+v": fmt.Sprintf("%+v", err),
		"log":       logs.String(),
	}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		texts["wrapped error"] += e.Error() + "\n"
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		texts["url.Error"] = urlErr.Error()
	}
	for where, text := range texts {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains %q: %s", where, secret, text)
			}
		}
	}
	if logs.Len() == 0 {
		t.Error("no log output: the scan of the log checked nothing")
	}
}

func TestRedactedErrorKeepsItsCause(t *testing.T) {
	c, err := kwik.New(refusingURL(t), testKey, kwik.WithRetry(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Balance(t.Context())
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		t.Fatalf("err = %v, want a *url.Error inside", err)
	}
	if !strings.HasSuffix(urlErr.URL, "/api/v2/balance.php") {
		t.Errorf("url.Error URL = %q, want the path without the query", urlErr.URL)
	}
}

func TestHookErrorTextIsRedacted(t *testing.T) {
	hookErr := errors.New("budget store rejected key " + testKey)
	c := newClient(t, failOnCall(t), kwik.WithBeforeCall(func(ctx context.Context, ep kwik.Endpoint) error { return hookErr }))
	_, err := c.Balance(t.Context())
	if !errors.Is(err, hookErr) {
		t.Fatalf("err = %v, want the hook's error wrapped", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error text contains the key: %v", err)
	}
}

func TestServerMessagesMaskMobileNumbers(t *testing.T) {
	message := "Number 9876543210 and 919123456789 failed for order 26120412345678, trx 2439956"
	c := endpointClient(t, kwik.EndpointBalance, nil, jsonReply(`{"status": "FAILED", "message": "`+message+`"}`))
	_, err := c.Balance(t.Context())
	want := "Number ******3210 and ********6789 failed for order 26120412345678, trx 2439956"
	var apiErr *kwik.APIError
	if !errors.As(err, &apiErr) || apiErr.Message != want {
		t.Errorf("message = %q, want %q", apiErr.Message, want)
	}
}
