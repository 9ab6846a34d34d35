package kwiksim_test

import (
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

// clock is a settable time source for the simulator.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// start serves a simulator and returns it with a client that retries fast.
func start(t *testing.T, opts kwiksim.Options, clientOpts ...kwik.Option) (*kwiksim.Simulator, *kwik.Client) {
	t.Helper()
	sim := kwiksim.New(opts)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	clientOpts = append([]kwik.Option{kwik.WithRetry(3, time.Millisecond)}, clientOpts...)
	c, err := kwik.New(srv.URL, sim.APIKey(), clientOpts...)
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func rechargeOf(orderID, number, opid string, paise int64) kwik.RechargeRequest {
	return kwik.RechargeRequest{OrderID: orderID, Number: number, OperatorID: opid, AmountPaise: paise}
}

func errorIs(err, target error) bool { return err != nil && errors.Is(err, target) }

// newServer serves the simulator for a test or benchmark and returns its base URL.
func newServer(tb testing.TB, sim *kwiksim.Simulator) string {
	tb.Helper()
	srv := httptest.NewServer(sim.Handler())
	tb.Cleanup(srv.Close)
	return srv.URL
}
