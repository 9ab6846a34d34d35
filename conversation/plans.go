package conversation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// plansPerPage is how many plans one message offers.
const plansPerPage = 8

// maxPlanText bounds a plan description in a chat message and in the order.
const maxPlanText = 160

// rOfferOperators are the prepaid operators whose R-offers KwikAPI checks, by the operator ids
// of its catalog (Airtel 1, Vi 21). The subscriber's own offers are listed before the plans.
var rOfferOperators = map[string]bool{"1": true, "21": true}

// enterChoosingPlan shows the plans where the user left them, so "back" from the confirmation
// returns to the same page. The steps that choose an operator, circle or subscriber start the
// browsing afresh.
func enterChoosingPlan(ctx context.Context, t *turn) (string, error) {
	return "", t.showPlans(ctx)
}

// showPlans offers the plan groups, or a page of the plans of the group being browsed. When
// no plans can be loaded it requests a typed amount, which the state accepts anyway.
func (t *turn) showPlans(ctx context.Context) error {
	groups, err := t.planGroups(ctx)
	if err != nil || len(groups) == 0 {
		if err != nil {
			t.e.log.Warn("Loading plans failed", "user_id", t.user.ID, "opid", t.flow.OperatorID, "error", err)
		}
		t.ask(msgPlansUnavailable, vars{"Operator": t.flow.OperatorName},
			t.option(optBack, "/back", nil), t.option(optCancel, "/cancel", nil))
		return nil
	}
	if len(groups) == 1 {
		t.flow.Group = 1
	}
	if t.flow.Group < 1 || t.flow.Group > len(groups) {
		t.flow.Group = 0
		return t.showGroups(groups)
	}
	return t.showGroupPage(groups[t.flow.Group-1])
}

func (t *turn) showGroups(groups []kwik.PlanGroup) error {
	options := make([]bot.Option, 0, len(groups)+2)
	for i, g := range groups {
		options = append(options, bot.Option{Label: g.Name, Data: dataGroup + strconv.Itoa(i+1)})
	}
	options = append(options, t.option(optTypeAmount, dataTypeAmount, nil), t.option(optBack, "/back", nil))
	t.ask(msgPlanGroups, vars{"Operator": t.flow.OperatorName, "Circle": t.flow.CircleName}, options...)
	t.replaceMenu()
	return nil
}

// planLine is one plan as a page lists it.
type planLine struct {
	Label       string
	Description string
}

func (t *turn) showGroupPage(g kwik.PlanGroup) error {
	shown, more := page(g.Plans, t.flow.Page, plansPerPage)
	if len(shown) == 0 {
		t.flow.Page = 0
		shown, more = page(g.Plans, 0, plansPerPage)
	}

	lines := make([]planLine, 0, len(shown))
	options := make([]bot.Option, 0, len(shown)+3)
	for i, p := range shown {
		index := t.flow.Page*plansPerPage + i
		label := t.planLabel(p)
		lines = append(lines, planLine{Label: label, Description: clip(p.Description, maxPlanText)})
		data := dataPlan + strconv.Itoa(t.flow.Group) + ":" + strconv.Itoa(index) + ":" + strconv.FormatInt(p.AmountPaise, 10)
		options = append(options, bot.Option{Label: label, Data: data})
	}
	if more || t.flow.Page > 0 {
		options = append(options, t.option(optMore, dataMore, nil))
	}
	options = append(options, t.option(optTypeAmount, dataTypeAmount, nil), t.option(optBack, "/back", nil))

	t.ask(msgPlanPage, vars{
		"Group": g.Name, "Page": t.flow.Page + 1, "Pages": pages(len(g.Plans), plansPerPage), "Plans": lines,
	}, options...)
	t.replaceMenu()
	return nil
}

func inputChoosingPlan(ctx context.Context, t *turn, in input) (string, error) {
	switch {
	case in.data == dataTypeAmount:
		t.flow.AmountFrom = stateChoosingPlan
		return evTypeAmount, nil
	case in.data == dataMore:
		t.flow.Page++
		return "", t.showPlans(ctx)
	case strings.HasPrefix(in.data, dataGroup):
		n, err := strconv.Atoi(strings.TrimPrefix(in.data, dataGroup))
		if err != nil {
			return "", errNotUnderstood
		}
		t.flow.Group, t.flow.Page = n, 0
		return "", t.showPlans(ctx)
	case strings.HasPrefix(in.data, dataPlan):
		return t.choosePlan(ctx, strings.TrimPrefix(in.data, dataPlan))
	case in.text != "":
		return t.typedPlan(ctx, in.text)
	}
	return "", errNotUnderstood
}

