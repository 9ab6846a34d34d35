package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

func init() {
	commands["sandbox"] = command{
		summary: "serve the KwikAPI simulator until interrupted (for demos and manual tests)",
		run:     runSandbox,
	}
}

// sandboxShutdownTimeout bounds how long the sandbox waits for requests in flight when it stops.
const sandboxShutdownTimeout = 5 * time.Second

func runSandbox(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	addr := flags.String("addr", "127.0.0.1:8090", "listen address, host:port; port 0 picks a free one")
	key := flags.String("key", kwiksim.DefaultAPIKey, "api_key the simulator accepts")
	balance := flags.String("balance", kwik.FormatAmount(kwiksim.DefaultBalancePaise), "starting merchant balance in rupees")
	latency := flags.Duration("latency", 0, "delay added to every reply (duration, e.g. 200ms)")
	unlimited := flags.Bool("unlimited", false, "lift KwikAPI's documented daily call limits (2 circle lists, 100 status calls, ...)")
	flags.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: rechargebot sandbox [--addr 127.0.0.1:PORT] [--key KEY] [--balance RUPEES] [--latency DURATION] [--unlimited]")
		fmt.Fprintln(env.stderr, "Serves the KwikAPI simulator; point KWIKAPI_BASE_URL and KWIKAPI_API_KEY at it.")
		flags.PrintDefaults()
	}
	if err := parseFlags(env, flags, args); err != nil {
		return err
	}
	balancePaise, err := kwik.ParsePaise(*balance)
	if err != nil || balancePaise < 0 {
		fmt.Fprintf(env.stderr, "rechargebot sandbox: --balance %q is invalid: use rupees such as 50000 or 2500.50\n", *balance)
		return errUsage
	}

	logger := newLogger(env.cfg, env.stderr)
	opts := kwiksim.Options{APIKey: *key, BalancePaise: balancePaise, Latency: *latency, Logger: logger}
	if *unlimited {
		opts.Limits = map[kwik.Endpoint]int{}
		for ep := range kwik.DailyLimits() {
			opts.Limits[ep] = 0
		}
	}
	sim := kwiksim.New(opts)
	if balancePaise == 0 {
		sim.SetBalance(0)
	}
	return serveSandbox(ctx, env, sim, *addr)
}

// serveSandbox serves the simulator on addr until ctx ends. Requests still open then (a
// scripted hang, for one) see their context end, so shutdown does not wait on them.
func serveSandbox(ctx context.Context, env *environment, sim *kwiksim.Simulator, addr string) error {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}

	requests, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	server := &http.Server{
		Handler:           sim.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return requests },
	}

	baseURL := "http://" + listener.Addr().String()
	fmt.Fprintf(env.stdout, "KwikAPI simulator listening on %s\n", baseURL)
	fmt.Fprintf(env.stdout, "KWIKAPI_BASE_URL=%s\n", baseURL)
	fmt.Fprintf(env.stdout, "KWIKAPI_API_KEY=%s\n", sim.APIKey())

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve KwikAPI simulator: %w", err)
	case <-ctx.Done():
	}

	cancelRequests()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), sandboxShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		// A request still open after the timeout holds nothing worth waiting for in a
		// simulator, so its connection is cut.
		server.Close()
		fmt.Fprintf(env.stderr, "KwikAPI simulator: closed requests still open after %s\n", sandboxShutdownTimeout)
	}
	fmt.Fprintln(env.stdout, "KwikAPI simulator stopped")
	return nil
}
