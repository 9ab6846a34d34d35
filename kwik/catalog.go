package kwik

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Category is one service category, such as Prepaid, DTH or Electricity.
type Category struct {
	Name           string
	TotalOperators int
}

// Operator is one biller of the catalog.
type Operator struct {
	ID      string
	Name    string
	Service string
	// Active is true when KwikAPI lists the biller as enabled (status "1" and biller_status
	// "on"); an inactive operator must not be offered. A missing field counts as enabled.
	Active            bool
	BillFetch         bool
	SupportValidation string
	BBPS              bool
	MinPaise          int64
	MaxPaise          int64
	Message           string
	Description       string
}

// OperatorDetail is an operator with the labels of the parameters a payment needs.
type OperatorDetail struct {
	Operator
	// Params holds the non-empty parameter labels in order, such as "Consumer Number".
	Params []string
}

// Circle is a telecom circle (a region), such as code "1", name "DELHI", short "DL".
type Circle struct {
	Code  string
	Name  string
	Short string
}

// Categories returns the service categories.
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	var out []Category
	err := c.read(ctx, request{ep: EndpointCategories}, into(&out, decodeCategories))
	return out, err
}

func decodeCategories(body []byte) ([]Category, error) {
	o, err := replyObject(body, "status", "STATUS")
	if err != nil {
		return nil, err
	}
	items, ok := o.list("categories", "response", "data")
	if !ok {
		return nil, badShape("categories list is missing")
	}
	out := make([]Category, 0, len(items))
	for _, item := range objects(items) {
		name := item.text("service_name", "name", "category")
		if name == "" {
			continue
		}
		out = append(out, Category{Name: name, TotalOperators: item.integer("total_operators", "total")})
	}
	return out, nil
}

// maxOperatorPages bounds paging in case a server ignores the page parameter.
const maxOperatorPages = 200

// Operators returns the billers of a service category ("" for all), reading every page until
// an empty one. Each page is one HTTP call.
func (c *Client) Operators(ctx context.Context, service string) ([]Operator, error) {
	var all []Operator
	seen := map[string]bool{}
	for page := 1; page <= maxOperatorPages; page++ {
		params := url.Values{"page": {strconv.Itoa(page)}}
		if service != "" {
			params.Set("service", service)
		}

		var batch []Operator
		err := c.read(ctx, request{ep: EndpointOperators, params: params}, into(&batch, decodeOperatorPage))
		if err != nil {
			return nil, err
		}

		fresh := 0
		for _, op := range batch {
			if !seen[op.ID] {
				seen[op.ID] = true
				all = append(all, op)
				fresh++
			}
		}
		if fresh == 0 {
			// An empty page ends the list; a page of repeats means the server ignores paging.
			return all, nil
		}
	}
	return all, nil
}

func decodeOperatorPage(body []byte) ([]Operator, error) {
	if items, err := decodeList(body); err == nil {
		return decodeOperators(objects(items)), nil
	}
	o, err := replyObject(body, "STATUS", "status")
	if err != nil {
		return nil, err
	}
	items, ok := o.list("response", "operators", "data")
	if !ok {
		if _, present := o.value("response"); present {
			return nil, badShape("operator list is not an array")
		}
		return nil, nil
	}
	return decodeOperators(objects(items)), nil
}

func decodeOperators(items []object) []Operator {
	out := make([]Operator, 0, len(items))
	for _, item := range items {
		if op, ok := decodeOperator(item); ok {
			out = append(out, op)
		}
	}
	return out
}

// decodeOperator reads one biller; ok is false when it has no id. A malformed amount reads as 0.
func decodeOperator(o object) (Operator, bool) {
	op := Operator{
		ID:                o.text("operator_id", "opid", "id"),
		Name:              o.text("operator_name", "name", "provider"),
		Service:           o.text("service_type", "service", "service_name"),
		BillFetch:         o.flag("bill_fetch", "bill_fetch_supported", "billFetch"),
		SupportValidation: o.text("supportValidation", "support_validation"),
		BBPS:              o.flag("bbps_enabled", "bbps"),
		Message:           o.text("message"),
		Description:       o.text("description", "desc"),
	}
	if op.ID == "" {
		return Operator{}, false
	}
	op.MinPaise, _ = o.paise("amount_minimum", "min_amount", "minimum_amount")
	op.MaxPaise, _ = o.paise("amount_maximum", "max_amount", "maximum_amount")

	active := true
	if s, ok := exactText(o, "status"); ok && s != "" && s != "1" && !strings.EqualFold(s, "active") && !strings.EqualFold(s, "SUCCESS") {
		active = false
	}
	if s := o.text("biller_status"); s != "" && !truthy(s) {
		active = false
	}
	op.Active = active
	return op, true
}