// choosePlan takes the plan of option data "group:index:paise". When the list changed since
// it was shown, a plan of the same price is used instead, and without one the user chooses again.
func (t *turn) choosePlan(ctx context.Context, ref string) (string, error) {
	parts := strings.Split(ref, ":")
	if len(parts) != 3 {
		return "", errNotUnderstood
	}
	group, err1 := strconv.Atoi(parts[0])
	index, err2 := strconv.Atoi(parts[1])
	paise, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return "", errNotUnderstood
	}

	groups, err := t.planGroups(ctx)
	if err != nil {
		t.e.log.Warn("Loading plans failed", "user_id", t.user.ID, "opid", t.flow.OperatorID, "error", err)
	}
	plan, ok := planAt(groups, group, index)
	if !ok || plan.AmountPaise != paise {
		plan, ok = planByAmount(groups, group, paise)
	}
	if !ok {
		t.say(msgPlanChanged, nil)
		t.flow.Group, t.flow.Page = 0, 0
		return "", t.showPlans(ctx)
	}
	return t.takePlan(ctx, plan)
}

// typedPlan handles text in choosing_plan: an amount (the plan of that price when there is
// one) or the name of a group.
func (t *turn) typedPlan(ctx context.Context, text string) (string, error) {
	groups, err := t.planGroups(ctx)
	if err != nil {
		groups = nil
	}
	if paise, err := parseAmount(text); err == nil {
		if plan, ok := planByAmount(groups, t.flow.Group, paise); ok {
			return t.takePlan(ctx, plan)
		}
		return t.typedAmount(ctx, text, "", stateChoosingPlan)
	}
	i, ok := findByName(len(groups), func(i int) []string { return []string{groups[i].Name} }, text)
	if !ok {
		return "", errNotUnderstood
	}
	t.flow.Group, t.flow.Page = i+1, 0
	return "", t.showPlans(ctx)
}

func (t *turn) takePlan(ctx context.Context, plan kwik.Plan) (string, error) {
	ok, err := t.takeAmount(ctx, plan.AmountPaise, t.planText(plan), stateChoosingPlan)
	if err != nil {
		return "", err
	}
	if !ok {
		t.flow.AmountFrom = stateChoosingPlan
		return evTypeAmount, nil
	}
	return evAmountChosen, nil
}

// planAt returns plan index of group (from 1).
func planAt(groups []kwik.PlanGroup, group, index int) (kwik.Plan, bool) {
	if group < 1 || group > len(groups) || index < 0 || index >= len(groups[group-1].Plans) {
		return kwik.Plan{}, false
	}
	return groups[group-1].Plans[index], true
}

// planByAmount returns a plan of price paise, from group (from 1) when it has one, else from
// any group.
func planByAmount(groups []kwik.PlanGroup, group int, paise int64) (kwik.Plan, bool) {
	if group >= 1 && group <= len(groups) {
		for _, p := range groups[group-1].Plans {
			if p.AmountPaise == paise {
				return p, true
			}
		}
	}
	for _, g := range groups {
		for _, p := range g.Plans {
			if p.AmountPaise == paise {
				return p, true
			}
		}
	}
	return kwik.Plan{}, false
}

