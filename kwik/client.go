// Package kwik is a typed client of the KwikAPI v2 recharge aggregator.
//
// It owns the wire protocol, with one method per endpoint. Decoding tolerates KwikAPI's mixed
// shapes: numbers as strings or numbers, "status" or "STATUS", wrapped or bare replies. Money
// is int64 paise, dates are converted from India time to UTC, and errors are typed for
// errors.Is and errors.As.
//
// Read endpoints retry network errors and 5xx replies with exponential backoff. Recharge is
// never retried: a reply that does not state the outcome is returned as ErrUnknownOutcome, and
// the caller must poll Status or Transactions instead of sending the order again.
//
// The API key never appears in an error or a log line; neither does a full phone number sent in
// a request URL.
package kwik

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default timeouts of one HTTP call. A recharge may wait on the operator, so it gets longer.
const (
	DefaultTimeout         = 15 * time.Second
	DefaultRechargeTimeout = 60 * time.Second
)

// Default retry policy of read endpoints: three tries in all, the first retry after 300 ms.
const (
	defaultReadTries    = 3
	defaultRetryInitial = 300 * time.Millisecond
)

// Client calls KwikAPI. It is safe for concurrent use.
type Client struct {
	base            *url.URL
	key             string
	http            *http.Client
	timeout         time.Duration
	rechargeTimeout time.Duration
	logger          *slog.Logger
	beforeCall      func(ctx context.Context, ep Endpoint) error
	observer        func(ep Endpoint, took time.Duration, err error)
	unsent          func(ctx context.Context, ep Endpoint)
	readTries       uint
	retryInitial    time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client; its own Timeout, if any, applies on top of the per-call ones.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithTimeout sets the timeout of one read call attempt (default 15 s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRechargeTimeout sets the timeout of a recharge call (default 60 s). Past it the outcome
// is unknown.
func WithRechargeTimeout(d time.Duration) Option { return func(c *Client) { c.rechargeTimeout = d } }

// WithLogger sets the logger for retries and per-call debug lines (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithBeforeCall sets a hook run before every HTTP request, retries included. A non-nil error
// aborts the call before anything is sent, and the method returns it wrapped.
func WithBeforeCall(f func(ctx context.Context, ep Endpoint) error) Option {
	return func(c *Client) { c.beforeCall = f }
}

// WithObserver sets a hook run after every HTTP request with its duration and outcome, for metrics.
// err is nil for a successful reply and the classified error otherwise.
func WithObserver(f func(ep Endpoint, took time.Duration, err error)) Option {
	return func(c *Client) { c.observer = f }
}

// WithUnsentCall sets a hook run when a request failed before it reached KwikAPI, because the
// connection could not be opened (refused, unreachable, DNS failure). A call counter can give
// that call back: KwikAPI never saw it. BeforeCall had already run for it.
func WithUnsentCall(f func(ctx context.Context, ep Endpoint)) Option {
	return func(c *Client) { c.unsent = f }
}

// WithRetry sets how many tries in all a read call gets (1 disables retries) and the wait
// before the first retry, which doubles with each further retry. Recharge is never retried.
func WithRetry(tries uint, initial time.Duration) Option {
	return func(c *Client) {
		c.readTries = max(tries, 1)
		c.retryInitial = initial
	}
}

// New returns a client of the KwikAPI server at baseURL (for example https://www.kwikapi.com),
// authenticating with apiKey.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(strings.TrimSpace(baseURL), "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("create kwik client: base URL %q is invalid: want http(s)://host", baseURL)
	}
	if strings.TrimSpace(apiKey) == "" {
		return nil, errors.New("create kwik client: API key is missing")
	}

	c := &Client{
		base:            base,
		key:             apiKey,
		http:            &http.Client{},
		timeout:         DefaultTimeout,
		rechargeTimeout: DefaultRechargeTimeout,
		readTries:       defaultReadTries,
		retryInitial:    defaultRetryInitial,
	}
	for _, opt := range opts {
		opt(c)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 || c.rechargeTimeout <= 0 {
		return nil, errors.New("create kwik client: timeouts must be positive")
	}
	return c, nil
}
