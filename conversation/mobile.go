package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// listPageSize is how many operators or circles one message offers.
const listPageSize = 10

// startMobile begins a mobile recharge of number from any state: it detects the operator and
// circle through KwikAPI (portability included), then asks the user to confirm them, or, with
// amountPaise > 0, goes straight to the payment confirmation.
func (t *turn) startMobile(ctx context.Context, number string, amountPaise int64) error {
	t.flow.reset()
	t.flow.Kind = models.KindMobile
	t.flow.Number = number

	detected, err := t.detect(ctx)
	if err != nil {
		return err
	}
	if !detected {
		t.flow.TypedPaise = amountPaise
		return t.fire(ctx, evDetectFailed)
	}
	if amountPaise == 0 || t.flow.CircleCode == "" {
		t.flow.TypedPaise = amountPaise
		return t.fire(ctx, evDetected)
	}

	// A repeated order keeps its plan while the operator is the same.
	plan := ""
	if t.repeatOf != nil && t.repeatOf.OperatorID == t.flow.OperatorID {
		plan = t.repeatOf.Plan
	}
	t.flow.AmountFrom = stateConfirmingOperator
	ok, err := t.takeAmount(ctx, amountPaise, plan, stateEnteringAmount)
	if err != nil {
		return err
	}
	if !ok {
		return t.fire(ctx, evAmountInvalid)
	}
	return t.fire(ctx, evAmountKnown)
}

// startSaved starts a recharge of the number the user saved under text, and reports false
// when text is no nickname of theirs.
func (t *turn) startSaved(ctx context.Context, text string) (bool, error) {
	name, ok := parseNickname(text)
	if !ok {
		return false, nil
	}
	saved, err := t.e.store.SavedNumber(ctx, t.user.ID, name)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, t.startMobile(ctx, saved.Number, 0)
}

// detect looks up the operator and circle of the number at KwikAPI and fills them in when the
// operator is an active prepaid operator of the catalog. When the user has to choose the
// operator instead, it replies so and reports false.
func (t *turn) detect(ctx context.Context) (bool, error) {
	detection, err := t.e.kwik.Detect(ctx, t.flow.Number)
	if err != nil {
		t.e.log.Warn("Detecting the operator failed", "user_id", t.user.ID, "number", bot.Mask(t.flow.Number), "error", err)
		t.say(msgDetectFailed, vars{"Number": t.flow.Number})
		return false, nil
	}

	op, err := t.e.store.Operator(ctx, detection.OperatorID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return false, err
	}
	if err != nil || !op.Active || op.Service != models.ServicePrepaid {
		name := detection.OperatorName
		if name == "" {
			name = detection.OperatorID
		}
		t.say(msgOperatorUnknown, vars{"Number": t.flow.Number, "Operator": name})
		return false, nil
	}

	t.flow.OperatorID, t.flow.OperatorName = op.ID, op.Name
	t.flow.Detected, t.flow.Ported = true, detection.Ported
	return true, t.setCircle(ctx, detection.CircleCode, detection.CircleName)
}

// setCircle fills in the circle with code, named from the catalog when it is there.
func (t *turn) setCircle(ctx context.Context, code, name string) error {
	t.flow.CircleCode, t.flow.CircleName = code, name
	if code == "" {
		return nil
	}
	circle, err := t.e.store.Circle(ctx, code)
	switch {
	case err == nil:
		t.flow.CircleName = tidyName(circle.Name)
	case !errors.Is(err, models.ErrNotFound):
		return err
	}
	if t.flow.CircleName == "" {
		t.flow.CircleName = code
	}
	return nil
}

func enterAwaitingNumber(_ context.Context, t *turn) (string, error) {
	t.flow.reset()
	t.ask(msgAskNumber, nil, t.option(optCancel, "/cancel", nil))
	return "", nil
}

// inputAwaitingNumber understands nothing itself: a number is a shortcut everywhere.
func inputAwaitingNumber(context.Context, *turn, input) (string, error) {
	return "", errNotUnderstood
}

