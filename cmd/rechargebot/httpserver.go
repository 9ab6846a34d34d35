package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"time"
)

// HTTP server limits.
const (
	healthCheckTimeout = 3 * time.Second
	readHeaderTimeout  = 10 * time.Second
	// httpShutdownTimeout bounds the wait for open requests when the server stops.
	httpShutdownTimeout = 5 * time.Second
	// defaultWebhookPath is where the Telegram webhook is served when TELEGRAM_WEBHOOK_URL
	// has no path.
	defaultWebhookPath = "/telegram/webhook"
)

// healthChecks are the probes behind /healthz. A nil probe is left out of the report.
type healthChecks struct {
	// Ping checks that the database accepts a connection.
	Ping func(ctx context.Context) error
	// CatalogSyncedAt returns when the whole operator catalog was last synced, zero if never.
	CatalogSyncedAt func(ctx context.Context) (time.Time, error)
	// MaxCatalogAge is the catalog age past which the service reports itself unhealthy.
	MaxCatalogAge time.Duration
	// Channels returns each configured channel with nil when it is up or the reason it is not.
	Channels func() map[string]error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Scrub removes secrets from error texts before they are shown or logged.
	Scrub func(string) string
	// Logger receives the errors of the probes; nil discards them. The report leaves them out,
	// because a database error names the database's host, user and name.
	Logger *slog.Logger
}

// healthReport is the JSON body of /healthz.
type healthReport struct {
	// Status is "ok" when every part is healthy and "unhealthy" otherwise.
	Status   string                `json:"status"`
	Database *partHealth           `json:"database,omitempty"`
	Catalog  *catalogHealth        `json:"catalog,omitempty"`
	Channels map[string]partHealth `json:"channels"`
}

type partHealth struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type catalogHealth struct {
	OK         bool       `json:"ok"`
	SyncedAt   *time.Time `json:"synced_at,omitempty"`
	AgeSeconds int64      `json:"age_seconds,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// check runs every probe and returns the report and whether all parts are healthy.
func (h healthChecks) check(ctx context.Context) (healthReport, bool) {
	ctx, cancel := context.WithTimeout(ctx, healthCheckTimeout)
	defer cancel()

	report := healthReport{Channels: map[string]partHealth{}}
	healthy := true
	if h.Ping != nil {
		err := h.Ping(ctx)
		report.Database = &partHealth{OK: err == nil}
		if err != nil {
			report.Database.Error = "the database is unreachable; the service log has the error"
			h.logFailure("database", err)
		}
		healthy = healthy && err == nil
	}
	if h.CatalogSyncedAt != nil {
		report.Catalog = h.catalog(ctx)
		healthy = healthy && report.Catalog.OK
	}
	if h.Channels != nil {
		for name, err := range h.Channels() {
			report.Channels[name] = partHealth{OK: err == nil, Error: h.errorText(err)}
			healthy = healthy && err == nil
		}
	}

	report.Status = "ok"
	if !healthy {
		report.Status = "unhealthy"
	}
	return report, healthy
}

func (h healthChecks) catalog(ctx context.Context) *catalogHealth {
	synced, err := h.CatalogSyncedAt(ctx)
	switch {
	case err != nil:
		h.logFailure("catalog", err)
		return &catalogHealth{Error: "the catalog state could not be read; the service log has the error"}
	case synced.IsZero():
		return &catalogHealth{Error: "the operator catalog was never synced: run rechargebot sync or wait for the scheduled sync"}
	}

	age := h.now().Sub(synced)
	c := &catalogHealth{OK: true, SyncedAt: &synced, AgeSeconds: int64(age.Seconds())}
	if h.MaxCatalogAge > 0 && age > h.MaxCatalogAge {
		c.OK = false
		c.Error = fmt.Sprintf("the operator catalog is %s old, over %s: check the catalog-sync job in the log", age.Round(time.Hour), h.MaxCatalogAge)
	}
	return c
}

// logFailure logs a probe's error, with secrets scrubbed.
func (h healthChecks) logFailure(part string, err error) {
	if h.Logger != nil {
		h.Logger.Warn("Health check failed", "part", part, "error", h.errorText(err))
	}
}

func (h healthChecks) errorText(err error) string {
	if err == nil {
		return ""
	}
	if h.Scrub != nil {
		return h.Scrub(err.Error())
	}
	return err.Error()
}

func (h healthChecks) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// serveHealth writes the JSON report of /healthz with status 200 when healthy and 503 otherwise.
func (h healthChecks) serveHealth(w http.ResponseWriter, r *http.Request) {
	report, healthy := h.check(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(report)
}

// channelNames returns the channel names of a state map in sorted order, for logs.
func channelNames(channels map[string]error) []string {
	names := make([]string, 0, len(channels))
	for name := range channels {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// newMux routes /healthz, /metrics and, when webhook is not nil, the Telegram webhook at
// webhookPath.
func newMux(health healthChecks, metricsHandler http.Handler, webhookPath string, webhook http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health.serveHealth)
	mux.Handle("GET /metrics", metricsHandler)
	if webhook != nil {
		mux.Handle(webhookPath, webhook)
	}
	return mux
}

// webhookPath returns the path of the webhook URL, which is where Telegram posts updates.
func webhookPath(webhookURL string) (string, error) {
	u, err := url.Parse(webhookURL)
	if err != nil {
		return "", fmt.Errorf("TELEGRAM_WEBHOOK_URL %q is invalid: %v", webhookURL, err)
	}
	if u.Path == "" || u.Path == "/" {
		return defaultWebhookPath, nil
	}
	return u.Path, nil
}

// httpServer is the service's HTTP listener.
type httpServer struct {
	server   *http.Server
	listener net.Listener
	log      *slog.Logger
}

// listenHTTP binds addr now, so that a port already in use fails the start, and serves later.
func listenHTTP(addr string, handler http.Handler, logger *slog.Logger) (*httpServer, error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on HTTP_ADDR %s: %w", addr, err)
	}
	return &httpServer{
		server:   &http.Server{Handler: handler, ReadHeaderTimeout: readHeaderTimeout},
		listener: listener,
		log:      logger,
	}, nil
}

// Addr returns the address the server listens on.
func (s *httpServer) Addr() string { return s.listener.Addr().String() }

// serve accepts requests until shutdown is called.
func (s *httpServer) serve() {
	s.log.Info("HTTP server listening", "addr", s.Addr())
	if err := s.server.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("HTTP server stopped", "error", err)
	}
}

// shutdown stops accepting requests and waits up to httpShutdownTimeout for open ones.
func (s *httpServer) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
	defer cancel()
	if err := s.server.Shutdown(ctx); err != nil {
		s.log.Warn("HTTP server shutdown cut short", "error", err)
		s.server.Close()
	}
}
