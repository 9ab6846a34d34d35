package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// historyPageSize is how many orders one /history message lists.
const historyPageSize = 10

// runHistory lists the user's orders, newest first; "/history N" shows page N.
func runHistory(ctx context.Context, t *turn, args string) error {
	p := 1
	if n, err := strconv.Atoi(strings.TrimSpace(args)); err == nil && n >= 1 && n <= 1000 {
		p = n
	}
	orders, err := t.e.store.UserOrders(ctx, t.user.ID, historyPageSize+1, (p-1)*historyPageSize)
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		t.say(msgHistoryEmpty, nil)
		return nil
	}

	more := len(orders) > historyPageSize
	if more {
		orders = orders[:historyPageSize]
	}
	lines := make([]string, len(orders))
	for i, o := range orders {
		lines[i] = t.historyLine(o)
	}
	v := vars{"Page": p, "Orders": lines}
	if more {
		t.ask(msgHistoryPage, v, t.option(optOlder, "/history "+strconv.Itoa(p+1), nil))
	} else {
		t.say(msgHistoryPage, v)
	}
	return nil
}

// historyLine is one order in /history: "04 Dec 14:05 · ₹199 · 9876543210 · Airtel · successful · 26120412345678".
func (t *turn) historyLine(o models.Order) string {
	return strings.Join([]string{
		dateTime(o.CreatedAt), formatRupees(o.AmountPaise), o.Number, o.OperatorName,
		t.statusText(o.Status), strconv.FormatInt(o.ID, 10),
	}, " · ")
}

// runStatus shows one of the user's orders. Another user's order reads as not found, so an
// order id reveals nothing about other people's recharges.
func runStatus(ctx context.Context, t *turn, args string) error {
	id, err := strconv.ParseInt(strings.TrimSpace(args), 10, 64)
	if err != nil || id <= 0 {
		t.say(msgStatusUsage, nil)
		return nil
	}
	order, err := t.e.store.GetOrder(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && order.UserID != t.user.ID) {
		t.say(msgStatusNotFound, vars{"OrderID": id})
		return nil
	}
	if err != nil {
		return err
	}
	t.say(msgStatus, vars{
		"OrderID": order.ID, "Amount": order.AmountPaise, "Number": order.Number,
		"Operator": order.OperatorName, "Status": t.statusText(order.Status),
		"OperatorRef": order.OperatorRef, "Time": dateTime(order.CreatedAt),
	})
	return nil
}

// runRepeat offers the user's last recharge again. A mobile number is detected afresh, since it
// may have been ported, before the confirmation. A DTH recharge goes to the confirmation directly.
func runRepeat(ctx context.Context, t *turn, _ string) error {
	last, err := t.e.store.LastOrder(ctx, t.user.ID)
	if errors.Is(err, models.ErrNotFound) {
		t.say(msgRepeatNone, nil)
		return nil
	}
	if err != nil {
		return err
	}

	if last.Kind != models.KindDTH {
		t.repeatOf = &last
		return t.startMobile(ctx, last.Number, last.AmountPaise)
	}

	op, err := t.e.store.Operator(ctx, last.OperatorID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	if err != nil || !op.Active {
		return t.startDTH(ctx)
	}
	t.flow.reset()
	t.flow.Kind, t.flow.Number = models.KindDTH, last.Number
	t.flow.OperatorID, t.flow.OperatorName = op.ID, op.Name
	t.flow.AmountFrom = stateAwaitingSubscriber
	ok, err := t.takeAmount(ctx, last.AmountPaise, last.Plan, stateEnteringAmount)
	if err != nil {
		return err
	}
	if !ok {
		return t.fire(ctx, evAmountInvalid)
	}
	return t.fire(ctx, evAmountKnown)
}

// dateTime writes a time in India time, "04 Dec 14:05".
func dateTime(at time.Time) string {
	return at.In(kwik.India()).Format("02 Jan 15:04")
}