// exactText reads a key with its exact casing only.
func exactText(o object, key string) (string, bool) {
	v, ok := o[key]
	if !ok || isNull(v) {
		return "", false
	}
	return rawText(v), true
}

// OperatorDetails returns the details of the given operators in one call (ids joined by "#").
// An id KwikAPI does not return is left out.
func (c *Client) OperatorDetails(ctx context.Context, ids []string) ([]OperatorDetail, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	params := url.Values{"opid": {strings.Join(ids, "#")}}

	var out []OperatorDetail
	err := c.read(ctx, request{ep: EndpointOperatorDetails, params: params}, into(&out, decodeOperatorDetails))
	return out, err
}

// decodeOperatorDetails reads one detail object or an array of them. In a detail object
// "STATUS" is the call's status and "status" the biller's ("1" or "0").
func decodeOperatorDetails(body []byte) ([]OperatorDetail, error) {
	var items []object
	if list, err := decodeList(body); err == nil {
		items = objects(list)
	} else {
		o, err := decodeObject(body)
		if err != nil {
			return nil, badShape("want a JSON object or array: %v", err)
		}
		switch inner, nested := o.list("response", "data", "operators"); {
		case o.text("operator_id", "opid") != "":
			items = []object{o}
		case nested:
			items = objects(inner)
		default:
			if err := checkReply(o, "STATUS", "status"); err != nil {
				return nil, err
			}
			return nil, badShape("operator details are missing")
		}
	}

	out := make([]OperatorDetail, 0, len(items))
	for _, item := range items {
		if len(items) == 1 {
			if err := checkReply(item, "STATUS"); err != nil {
				return nil, err
			}
		}
		if readFailure(item, "STATUS").failed {
			continue
		}
		if op, ok := decodeOperator(item); ok {
			out = append(out, OperatorDetail{Operator: op, Params: decodeParams(item)})
		}
	}
	return out, nil
}

// decodeParams reads parameter labels from "parameters" ([{"opt1/param1": "Consumer Number"}])
// or "required_params" (strings or objects), skipping empty labels.
func decodeParams(o object) []string {
	var labels []string
	for _, key := range []string{"parameters", "required_params", "params"} {
		items, ok := o.list(key)
		if !ok {
			continue
		}
		for _, item := range items {
			labels = append(labels, paramLabels(item)...)
		}
		if len(labels) > 0 {
			return labels
		}
	}
	return labels
}

func paramLabels(item json.RawMessage) []string {
	if s := rawText(item); s != "" {
		return []string{s}
	}
	members, err := decodeOrdered(item)
	if err != nil {
		return nil
	}
	var labels []string
	for _, m := range members {
		if s := rawText(m.Value); s != "" && !slices.Contains(labels, s) {
			labels = append(labels, s)
		}
	}
	return labels
}

// Circles returns the telecom circles.
func (c *Client) Circles(ctx context.Context) ([]Circle, error) {
	var out []Circle
	err := c.read(ctx, request{ep: EndpointCircles}, into(&out, decodeCircles))
	return out, err
}

func decodeCircles(body []byte) ([]Circle, error) {
	var items []object
	if list, err := decodeList(body); err == nil {
		items = objects(list)
	} else {
		o, err := replyObject(body, "status", "STATUS")
		if err != nil {
			return nil, err
		}
		list, ok := o.list("response", "circles", "data")
		if !ok {
			return nil, badShape("circle list is missing")
		}
		items = objects(list)
	}

	out := make([]Circle, 0, len(items))
	for _, item := range items {
		code := item.text("circle_code", "code", "state_code")
		if code == "" {
			continue
		}
		name, short := splitCircleName(item.text("circle_name", "name", "state_name"))
		out = append(out, Circle{Code: code, Name: name, Short: short})
	}
	return out, nil
}

// splitCircleName splits "DELHI (DL)" into "DELHI" and "DL".
func splitCircleName(s string) (name, short string) {
	open := strings.LastIndex(s, "(")
	if open < 0 || !strings.HasSuffix(s, ")") {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:open]), strings.TrimSpace(s[open+1 : len(s)-1])
}