// planGroups returns the plan groups of the flow's operator (and circle), with the
// subscriber's R-offers first where KwikAPI has them, without first-recharge groups and
// empty groups. Lists come from the plan cache when fresh.
func (t *turn) planGroups(ctx context.Context) ([]kwik.PlanGroup, error) {
	var list kwik.PlanList
	var err error
	if t.flow.Kind == models.KindDTH {
		list, err = cached(ctx, t, "dth:"+t.flow.OperatorID, func() (kwik.PlanList, error) {
			return t.e.kwik.DTHPlans(ctx, t.flow.OperatorID)
		})
	} else {
		list, err = cached(ctx, t, "plans:"+t.flow.OperatorID+":"+t.flow.CircleCode, func() (kwik.PlanList, error) {
			return t.e.kwik.Plans(ctx, t.flow.OperatorID, t.flow.CircleCode)
		})
	}
	if err != nil {
		return nil, err
	}

	var groups []kwik.PlanGroup
	if offers := t.offers(ctx); len(offers.Plans) > 0 {
		groups = append(groups, offers)
	}
	for _, g := range list.Groups {
		if g = usablePlans(g); len(g.Plans) > 0 {
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// offers returns the subscriber's R-offers as a plan group, or an empty group where there
// are none or they cannot be loaded: offers are a bonus, never a reason to fail.
func (t *turn) offers(ctx context.Context) kwik.PlanGroup {
	group := kwik.PlanGroup{Name: t.text(msgOffersGroup, nil)}
	if t.flow.Kind == models.KindDTH || !rOfferOperators[t.flow.OperatorID] {
		return group
	}
	sum := sha256.Sum256([]byte(t.flow.Number))
	key := "roffers:" + t.flow.OperatorID + ":" + hex.EncodeToString(sum[:8])
	offers, err := cached(ctx, t, key, func() ([]kwik.Offer, error) {
		return t.e.kwik.ROffers(ctx, t.flow.OperatorID, t.flow.Number)
	})
	if err != nil {
		t.e.log.Debug("Loading R-offers failed", "user_id", t.user.ID, "opid", t.flow.OperatorID, "error", err)
		return group
	}
	for _, o := range offers {
		description := o.Text
		if description == "" {
			description = o.Short
		}
		group.Plans = append(group.Plans, kwik.Plan{
			Type: "R-offer", AmountPaise: o.AmountPaise, Validity: o.Validity, Description: description,
		})
	}
	return usablePlans(group)
}

// cached returns the value stored in the plan cache under key when it is fresher than
// PlanCacheAge, else fetches and stores it. A cache that cannot be read or written only
// costs a fetch.
func cached[T any](ctx context.Context, t *turn, key string, fetch func() (T, error)) (T, error) {
	var value T
	if data, err := t.e.store.CachedPlans(ctx, key, t.e.cfg.PlanCacheAge); err == nil {
		if json.Unmarshal(data, &value) == nil {
			return value, nil
		}
	}

	value, err := fetch()
	if err != nil {
		return value, err
	}
	if data, err := json.Marshal(value); err == nil {
		if err := t.e.store.StorePlans(ctx, key, data); err != nil {
			t.e.log.Warn("Caching plans failed", "error", err)
		}
	}
	return value, nil
}

// usablePlans drops plans without a price, and whole groups of first-recharge (FRC) plans,
// which KwikAPI lists but existing subscribers cannot buy.
func usablePlans(g kwik.PlanGroup) kwik.PlanGroup {
	name := strings.ToLower(g.Name)
	if strings.Contains(name, "frc") || strings.Contains(name, "first recharge") {
		return kwik.PlanGroup{Name: g.Name}
	}
	plans := make([]kwik.Plan, 0, len(g.Plans))
	for _, p := range g.Plans {
		if p.AmountPaise > 0 && p.AmountPaise <= maxAmountPaise {
			plans = append(plans, p)
		}
	}
	return kwik.PlanGroup{Name: g.Name, Plans: plans}
}

// planLabel is the short name of a plan: its price and validity, "₹199 · 28 days".
func (t *turn) planLabel(p kwik.Plan) string {
	validity := strings.TrimSpace(p.Validity)
	if validity == "" || strings.EqualFold(validity, "na") {
		return formatRupees(p.AmountPaise)
	}
	if allDigits(validity) {
		validity = t.text(msgDays, vars{"N": validity})
	}
	return formatRupees(p.AmountPaise) + " · " + validity
}

// planText describes a plan for the confirmation and the order.
func (t *turn) planText(p kwik.Plan) string {
	text := t.planLabel(p)
	if d := strings.TrimSpace(p.Description); d != "" {
		text += ", " + d
	}
	return clip(text, maxPlanText)
}

// clip shortens s to at most n characters, ending in "…" when it cut.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:n-1])) + "…"
}
