package kwik_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

// testKey is long and unusual so that a scan for it in error text cannot match by accident.
const testKey = "k3y-Secret/+=value-9a8b7c"

// reply is the response of a fake KwikAPI endpoint.
type reply struct {
	status      int
	body        string
	contentType string
}

func jsonReply(body string) reply { return reply{status: http.StatusOK, body: body} }

// fakeEndpoint serves one endpoint. The handler checks the method, the path, that the API key
// arrives where KwikAPI expects it (query for GET, form body for POST) and the wanted fields.
func fakeEndpoint(t *testing.T, ep kwik.Endpoint, want url.Values, r reply) *httptest.Server {
	t.Helper()
	route, ok := ep.Route()
	if !ok {
		t.Fatalf("endpoint %q has no route", ep)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		checkRequest(t, req, route, want)
		writeReply(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func checkRequest(t *testing.T, req *http.Request, route kwik.Route, want url.Values) {
	t.Helper()
	if req.Method != route.Method {
		t.Errorf("method = %s, want %s", req.Method, route.Method)
	}
	if req.URL.Path != route.Path {
		t.Errorf("path = %s, want %s", req.URL.Path, route.Path)
	}

	var form url.Values
	if route.Method == http.MethodGet {
		form = req.URL.Query()
	} else {
		if req.URL.RawQuery != "" {
			t.Errorf("POST carries a query string %q; want every field in the body", req.URL.RawQuery)
		}
		if err := req.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		form = req.PostForm
	}

	if got := form.Get("api_key"); got != testKey {
		t.Errorf("api_key = %q, want the client's key", got)
	}
	for field, values := range want {
		if got := form.Get(field); got != values[0] {
			t.Errorf("field %s = %q, want %q", field, got, values[0])
		}
	}
}

func writeReply(w http.ResponseWriter, r reply) {
	if r.contentType == "" {
		r.contentType = "application/json"
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.Header().Set("Content-Type", r.contentType)
	w.WriteHeader(r.status)
	_, _ = io.WriteString(w, r.body)
}

// newClient returns a client of srv that retries quickly, so tests of retries stay fast.
func newClient(t *testing.T, srv *httptest.Server, opts ...kwik.Option) *kwik.Client {
	t.Helper()
	opts = append([]kwik.Option{kwik.WithRetry(3, time.Millisecond)}, opts...)
	c, err := kwik.New(srv.URL, testKey, opts...)
	if err != nil {
		t.Fatalf("kwik.New: %v", err)
	}
	return c
}

// refusingURL returns a base URL where every connection is refused until the test ends.
func refusingURL(t *testing.T) string {
	t.Helper()
	baseURL, release, err := kwiksim.RefusingURL()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { release() })
	return baseURL
}

// endpointClient serves one reply on an endpoint and returns a client of it.
func endpointClient(t *testing.T, ep kwik.Endpoint, want url.Values, r reply, opts ...kwik.Option) *kwik.Client {
	t.Helper()
	return newClient(t, fakeEndpoint(t, ep, want, r), opts...)
}

func india(year int, month time.Month, day, hour, minute, second int) time.Time {
	return time.Date(year, month, day, hour, minute, second, 0, kwik.India()).UTC()
}

func errorIs(err, target error) bool {
	return err != nil && errors.Is(err, target)
}

// failOnCall returns a server that fails the test if any request reaches it.
func failOnCall(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}
