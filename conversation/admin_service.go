package conversation

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

func init() {
	for _, c := range []command{
		{Name: "sync", Description: cmdPrefix + "sync", Order: 250, Roles: adminOnly, Run: runSync},
		{Name: "kwikbalance", Description: cmdPrefix + "kwikbalance", Order: 251, Roles: adminOnly, Run: runKwikBalance},
	} {
		registerCommand(c)
	}
}

// runSync refreshes the operator catalog now through Config.SyncCatalog. The KwikAPI client
// spends the calls from the daily budgets, so an exhausted budget fails the sync instead of
// overspending.
func runSync(ctx context.Context, t *turn, _ string) error {
	if t.e.cfg.SyncCatalog == nil {
		t.say(msgUnavailable, nil)
		return nil
	}
	synced, err := t.e.cfg.SyncCatalog(ctx)
	if err != nil {
		t.e.log.Warn("Catalog sync requested by an admin failed", "actor_user_id", t.user.ID, "synced", synced, "error", err)
		if len(synced) > 0 {
			t.say(msgSyncPartial, vars{"Synced": strings.Join(synced, ", "), "Reason": t.kwikFailureText(err)})
			return nil
		}
		t.out = append(t.out, bot.Outbound{Text: t.kwikFailureText(err)})
		return nil
	}
	t.e.log.Info("Catalog synced on an admin's request", "actor_user_id", t.user.ID)
	t.say(msgSyncDone, nil)
	return nil
}

// runKwikBalance shows the merchant's KwikAPI wallet balance, one balance call from the budget.
func runKwikBalance(ctx context.Context, t *turn, _ string) error {
	client, ok := t.e.kwik.(KwikBalance)
	if !ok {
		t.say(msgUnavailable, nil)
		return nil
	}
	balance, err := client.Balance(ctx)
	if err != nil {
		t.e.log.Warn("Reading the KwikAPI balance failed", "actor_user_id", t.user.ID, "error", err)
		t.out = append(t.out, bot.Outbound{Text: t.kwikFailureText(err)})
		return nil
	}
	t.say(msgKwikBalance, vars{"Balance": balance})
	return nil
}

// retryTimer is an error that carries when the call it stopped may be made again: a daily
// budget that resets at midnight, or an hourly share of it.
type retryTimer interface{ RetryTime() time.Time }

// kwikFailureText returns the message for an admin about a failed KwikAPI call, with the time
// a spent budget allows calls again.
func (t *turn) kwikFailureText(err error) string {
	v := vars{"Until": ""}
	var timer retryTimer
	if errors.As(err, &timer) && !timer.RetryTime().IsZero() {
		// A daily budget resets at midnight, which the message names in words.
		if at := clockTime(timer.RetryTime()); at != "00:00" {
			v["Until"] = at
		}
	}
	return t.text(kwikFailure(err), v)
}

// kwikFailure returns the message for an admin about a failed KwikAPI call. The error itself
// goes to the log only.
func kwikFailure(err error) msgKey {
	switch {
	case errors.Is(err, models.ErrBudgetExhausted):
		return msgBudgetExhausted
	case errors.Is(err, kwik.ErrAuth):
		return msgKwikAuth
	case errors.Is(err, kwik.ErrRateLimited):
		return msgKwikRateLimited
	}
	return msgKwikFailed
}
