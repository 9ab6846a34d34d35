package conversation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// recentWindow is how far back a successful recharge of the same number and amount makes
// the confirmation warn about a repeat.
const recentWindow = 2 * time.Hour

// newCheckoutToken returns a random token that names one confirmation.
func newCheckoutToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// enterConfirming shows what will be paid, with a fresh checkout token in the Pay option, so
// that a Pay tapped twice or delivered twice places one order.
func enterConfirming(ctx context.Context, t *turn) (string, error) {
	balance, err := t.e.store.Balance(ctx, t.user.ID)
	if err != nil {
		return "", err
	}
	t.flow.Token = newCheckoutToken()

	text := t.text(msgConfirm, vars{
		"Kind": t.flow.Kind, "Number": t.flow.Number, "Operator": t.flow.OperatorName,
		"Circle": t.flow.CircleName, "Amount": t.flow.AmountPaise, "Plan": t.flow.Plan,
		"Balance": balance, "After": balance - t.flow.AmountPaise,
	})

	recent, err := t.e.store.RecentSuccess(ctx, t.user.ID, t.flow.Number, t.flow.AmountPaise, t.now.Add(-recentWindow))
	switch {
	case err == nil:
		text += "\n\n" + t.text(msgRecentWarning, vars{
			"Number": t.flow.Number, "Amount": recent.AmountPaise, "Time": clockTime(recent.CreatedAt),
		})
	case !errors.Is(err, models.ErrNotFound):
		return "", err
	}
	if balance < t.flow.AmountPaise {
		text += "\n\n" + t.text(msgShortfall, vars{"Missing": t.flow.AmountPaise - balance})
	}

	t.out = append(t.out, outbound(text,
		t.option(optPay, dataPay+t.flow.Token, vars{"Amount": t.flow.AmountPaise}),
		t.option(optBack, "/back", nil),
		t.option(optCancel, "/cancel", nil),
	))
	return "", nil
}

func inputConfirming(ctx context.Context, t *turn, in input) (string, error) {
	token, ok := strings.CutPrefix(in.data, dataPay)
	if !ok {
		return "", errNotUnderstood
	}
	if token != t.flow.Token {
		if token == t.flow.LastToken && t.flow.LastOrderID != 0 {
			return "", t.payAgain(ctx, token)
		}
		t.say(msgStaleConfirm, nil)
		return enterConfirming(ctx, t)
	}
	return evPay, nil
}

// payAgain replies to a Pay tapped outside its confirmation: the order it placed, or that the
// button is out of date.
func (t *turn) payAgain(ctx context.Context, token string) error {
	if token == "" || token != t.flow.LastToken || t.flow.LastOrderID == 0 {
		t.say(msgStaleButton, nil)
		return nil
	}
	order, err := t.e.store.GetOrder(ctx, t.flow.LastOrderID)
	if err != nil {
		return err
	}
	t.sayAlreadyPlaced(order)
	return nil
}

func (t *turn) sayAlreadyPlaced(order models.Order) {
	t.say(msgAlreadyPlaced, vars{"OrderID": order.ID, "Status": t.statusText(order.Status)})
}

func (t *turn) statusText(s models.OrderStatus) string {
	return t.text(statusPrefix+msgKey(s), nil)
}

// clockTime writes a time of day in India time, "14:05".
func clockTime(at time.Time) string {
	return at.In(kwik.India()).Format("15:04")
}
