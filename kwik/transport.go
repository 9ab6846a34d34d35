package kwik

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Size limits of a reply body. Plan lists are the largest replies, at some hundred kilobytes.
const (
	maxBodyBytes      = 4 << 20
	maxErrorBodyBytes = 64 << 10
)

// request is one call to an endpoint.
type request struct {
	ep     Endpoint
	params url.Values
	// number is a phone number or subscriber id sent in the call, masked in errors and logs.
	number string
}

// failureClass is the meaning of a failed attempt for retrying and for a recharge's outcome.
type failureClass int

const (
	// refused: nothing was sent, or the server rejected the request; no money moved.
	refused failureClass = iota + 1
	// transport: the request may have been sent but no complete reply came back.
	transport
	// serverError: an HTTP 5xx reply.
	serverError
	// garbage: a reply that is not the expected JSON.
	garbage
)

// callError carries the class of a failed attempt beside the error returned to the caller.
type callError struct {
	class failureClass
	err   error
}

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

func classOf(err error) failureClass {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.class
	}
	return 0
}

// publicError strips the internal class wrapper.
func publicError(err error) error {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.err
	}
	return err
}

// read calls a read endpoint, retrying transport failures and 5xx replies with backoff.
// decode parses a JSON body; it returns an *APIError for a failure the body reports.
func (c *Client) read(ctx context.Context, req request, decode func(body []byte) error) error {
	policy := backoff.NewExponentialBackOff()
	policy.InitialInterval = c.retryInitial
	policy.Multiplier = 2

	tries := 0
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		tries++
		err := c.attempt(ctx, req, c.timeout, decode)
		if err == nil {
			return struct{}{}, nil
		}
		switch classOf(err) {
		case transport, serverError:
			if ctx.Err() != nil {
				return struct{}{}, backoff.Permanent(err)
			}
			return struct{}{}, err
		default:
			return struct{}{}, backoff.Permanent(err)
		}
	},
		backoff.WithBackOff(policy),
		backoff.WithMaxTries(c.readTries),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			c.logger.WarnContext(ctx, "KwikAPI call failed, retrying",
				"endpoint", req.ep, "attempt", tries, "wait_ms", wait.Milliseconds(), "error", publicError(err))
		}),
	)
	if err == nil {
		return nil
	}
	if classOf(err) == 0 {
		// The context ended while waiting between tries.
		return fmt.Errorf("kwikapi %s: %w", req.ep, err)
	}
	return publicError(err)
}

// into adapts a decoder to the callback of read and attempt, storing a successful result in out.
func into[T any](out *T, decode func(body []byte) (T, error)) func(body []byte) error {
	return func(body []byte) error {
		v, err := decode(body)
		if err != nil {
			return err
		}
		*out = v
		return nil
	}
}

// attempt sends one HTTP request and decodes its reply. Every error it returns is a *callError
// whose text holds neither the API key nor the request's phone number.
func (c *Client) attempt(ctx context.Context, req request, timeout time.Duration, decode func(body []byte) error) error {
	if c.beforeCall != nil {
		if err := c.beforeCall(ctx, req.ep); err != nil {
			err = fmt.Errorf("kwikapi %s: %w", req.ep, c.redact(err, req))
			c.logger.DebugContext(ctx, "KwikAPI call stopped before sending", "endpoint", req.ep, "error", err)
			return &callError{refused, err}
		}
	}
	if err := ctx.Err(); err != nil {
		return &callError{refused, fmt.Errorf("kwikapi %s: %w", req.ep, err)}
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	start := time.Now()
	status, err := c.exchange(ctx, req, decode)
	took := time.Since(start)

	c.logger.DebugContext(ctx, "KwikAPI call", "endpoint", req.ep, "took_ms", took.Milliseconds(),
		"http_status", status, "error", publicError(err))
	if c.observer != nil {
		c.observer(req.ep, took, publicError(err))
	}
	return err
}

// exchange performs the HTTP round trip, checks the reply and decodes it. It returns the HTTP
// status, or 0 when no reply came.
func (c *Client) exchange(ctx context.Context, req request, decode func(body []byte) error) (int, error) {
	httpReq, err := c.newHTTPRequest(ctx, req)
	if err != nil {
		return 0, &callError{refused, fmt.Errorf("kwikapi %s: build request: %w", req.ep, c.redact(err, req))}
	}

	resp, err := c.http.Do(httpReq)
	if err != nil {
		if c.unsent != nil && neverSent(err) {
			c.unsent(ctx, req.ep)
		}
		return 0, &callError{transport, fmt.Errorf("kwikapi %s: %w", req.ep, c.redact(err, req))}
	}
	defer resp.Body.Close()

	limit := int64(maxBodyBytes)
	if resp.StatusCode/100 != 2 {
		limit = maxErrorBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return resp.StatusCode, &callError{transport, fmt.Errorf("kwikapi %s: read reply: %w", req.ep, c.redact(err, req))}
	}
	truncated := int64(len(body)) > limit
	if truncated {
		body = body[:limit]
	}
	body = bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\uFEFF"))

	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, c.httpFailure(req, resp.StatusCode, body)
	}
	if truncated {
		return resp.StatusCode, c.garbage(req, resp.StatusCode, fmt.Sprintf("reply larger than %d bytes", limit))
	}
	if !looksLikeJSON(body) {
		return resp.StatusCode, c.garbage(req, resp.StatusCode, describeNonJSON(body))
	}
	if err := decode(body); err != nil {
		return resp.StatusCode, c.decodeFailure(req, resp.StatusCode, err)
	}
	return resp.StatusCode, nil
}

