package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// redacted replaces the bot token wherever it would appear in an error or a log line.
const redacted = "<token>"

// scrubber removes the bot token from text. The Bot API puts the token in every request path
// (/bot<token>/method and /file/bot<token>/path), so any transport error can carry it.
type scrubber struct{ token string }

func (s scrubber) text(t string) string {
	if s.token == "" {
		return t
	}
	return strings.ReplaceAll(t, s.token, redacted)
}

// err returns err unchanged when its message does not contain the token, and otherwise an error
// with the token replaced that still matches the original with errors.Is and errors.As.
func (s scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = s.text(ue.URL)
	}
	msg := err.Error()
	clean := s.text(msg)
	if clean == msg {
		return err
	}
	return &scrubbedError{msg: clean, cause: err}
}

// scrubbedError is an error whose message has had the token removed.
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

// scrubbingClient is the HTTP client handed to the library: it scrubs the token from transport
// errors before the library wraps them.
type scrubbingClient struct {
	client   *http.Client
	scrubber scrubber
}

func (c scrubbingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.scrubber.err(err)
	}
	return resp, nil
}

// scrubbingHandler is a slog.Handler that removes the token from the message and from every
// attribute before passing the record on, so no code path can log the token by accident.
type scrubbingHandler struct {
	next     slog.Handler
	scrubber scrubber
}

func (h scrubbingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h scrubbingHandler) Handle(ctx context.Context, r slog.Record) error {
	clean := slog.NewRecord(r.Time, r.Level, h.scrubber.text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		clean.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, clean)
}

func (h scrubbingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return scrubbingHandler{next: h.next.WithAttrs(clean), scrubber: h.scrubber}
}

func (h scrubbingHandler) WithGroup(name string) slog.Handler {
	return scrubbingHandler{next: h.next.WithGroup(name), scrubber: h.scrubber}
}

func (h scrubbingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.scrubber.text(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		return slog.String(a.Key, h.scrubber.text(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