func enterConfirmingOperator(_ context.Context, t *turn) (string, error) {
	t.flow.Group, t.flow.Page = 0, 0
	if t.flow.CircleCode == "" {
		t.flow.CircleFrom = stateConfirmingOperator
		return evChangeCircle, nil
	}
	t.ask(msgConfirmOperator, vars{
		"Number": t.flow.Number, "Operator": t.flow.OperatorName, "Circle": t.flow.CircleName,
		"Ported": t.flow.Ported,
	},
		t.option(optShowPlans, dataShowPlans, nil),
		t.option(optTypeAmount, dataTypeAmount, nil),
		t.option(optChangeOperator, dataChangeOperator, nil),
		t.option(optChangeCircle, dataChangeCircle, nil),
		t.option(optCancel, "/cancel", nil),
	)
	return "", nil
}

func inputConfirmingOperator(ctx context.Context, t *turn, in input) (string, error) {
	switch in.data {
	case dataShowPlans:
		return evShowPlans, nil
	case dataTypeAmount:
		t.flow.AmountFrom = stateConfirmingOperator
		return evTypeAmount, nil
	case dataChangeOperator:
		return evChangeOperator, nil
	case dataChangeCircle:
		t.flow.CircleFrom = stateConfirmingOperator
		return evChangeCircle, nil
	case "":
		return t.typedAmount(ctx, in.text, "", stateEnteringAmount)
	}
	return "", errNotUnderstood
}

func enterChoosingOperator(ctx context.Context, t *turn) (string, error) {
	t.flow.Page = 0
	return t.listOperators(ctx, models.ServicePrepaid, msgChooseOperator)
}

// listOperators offers a page of the active operators of service, or ends the recharge when
// the catalog has none.
func (t *turn) listOperators(ctx context.Context, service string, key msgKey) (string, error) {
	ops, err := t.e.store.Operators(ctx, service, true)
	if err != nil {
		return "", err
	}
	if len(ops) == 0 {
		t.e.log.Warn("No active operators in the catalog", "service", service)
		t.say(msgNoOperators, nil)
		t.flow.reset()
		return evCancel, nil
	}

	shown, more := page(ops, t.flow.Page, listPageSize)
	options := make([]bot.Option, 0, len(shown)+2)
	for _, op := range shown {
		options = append(options, bot.Option{Label: op.Name, Data: dataOperator + op.ID})
	}
	options = t.listTail(options, more || t.flow.Page > 0)
	t.ask(key, vars{"Number": t.flow.Number}, options...)
	t.replaceMenu()
	return "", nil
}

// listTail appends More (when the list has other pages) and Back to a list's options.
func (t *turn) listTail(options []bot.Option, paged bool) []bot.Option {
	if paged {
		options = append(options, t.option(optMore, dataMore, nil))
	}
	return append(options, t.option(optBack, "/back", nil))
}

func inputChoosingOperator(ctx context.Context, t *turn, in input) (string, error) {
	op, ok, err := t.pickOperator(ctx, models.ServicePrepaid, in)
	if err != nil || !ok {
		return "", err
	}
	if in.data == dataMore {
		return "", nil
	}
	t.flow.OperatorID, t.flow.OperatorName = op.ID, op.Name
	t.flow.CircleFrom = stateChoosingOperator
	return evOperatorChosen, nil
}

// pickOperator returns the operator of service that the input chose by option or by name.
// For More it shows the next page and returns ok with a zero operator.
func (t *turn) pickOperator(ctx context.Context, service string, in input) (models.Operator, bool, error) {
	ops, err := t.e.store.Operators(ctx, service, true)
	if err != nil {
		return models.Operator{}, false, err
	}

	switch {
	case in.data == dataMore:
		t.flow.Page = nextPage(t.flow.Page, len(ops))
		key := msgChooseOperator
		if service == models.ServiceDTH {
			key = msgChooseDTH
		}
		_, err := t.listOperators(ctx, service, key)
		return models.Operator{}, true, err
	case strings.HasPrefix(in.data, dataOperator):
		id := strings.TrimPrefix(in.data, dataOperator)
		for _, op := range ops {
			if op.ID == id {
				return op, true, nil
			}
		}
		return models.Operator{}, false, errNotUnderstood
	case in.text != "":
		i, ok := findByName(len(ops), func(i int) []string { return []string{ops[i].Name} }, in.text)
		if ok {
			return ops[i], true, nil
		}
	}
	return models.Operator{}, false, errNotUnderstood
}

