package scheduler

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// DefaultTimeoutRun is the number of KwikAPI calls in a row without a clear reply that raises
// the timeouts alert.
const DefaultTimeoutRun = 3

// KwikWatch watches every KwikAPI call of the process through kwik.WithObserver and alerts
// admins when KwikAPI rejects the API key or when calls keep timing out. Observe only records,
// because it runs inside the caller's request. The periodic Check writes the alerts.
type KwikWatch struct {
	Alerts *Alerts
	// TimeoutRun is the number of timed-out calls in a row that raises an alert. Zero means
	// DefaultTimeoutRun.
	TimeoutRun int

	mu sync.Mutex
	// run counts the calls in a row that timed out, reset by any call that got a reply.
	run int
	// reported is the run length already alerted, so one long run alerts once.
	reported    int
	lastTimeout string
	authError   string
}

// Observe records the result of one KwikAPI call. Its signature fits kwik.WithObserver.
func (w *KwikWatch) Observe(ep kwik.Endpoint, took time.Duration, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	switch {
	case err == nil:
		w.run, w.reported = 0, 0
	case errors.Is(err, kwik.ErrAuth):
		w.authError = err.Error()
		w.run, w.reported = 0, 0
	case timedOut(err):
		w.run++
		w.lastTimeout = string(ep) + " after " + took.Round(time.Millisecond).String() + ": " + err.Error()
	default:
		// Any other error is a reply from KwikAPI, so it ends a run of timeouts.
		w.run, w.reported = 0, 0
	}
}

// Check raises the alerts for what Observe recorded since the last Check: a rejected API key
// ("kwik-auth") and a run of timeouts ("kwik-timeouts").
func (w *KwikWatch) Check(ctx context.Context) error {
	w.mu.Lock()
	authError := w.authError
	w.authError = ""
	var run int
	var last string
	if w.run >= positiveOr(w.TimeoutRun, DefaultTimeoutRun) && w.run > w.reported {
		run, last = w.run, w.lastTimeout
		w.reported = w.run
	}
	w.mu.Unlock()

	var errs []error
	if authError != "" {
		errs = append(errs, w.Alerts.Raise(ctx, Alert{Key: "kwik-auth", Text: authAlert(w.Alerts.Scrub(authError))}))
	}
	if run > 0 {
		errs = append(errs, w.Alerts.Raise(ctx, Alert{Key: "kwik-timeouts", Text: timeoutsAlert(run, w.Alerts.Scrub(last))}))
	}
	return errors.Join(errs...)
}

// Job returns the periodic Check for a Runner, every interval.
func (w *KwikWatch) Job(interval time.Duration) Job {
	return Job{Name: "kwik-watch", Every: interval, Run: w.Check}
}

// timedOut reports whether err means a call got no clear reply: a timeout, or a recharge
// whose outcome is unknown (timeout, reset, 5xx, unreadable reply).
func timedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, kwik.ErrUnknownOutcome) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}