func (c *Client) newHTTPRequest(ctx context.Context, req request) (*http.Request, error) {
	route, ok := req.ep.Route()
	if !ok {
		return nil, fmt.Errorf("unknown endpoint %q", req.ep)
	}
	params := url.Values{}
	for k, v := range req.params {
		params[k] = v
	}
	params.Set("api_key", c.key)

	target := *c.base
	target.Path = strings.TrimRight(c.base.Path, "/") + route.Path

	var httpReq *http.Request
	var err error
	if route.Method == http.MethodGet {
		target.RawQuery = params.Encode()
		httpReq, err = http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	} else {
		httpReq, err = http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(params.Encode()))
		if err == nil {
			httpReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("Accept", "application/json")
	httpReq.Header.Set("User-Agent", "rechargebot-kwik/1")
	return httpReq, nil
}

// httpFailure classifies a non-2xx reply, using its JSON message when there is one.
func (c *Client) httpFailure(req request, status int, body []byte) error {
	apiErr := &APIError{Endpoint: req.ep, HTTPStatus: status, Kind: kindOfHTTPStatus(status)}
	if o, err := decodeObject(body); err == nil {
		f := readFailure(o, "status", "STATUS")
		apiErr.Code = f.code
		apiErr.Message = c.redactText(f.message, req)
		if kind := kindOf(f.code, f.message, f.detail); kind != nil && status/100 != 5 {
			apiErr.Kind = kind
		}
	} else {
		apiErr.Message = describeNonJSON(body)
	}

	class := garbage
	switch {
	case status/100 == 5:
		class = serverError
	case apiErr.Kind != ErrBadResponse:
		class = refused
	}
	return &callError{class, apiErr}
}

func (c *Client) garbage(req request, status int, message string) error {
	return &callError{garbage, &APIError{Endpoint: req.ep, HTTPStatus: status, Message: message, Kind: ErrBadResponse}}
}

// decodeFailure classifies an error from a decode function.
func (c *Client) decodeFailure(req request, status int, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Endpoint = req.ep
		apiErr.HTTPStatus = status
		apiErr.Message = c.redactText(apiErr.Message, req)
		if apiErr.Kind == ErrBadResponse {
			return &callError{garbage, apiErr}
		}
		return &callError{refused, apiErr}
	}
	return c.garbage(req, status, c.redactText("decode reply: "+err.Error(), req))
}

func looksLikeJSON(body []byte) bool {
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

// describeNonJSON names a non-JSON body without quoting it, since a proxy page may echo the URL.
func describeNonJSON(body []byte) string {
	switch {
	case len(body) == 0:
		return "empty reply"
	case body[0] == '<':
		return "HTML reply instead of JSON"
	default:
		return "non-JSON reply"
	}
}

// neverSent reports whether err means the connection to KwikAPI could not be opened, so no byte
// of the request reached it.
func neverSent(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
