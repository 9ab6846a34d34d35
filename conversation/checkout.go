package conversation

import (
	"context"
	"errors"
	"strconv"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// enterPaying places the order and submits it to KwikAPI once. It returns evPaid once an
// order exists (placed now or by an earlier tap of the same confirmation) and evPayFailed
// when the wallet is short or the payment would pass the daily cap. The result reaches the
// user through the outbox.
func enterPaying(ctx context.Context, t *turn) (string, error) {
	// From here on, a client that goes away must not cut the payment short between debit,
	// recharge and outcome.
	ctx = context.WithoutCancel(ctx)
	if t.e.draining.Load() {
		t.say(msgPayRestarting, nil)
		return evPayFailed, nil
	}
	token := t.flow.Token
	order, err := t.e.store.PlaceOrder(ctx, models.NewOrder{
		UserID: t.user.ID, Kind: t.flow.Kind, Number: t.flow.Number,
		OperatorID: t.flow.OperatorID, OperatorName: t.flow.OperatorName, CircleCode: t.flow.CircleCode,
		AmountPaise: t.flow.AmountPaise, Plan: t.flow.Plan, CheckoutToken: token,
		ChatChannel: string(t.in.Chat.Channel), ChatID: t.in.Chat.ID, Cap: t.dailyCap(),
	})
	var short *models.InsufficientFundsError
	var capped *models.DailyCapError
	t.acted = err == nil || errors.Is(err, models.ErrDuplicateCheckout)
	switch {
	case errors.As(err, &capped):
		t.sayDailyLimit(capped)
		return evPayFailed, nil
	case errors.Is(err, models.ErrDuplicateCheckout):
		t.flow.LastToken, t.flow.LastOrderID, t.flow.Token = token, order.ID, ""
		t.sayAlreadyPlaced(order)
		return evPaid, nil
	case errors.As(err, &short):
		t.say(msgInsufficient, vars{
			"Balance": short.BalancePaise, "Amount": short.NeededPaise, "Missing": short.MissingPaise(),
		})
		return evPayFailed, nil
	case err != nil:
		return "", err
	}

	t.flow.LastToken, t.flow.LastOrderID, t.flow.Token = token, order.ID, ""
	t.e.log.Info("Order placed", "order_id", order.ID, "user_id", t.user.ID, "opid", order.OperatorID,
		"amount_paise", order.AmountPaise)

	if t.e.submit(ctx, order, t.in.Chat) {
		t.wake = true
	}
	t.say(msgProcessing, vars{"Amount": order.AmountPaise, "Number": order.Number, "OrderID": order.ID})
	return evPaid, nil
}

// submit sends a placed order to KwikAPI with one recharge call and records the outcome with
// the message for the user's chat (and, for a failure, the admins' alert). It reports whether
// messages were queued. An outcome that cannot be recorded leaves the order in sending, where
// the resolver finds it.
func (e *Engine) submit(ctx context.Context, order models.Order, chat bot.ChatID) bool {
	result, err := e.kwik.Recharge(ctx, kwik.RechargeRequest{
		OrderID: strconv.FormatInt(order.ID, 10), Number: order.Number, OperatorID: order.OperatorID,
		CircleCode: order.CircleCode, AmountPaise: order.AmountPaise,
	})
	outcome, reason := e.outcome(result, err)

	log := e.log.With("order_id", order.ID, "user_id", order.UserID, "opid", order.OperatorID,
		"amount_paise", order.AmountPaise, "status", outcome.Status)
	if err != nil {
		log = log.With("error", err)
	}

	notices := e.resultMessages(order, outcome, reason, err, chat)
	_, changed, recordErr := e.store.RecordOutcome(ctx, order.ID, outcome, notices...)
	if recordErr != nil {
		log.Error("Recording a recharge outcome failed; the resolver will settle the order", "record_error", recordErr)
		return false
	}
	log.Info("Recharge submitted")
	return changed
}

// outcome turns KwikAPI's reply to a recharge into the order's outcome and, for a failure,
// the catalogue key of the reason shown to the user.
func (e *Engine) outcome(result kwik.RechargeResult, err error) (models.Outcome, msgKey) {
	next := e.now().UTC().Add(e.cfg.PendingCheckInterval)
	switch {
	case err == nil && result.Status == kwik.StatusSuccess:
		return models.Outcome{
			Status: models.StatusSuccess, OperatorRef: result.OperatorRef, ChargedPaise: result.ChargedPaise,
			Message: result.Message, Note: "recharge answered SUCCESS",
		}, ""
	case err == nil && result.Status == kwik.StatusFailure:
		return models.Outcome{
			Status: models.StatusFailure, Message: result.Message,
			Note: "recharge answered FAILURE " + result.ErrorCode,
		}, msgErrDeclined
	case err == nil && result.Status == kwik.StatusPending:
		return models.Outcome{
			Status: models.StatusPending, OperatorRef: result.OperatorRef, Message: result.Message,
			NextCheckAt: &next, Note: "recharge answered PENDING",
		}, ""
	case err == nil, errors.Is(err, kwik.ErrUnknownOutcome),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// No clear reply: the money may have moved, so the resolver checks the status and the
		// order is never sent again.
		note := "recharge answered " + string(result.Status)
		if err != nil {
			note = "recharge outcome unknown: " + err.Error()
		}
		return models.Outcome{Status: models.StatusUnknown, NextCheckAt: &next, Note: note}, ""
	default:
		// KwikAPI refused the request, so no money moved there: refund the customer.
		return models.Outcome{
			Status: models.StatusFailure, Message: result.Message, Note: "recharge refused: " + err.Error(),
		}, refusalReason(err)
	}
}

// resultMessages returns the outbox messages of an outcome: the result for the user's chat
// and, for a failure, an alert to every admin with KwikAPI's own words and, where cause shows
// one, what an admin can do about it.
func (e *Engine) resultMessages(order models.Order, outcome models.Outcome, reason msgKey, cause error, chat bot.ChatID) []models.OutboxMessage {
	v := vars{
		"Amount": order.AmountPaise, "Number": order.Number, "Operator": order.OperatorName,
		"OrderID": order.ID, "OperatorRef": outcome.OperatorRef, "UserID": order.UserID,
		"Reason": e.texts.render(reason, nil), "KwikMessage": bot.MaskNumbers(outcome.Message),
		"WalletShort": errors.Is(cause, kwik.ErrInsufficientBalance), "KeyRejected": errors.Is(cause, kwik.ErrAuth),
	}
	key := map[models.OrderStatus]msgKey{
		models.StatusSuccess: msgResultSuccess,
		models.StatusFailure: msgResultFailure,
		models.StatusPending: msgResultPending,
		models.StatusUnknown: msgResultUnknown,
	}[outcome.Status]

	id := strconv.FormatInt(order.ID, 10)
	kind := models.OutboxNotice
	if !outcome.Status.Final() {
		kind = models.OutboxInterim
	}
	msgs := []models.OutboxMessage{{
		Channel: string(chat.Channel), ChatID: chat.ID, Text: e.texts.render(key, v), OrderID: &order.ID,
		Kind: kind, DedupeKey: dedupeKey("result:" + id + ":" + string(outcome.Status)),
	}}
	if outcome.Status != models.StatusFailure {
		return msgs
	}
	alert := e.texts.render(msgAlertFailure, v)
	for _, admin := range e.admins {
		msgs = append(msgs, models.OutboxMessage{
			Channel: string(admin.Channel), ChatID: admin.ID, Text: alert, Kind: models.OutboxAlert,
			DedupeKey: dedupeKey("failure-alert:" + id + ":" + string(admin.Channel) + ":" + admin.ID),
		})
	}
	return msgs
}

func dedupeKey(key string) *string { return &key }

func outbound(text string, options ...bot.Option) bot.Outbound {
	return bot.Outbound{Text: text, Options: options}
}