// nextPage returns the page after p of a list of n items, back to the first after the last.
func nextPage(p, n int) int {
	if (p+1)*listPageSize >= n {
		return 0
	}
	return p + 1
}

func enterChoosingCircle(ctx context.Context, t *turn) (string, error) {
	t.flow.Page = 0
	return "", t.listCircles(ctx)
}

func (t *turn) listCircles(ctx context.Context) error {
	circles, err := t.e.store.Circles(ctx)
	if err != nil {
		return err
	}
	if len(circles) == 0 {
		return fmt.Errorf("list circles: the catalog has none")
	}
	shown, more := page(circles, t.flow.Page, listPageSize)
	options := make([]bot.Option, 0, len(shown)+2)
	for _, c := range shown {
		options = append(options, bot.Option{Label: tidyName(c.Name), Data: dataCircle + c.Code})
	}
	options = t.listTail(options, more || t.flow.Page > 0)
	t.ask(msgChooseCircle, vars{"Number": t.flow.Number}, options...)
	t.replaceMenu()
	return nil
}

func inputChoosingCircle(ctx context.Context, t *turn, in input) (string, error) {
	circles, err := t.e.store.Circles(ctx)
	if err != nil {
		return "", err
	}

	var chosen models.Circle
	switch {
	case in.data == dataMore:
		t.flow.Page = nextPage(t.flow.Page, len(circles))
		return "", t.listCircles(ctx)
	case strings.HasPrefix(in.data, dataCircle):
		code := strings.TrimPrefix(in.data, dataCircle)
		i, ok := findByName(len(circles), func(i int) []string { return []string{circles[i].Code} }, code)
		if !ok {
			return "", errNotUnderstood
		}
		chosen = circles[i]
	case in.text != "":
		i, ok := findByName(len(circles), func(i int) []string { return []string{circles[i].Name, circles[i].Short} }, in.text)
		if !ok {
			return "", errNotUnderstood
		}
		chosen = circles[i]
	default:
		return "", errNotUnderstood
	}

	t.flow.CircleCode, t.flow.CircleName = chosen.Code, tidyName(chosen.Name)
	t.flow.Group, t.flow.Page = 0, 0
	if t.flow.TypedPaise > 0 {
		return t.takeTypedAmount(ctx)
	}
	return evShowPlans, nil
}

// takeTypedAmount uses the amount typed with the number once the operator and circle are
// chosen. It returns the event to the confirmation, or to entering_amount with the operator's
// range when the amount is outside it. "Back" from there returns to the circles.
func (t *turn) takeTypedAmount(ctx context.Context) (string, error) {
	paise := t.flow.TypedPaise
	t.flow.TypedPaise = 0
	t.flow.AmountFrom = stateChoosingCircle
	ok, err := t.takeAmount(ctx, paise, "", stateEnteringAmount)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return evAmountInvalid, nil
	}
	return evAmountKnown, nil
}

// tidyName writes a name KwikAPI sends in capitals ("ANDHRA PRADESH") with capital initials
// ("Andhra Pradesh"), keeping "and" in lower case; other names are left as they are.
func tidyName(name string) string {
	if name != strings.ToUpper(name) || name == strings.ToLower(name) {
		return name
	}
	words := strings.Fields(strings.ToLower(name))
	for i, w := range words {
		if w != "and" || i == 0 {
			r := []rune(w)
			words[i] = strings.ToUpper(string(r[:1])) + string(r[1:])
		}
	}
	return strings.Join(words, " ")
}

// findByName returns the index of the one item among n whose name (any of names(i)) equals
// text, ignoring case and punctuation, or else the one item whose name starts with text (at
// least 3 characters).
func findByName(n int, names func(i int) []string, text string) (int, bool) {
	typed := normalizeLabel(text)
	if typed == "" {
		return 0, false
	}
	for i := range n {
		for _, name := range names(i) {
			if normalizeLabel(name) == typed {
				return i, true
			}
		}
	}
	if len(typed) < 3 {
		return 0, false
	}
	found, matches := 0, 0
	for i := range n {
		for _, name := range names(i) {
			if strings.HasPrefix(normalizeLabel(name), typed) {
				found = i
				matches++
				break
			}
		}
	}
	return found, matches == 1
}
