package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

// openKwik returns the KwikAPI client that cfg describes, with every call counted against
// the daily budgets of cfg in store. With no KWIKAPI_API_KEY it serves the simulator on a
// loopback port and points the client there. stop shuts the simulator down; it is a no-op
// for the real API. extra options, such as an observer for metrics, are applied last.
func openKwik(cfg Config, store *models.Store, logger *slog.Logger, extra ...kwik.Option) (client *kwik.Client, stop func(), err error) {
	baseURL, apiKey, stop := cfg.KwikAPIBaseURL, cfg.KwikAPIKey, func() {}
	if cfg.Simulated() {
		baseURL, stop, err = serveSimulator(logger)
		if err != nil {
			return nil, nil, err
		}
		apiKey = kwiksim.DefaultAPIKey
	}

	budget := &scheduler.CallBudget{Store: store, Limits: cfg.KwikBudgets(), Logger: logger}
	opts := []kwik.Option{
		kwik.WithTimeout(cfg.KwikAPITimeout),
		kwik.WithRechargeTimeout(cfg.KwikAPIRechargeTimeout),
		kwik.WithLogger(logger),
		kwik.WithBeforeCall(budget.BeforeCall),
		kwik.WithUnsentCall(budget.Unsent),
	}
	client, err = kwik.New(baseURL, apiKey, append(opts, extra...)...)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return client, stop, nil
}

// serveSimulator starts the KwikAPI simulator on 127.0.0.1 and returns its base URL.
func serveSimulator(logger *slog.Logger) (baseURL string, stop func(), err error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start KwikAPI simulator: %w", err)
	}
	sim := kwiksim.New(kwiksim.Options{})
	server := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("KwikAPI simulator stopped", "error", err)
		}
	}()

	baseURL = "http://" + listener.Addr().String()
	logger.Info("KWIKAPI_API_KEY is not set: using the built-in KwikAPI simulator", "url", baseURL)
	return baseURL, func() { server.Close() }, nil
}
