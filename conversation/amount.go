package conversation

import (
	"context"

	"github.com/rechargebot/rechargebot/bot"
)

// defaultMinPaise is the smallest recharge when the catalog gives the operator no minimum.
const defaultMinPaise = 100

// limits returns the smallest and largest recharge the flow's operator accepts.
func (t *turn) limits(ctx context.Context) (minPaise, maxPaise int64, err error) {
	op, err := t.e.store.Operator(ctx, t.flow.OperatorID)
	if err != nil {
		return 0, 0, err
	}
	minPaise, maxPaise = op.MinPaise, op.MaxPaise
	if minPaise <= 0 {
		minPaise = defaultMinPaise
	}
	if maxPaise <= 0 || maxPaise > maxAmountPaise {
		maxPaise = maxAmountPaise
	}
	return minPaise, maxPaise, nil
}

// takeAmount sets the amount and plan of the recharge if the operator accepts the amount, and
// reports whether it did. confirmFrom is where "back" from the confirmation returns.
func (t *turn) takeAmount(ctx context.Context, paise int64, plan, confirmFrom string) (bool, error) {
	minPaise, maxPaise, err := t.limits(ctx)
	if err != nil {
		return false, err
	}
	if paise < minPaise || paise > maxPaise {
		t.amountRejected = true
		return false, nil
	}
	t.flow.AmountPaise, t.flow.Plan, t.flow.ConfirmFrom = paise, plan, confirmFrom
	return true, nil
}

// typedAmount handles an amount typed in a state that accepts one: it moves on to the
// confirmation, or to entering_amount with the operator's range when the amount is out of it.
// Text that is no amount returns errNotUnderstood.
func (t *turn) typedAmount(ctx context.Context, text, plan, confirmFrom string) (string, error) {
	paise, err := parseAmount(text)
	if err != nil {
		return "", errNotUnderstood
	}
	ok, err := t.takeAmount(ctx, paise, plan, confirmFrom)
	switch {
	case err != nil:
		return "", err
	case ok:
		return evAmountChosen, nil
	case t.state() == stateEnteringAmount:
		return "", t.askAmount(ctx)
	default:
		t.flow.AmountFrom = t.state()
		return evTypeAmount, nil
	}
}

func enterEnteringAmount(ctx context.Context, t *turn) (string, error) {
	return "", t.askAmount(ctx)
}

// askAmount requests an amount within the operator's range, starting with the range when the
// last amount was outside it.
func (t *turn) askAmount(ctx context.Context) error {
	minPaise, maxPaise, err := t.limits(ctx)
	if err != nil {
		return err
	}
	key := msgAskAmount
	if t.amountRejected {
		key = msgAmountRange
	}
	options := []bot.Option{}
	if t.flow.AmountFrom != stateChoosingPlan {
		options = append(options, t.option(optShowPlans, dataShowPlans, nil))
	}
	options = append(options, t.option(optBack, "/back", nil), t.option(optCancel, "/cancel", nil))
	t.ask(key, vars{"Operator": t.flow.OperatorName, "Min": minPaise, "Max": maxPaise}, options...)
	return nil
}

func inputEnteringAmount(ctx context.Context, t *turn, in input) (string, error) {
	switch in.data {
	case dataShowPlans:
		return evShowPlans, nil
	case "":
		return t.typedAmount(ctx, in.text, "", stateEnteringAmount)
	}
	return "", errNotUnderstood
}
