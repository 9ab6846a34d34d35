package conversation

import (
	"context"
	"regexp"
	"strings"

	"github.com/rechargebot/rechargebot/models"
)

// subscriberFormat is the shape of one DTH operator's subscriber ID.
type subscriberFormat struct {
	pattern *regexp.Regexp
	// hint is the catalogue text that describes the pattern, as in "10 digits starting with 1".
	hint msgKey
}

// subscriberFormats holds the subscriber ID formats we know, by KwikAPI operator id (23 Airtel
// Digital TV, 25 Dish TV, 27 Tata Play). They are estimates from how the operators' help
// pages and recharge sites commonly describe the ID, not from a published specification.
// NOTE: these formats are unverified. An operator missing here gets anyIDFormat, and a format
// found wrong should be loosened to it, because KwikAPI validates the ID at recharge anyway.
var subscriberFormats = map[string]subscriberFormat{
	"23": {regexp.MustCompile(`^3\d{9}$`), msgFormat10From3},
	"25": {regexp.MustCompile(`^0\d{10}$`), msgFormat11From0},
	"27": {regexp.MustCompile(`^1\d{9}$`), msgFormat10From1},
}

// anyIDFormat accepts the subscriber IDs of operators without a known format.
var anyIDFormat = subscriberFormat{regexp.MustCompile(`^\d{6,16}$`), msgFormatDigits}

func formatOf(opid string) subscriberFormat {
	if f, ok := subscriberFormats[opid]; ok {
		return f
	}
	return anyIDFormat
}

// parseSubscriberID returns the subscriber ID in s (spaces and dashes removed) if it has the
// format of operator opid.
func parseSubscriberID(opid, s string) (string, bool) {
	if len(s) > 40 {
		return "", false
	}
	id := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if !formatOf(opid).pattern.MatchString(id) {
		return "", false
	}
	return id, true
}

// startDTH begins a DTH recharge.
func (t *turn) startDTH(ctx context.Context) error {
	t.flow.reset()
	t.flow.Kind = models.KindDTH
	return t.fire(ctx, evStartDTH)
}

func enterChoosingDTH(ctx context.Context, t *turn) (string, error) {
	t.flow.Kind = models.KindDTH
	t.flow.Page = 0
	return t.listOperators(ctx, models.ServiceDTH, msgChooseDTH)
}

func inputChoosingDTH(ctx context.Context, t *turn, in input) (string, error) {
	op, ok, err := t.pickOperator(ctx, models.ServiceDTH, in)
	if err != nil || !ok {
		return "", err
	}
	if in.data == dataMore {
		return "", nil
	}
	t.flow.Kind = models.KindDTH
	t.flow.OperatorID, t.flow.OperatorName = op.ID, op.Name
	t.flow.CircleCode, t.flow.CircleName = "", ""
	return evDTHChosen, nil
}

func enterAwaitingSubscriber(_ context.Context, t *turn) (string, error) {
	t.ask(msgAskSubscriber, subscriberVars(t), t.option(optBack, "/back", nil), t.option(optCancel, "/cancel", nil))
	return "", nil
}

func inputAwaitingSubscriber(_ context.Context, t *turn, in input) (string, error) {
	if in.text == "" {
		return "", errNotUnderstood
	}
	id, ok := parseSubscriberID(t.flow.OperatorID, in.text)
	if !ok {
		return "", errNotUnderstood
	}
	t.flow.Number = id
	t.flow.Group, t.flow.Page = 0, 0
	return evSubscriberKnown, nil
}

func subscriberVars(t *turn) vars {
	return vars{"Operator": t.flow.OperatorName, "Format": t.text(formatOf(t.flow.OperatorID).hint, nil)}
}
