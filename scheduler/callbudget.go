package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// CallSpender counts KwikAPI calls against a daily limit. *models.Store implements it.
type CallSpender interface {
	SpendCall(ctx context.Context, endpoint string, limit int) error
	ReturnCall(ctx context.Context, endpoint string) error
}

// CallBudget keeps KwikAPI calls within their daily limits and spreads the limits of the
// polling endpoints over the India-time day, so that a busy morning cannot spend the calls
// the evening needs. Its BeforeCall method is meant for kwik.WithBeforeCall.
//
// By the end of India hour h (0 to 23), a spread endpoint may have made at most
// ceil(limit*(h+1)/24) calls that day. With a limit of 100 that allows 5 status calls before
// 01:00, and a limit of 48 allows 2 more transactions calls each hour. Calls not made in one
// hour stay available in the following hours.
type CallBudget struct {
	Store CallSpender
	// Limits are the daily calls allowed per endpoint. Nil means kwik.DailyLimits(). An
	// endpoint missing from the map, or with a limit of 0, is counted but not limited.
	Limits map[kwik.Endpoint]int
	// Spread lists the endpoints whose limit is spread over the day. Nil means status,
	// transactions and balance, the calls that periodic jobs make.
	Spread []kwik.Endpoint
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives a line when a call cannot be given back; nil discards it.
	Logger *slog.Logger
}

// AllowanceUsedError reports that a spread endpoint has made every call allowed so far today,
// although its daily limit is not reached. It matches models.ErrBudgetExhausted.
type AllowanceUsedError struct {
	Endpoint kwik.Endpoint
	// Allowed is the number of calls allowed by the end of the current India hour.
	Allowed    int
	DailyLimit int
	// RetryAt is the start of the next India hour, in UTC.
	RetryAt time.Time
}

func (e *AllowanceUsedError) Error() string {
	return fmt.Sprintf("%s calls spread over the day: all %d of %d daily calls allowed so far are used; more are allowed at %s",
		e.Endpoint, e.Allowed, e.DailyLimit, e.RetryAt.In(models.India).Format("15:04 MST"))
}

// Is makes errors.Is(err, models.ErrBudgetExhausted) match.
func (e *AllowanceUsedError) Is(target error) bool { return target == models.ErrBudgetExhausted }

// RetryTime returns when the next share of the daily budget is released: RetryAt.
func (e *AllowanceUsedError) RetryTime() time.Time { return e.RetryAt }

// BeforeCall counts one call to ep, or returns an error matching models.ErrBudgetExhausted
// (a *models.BudgetExhaustedError or an *AllowanceUsedError) when the call would go over
// the budget. Other errors come from the store.
func (b *CallBudget) BeforeCall(ctx context.Context, ep kwik.Endpoint) error {
	limit := b.limit(ep)
	if limit <= 0 || !b.spread(ep) {
		return b.Store.SpendCall(ctx, string(ep), limit)
	}

	now := b.now()
	allowed := hourlyAllowance(limit, now)
	err := b.Store.SpendCall(ctx, string(ep), allowed)
	var exhausted *models.BudgetExhaustedError
	if allowed < limit && errors.As(err, &exhausted) {
		return &AllowanceUsedError{Endpoint: ep, Allowed: allowed, DailyLimit: limit, RetryAt: nextIndiaHour(now)}
	}
	return err
}

// Unsent gives back the call BeforeCall counted for a request that never reached KwikAPI,
// so a wrong base URL or a network outage does not spend the day's budget. It is meant for
// kwik.WithUnsentCall.
func (b *CallBudget) Unsent(ctx context.Context, ep kwik.Endpoint) {
	if err := b.Store.ReturnCall(ctx, string(ep)); err != nil && b.Logger != nil {
		b.Logger.Warn("Giving back an unsent KwikAPI call failed", "endpoint", string(ep), "error", err)
	}
}

// hourlyAllowance returns how many calls of a daily limit may have been made by the end of
// the India hour that contains now.
func hourlyAllowance(limit int, now time.Time) int {
	hours := now.In(models.India).Hour() + 1
	return (limit*hours + 23) / 24
}

// nextIndiaHour returns the start of the India hour after the one that contains t, in UTC.
func nextIndiaHour(t time.Time) time.Time {
	local := t.In(models.India)
	y, m, d := local.Date()
	return time.Date(y, m, d, local.Hour()+1, 0, 0, 0, models.India).UTC()
}

// RetryTime returns when a call rejected with err may be tried again: the end of the
// allowance or the reset of the daily budget. ok is false when err is no budget error.
func RetryTime(err error) (at time.Time, ok bool) {
	var allowance *AllowanceUsedError
	if errors.As(err, &allowance) {
		return allowance.RetryAt, true
	}
	var exhausted *models.BudgetExhaustedError
	if errors.As(err, &exhausted) {
		return exhausted.ResetAt, true
	}
	return time.Time{}, false
}

func (b *CallBudget) limit(ep kwik.Endpoint) int {
	if b.Limits == nil {
		return kwik.DailyLimits()[ep]
	}
	return b.Limits[ep]
}

func (b *CallBudget) spread(ep kwik.Endpoint) bool {
	spread := b.Spread
	if spread == nil {
		spread = []kwik.Endpoint{kwik.EndpointStatus, kwik.EndpointTransactions, kwik.EndpointBalance}
	}
	for _, s := range spread {
		if s == ep {
			return true
		}
	}
	return false
}

func (b *CallBudget) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}
