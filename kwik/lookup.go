package kwik

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// Detection is the operator and circle KwikAPI reports for a mobile number, portability included.
type Detection struct {
	OperatorID   string
	OperatorName string
	CircleCode   string
	CircleName   string
	Ported       bool
}

// PlanList is the plans of one operator (and circle), in groups named by KwikAPI.
type PlanList struct {
	Operator string
	Circle   string
	Message  string
	Groups   []PlanGroup
}

// PlanGroup is one named group of plans, such as "Data" or "3G/4G"; names are free text.
type PlanGroup struct {
	Name  string
	Plans []Plan
}

// Plan is one recharge plan.
type Plan struct {
	Type        string
	AmountPaise int64
	Validity    string
	Description string
}

// Offer is a special offer (R-offer) for one subscriber.
type Offer struct {
	AmountPaise int64
	Text        string
	Short       string
	Validity    string
}

// Detect returns the operator and circle of a 10-digit mobile number, aware of number portability.
func (c *Client) Detect(ctx context.Context, number string) (Detection, error) {
	if err := checkDigits("number", number, 10, 10); err != nil {
		return Detection{}, &APIError{Endpoint: EndpointDetect, Message: err.Error(), Kind: ErrInvalidParams}
	}

	var out Detection
	req := request{ep: EndpointDetect, params: url.Values{"number": {number}}, number: number}
	err := c.read(ctx, req, into(&out, decodeDetection))
	return out, err
}

// decodeDetection reads the nested {"details": {...}} shape or the guide's flat one.
func decodeDetection(body []byte) (Detection, error) {
	o, err := replyObject(body, "status", "STATUS")
	if err != nil {
		return Detection{}, err
	}
	fields := o
	if details, ok := o.child("details", "response", "data"); ok {
		fields = details
	}
	out := Detection{
		OperatorID:   fields.text("opid", "operator_id", "operator_code"),
		OperatorName: fields.text("operator_name", "provider", "operator"),
		CircleCode:   fields.text("circle_code", "state_code"),
		Ported:       fields.flag("is_ported", "ported") || o.flag("is_ported", "ported"),
	}
	out.CircleName, _ = splitCircleName(fields.text("circle_name", "circle", "state_name"))
	if out.OperatorID == "" {
		return Detection{}, badShape("operator id is missing")
	}
	return out, nil
}

// Plans returns the mobile plans of an operator in a circle.
func (c *Client) Plans(ctx context.Context, opid, circleCode string) (PlanList, error) {
	params := url.Values{"opid": {opid}, "state_code": {circleCode}}
	return c.plans(ctx, request{ep: EndpointPlans, params: params})
}

// DTHPlans returns the DTH plans of an operator.
func (c *Client) DTHPlans(ctx context.Context, opid string) (PlanList, error) {
	return c.plans(ctx, request{ep: EndpointDTHPlans, params: url.Values{"opid": {opid}}})
}

func (c *Client) plans(ctx context.Context, req request) (PlanList, error) {
	var out PlanList
	err := c.read(ctx, req, into(&out, decodePlanList))
	return out, err
}

func decodePlanList(body []byte) (PlanList, error) {
	o, err := replyObject(body, "status", "STATUS")
	if err != nil {
		return PlanList{}, err
	}
	out := PlanList{
		Operator: o.text("operator"),
		Circle:   o.text("circle"),
		Message:  o.text("message"),
	}

	raw, ok := o.value("plans", "records", "data")
	if !ok {
		return out, nil
	}
	if list, err := decodeList(raw); err == nil {
		out.Groups = groupByType(list)
		return out, nil
	}
	members, err := decodeOrdered(raw)
	if err != nil {
		return PlanList{}, badShape("plans are neither an object nor an array")
	}
	for _, m := range members {
		list, err := decodeList(m.Value)
		if err != nil {
			continue
		}
		group := PlanGroup{Name: strings.TrimSpace(m.Key), Plans: decodePlans(list, m.Key)}
		if len(group.Plans) > 0 {
			out.Groups = append(out.Groups, group)
		}
	}
	return out, nil
}

// groupByType groups a flat plan list by each plan's Type, in order of first appearance.
func groupByType(list []json.RawMessage) []PlanGroup {
	var groups []PlanGroup
	index := map[string]int{}
	for _, plan := range decodePlans(list, "") {
		name := plan.Type
		if name == "" {
			name = "Plans"
		}
		i, ok := index[name]
		if !ok {
			i = len(groups)
			index[name] = i
			groups = append(groups, PlanGroup{Name: name})
		}
		groups[i].Plans = append(groups[i].Plans, plan)
	}
	return groups
}

// decodePlans reads plans, skipping any without a positive price. A DTH plan whose "rs" is an
// object of prices by duration ({"1 MONTHS": "153", "3 MONTHS": "459"}) becomes one plan per duration.
func decodePlans(list []json.RawMessage, groupName string) []Plan {
	var plans []Plan
	for _, item := range objects(list) {
		base := Plan{
			Type:        item.text("Type", "type"),
			Validity:    item.text("validity", "Validity"),
			Description: item.text("desc", "description", "plan_name"),
		}
		if base.Type == "" {
			base.Type = groupName
		}

		raw, _ := item.value("rs", "amount", "price")
		if durations, err := decodeOrdered(raw); err == nil {
			for _, d := range durations {
				var p Paise
				if p.UnmarshalJSON(d.Value) == nil && p > 0 {
					plan := base
					plan.AmountPaise = int64(p)
					plan.Validity = strings.TrimSpace(d.Key)
					plans = append(plans, plan)
				}
			}
			continue
		}
		var p Paise
		if p.UnmarshalJSON(raw) == nil && p > 0 {
			base.AmountPaise = int64(p)
			plans = append(plans, base)
		}
	}
	return plans
}

// ROffers returns the special offers for a mobile number (KwikAPI has them for Airtel and Vi).
func (c *Client) ROffers(ctx context.Context, opid, mobile string) ([]Offer, error) {
	if err := checkDigits("mobile", mobile, 10, 10); err != nil {
		return nil, &APIError{Endpoint: EndpointROffers, Message: err.Error(), Kind: ErrInvalidParams}
	}

	var out []Offer
	req := request{ep: EndpointROffers, params: url.Values{"opid": {opid}, "mobile": {mobile}}, number: mobile}
	err := c.read(ctx, req, into(&out, decodeOffers))
	return out, err
}

// decodeOffers reads R-offers, skipping any without a positive price.
func decodeOffers(body []byte) ([]Offer, error) {
	o, err := replyObject(body, "status", "STATUS")
	if err != nil {
		return nil, err
	}
	list, _ := o.list("offers", "records", "data")
	out := make([]Offer, 0, len(list))
	for _, item := range objects(list) {
		amount, err := item.paise("price", "rs", "amount")
		if err != nil || amount <= 0 {
			continue
		}
		out = append(out, Offer{
			AmountPaise: amount,
			Text:        item.text("ofrtext", "desc", "description"),
			Short:       item.text("logdesc", "short"),
			Validity:    item.text("validity"),
		})
	}
	return out, nil
}
