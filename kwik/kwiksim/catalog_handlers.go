package kwiksim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/kwik"
)

func (s *Simulator) handleCategories(w http.ResponseWriter) {
	s.mu.Lock()
	var names []string
	counts := map[string]int{}
	for _, op := range s.operators {
		if _, ok := counts[op.Service]; !ok {
			names = append(names, op.Service)
		}
		counts[op.Service]++
	}
	limit, used := s.limits[kwik.EndpointCategories], s.used[kwik.EndpointCategories]
	s.mu.Unlock()

	order := []string{ServicePrepaid, ServiceDTH, ServicePostpaid, ServiceElectricity, ServiceGas}
	slices.SortStableFunc(names, func(a, b string) int { return rank(order, a) - rank(order, b) })

	categories := make([]map[string]any, 0, len(names))
	for _, name := range names {
		categories = append(categories, map[string]any{"service_name": name, "total_operators": counts[name]})
	}
	reply := map[string]any{
		"success": true, "status": "SUCCESS", "message": "Service categories fetched successfully",
		"total": len(categories), "categories": categories,
	}
	if limit > 0 {
		reply["rate_limit"] = map[string]any{"limit": limit, "used": used, "remaining": max(limit-used, 0)}
	}
	writeJSON(w, http.StatusOK, reply)
}

func rank(order []string, name string) int {
	if i := slices.Index(order, name); i >= 0 {
		return i
	}
	return len(order)
}

// handleOperators serves one page of billers; a page past the end is an empty list. Pages
// after the first leave out the top-level status, as older replies do.
func (s *Simulator) handleOperators(w http.ResponseWriter, form url.Values) {
	page, err := strconv.Atoi(form.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	service := strings.TrimSpace(form.Get("service"))

	s.mu.Lock()
	var matching []Operator
	for _, op := range s.operators {
		if service == "" || strings.EqualFold(op.Service, service) {
			matching = append(matching, op)
		}
	}
	s.mu.Unlock()

	start := min((page-1)*s.pageSize, len(matching))
	end := min(start+s.pageSize, len(matching))
	items := make([]map[string]any, 0, end-start)
	for _, op := range matching[start:end] {
		items = append(items, operatorFields(op))
	}

	reply := map[string]any{"response": items}
	if page == 1 {
		reply["status"] = "SUCCESS"
	}
	writeJSON(w, http.StatusOK, reply)
}

// operatorFields returns a biller as operator_codes.php lists it. DTH amounts go out as JSON
// numbers, every other amount as a string.
func operatorFields(op Operator) map[string]any {
	status, billerStatus := "1", "on"
	if op.Inactive {
		status = "0"
	}
	if op.BillerOff {
		billerStatus = "off"
	}
	fields := map[string]any{
		"operator_name": op.Name, "operator_id": op.ID, "service_type": op.Service,
		"status": status, "biller_status": billerStatus, "bill_fetch": yesNo(op.BillFetch),
		"supportValidation": op.SupportValidation, "bbps_enabled": yesNo(op.BBPS),
		"message": op.Message, "description": op.Description,
		"amount_minimum": kwik.FormatAmount(op.MinPaise), "amount_maximum": kwik.FormatAmount(op.MaxPaise),
	}
	if op.Service == ServiceDTH {
		fields["amount_minimum"], fields["amount_maximum"] = number(op.MinPaise), number(op.MaxPaise)
	}
	return fields
}

// handleOperatorDetails returns one object for one opid and an array for a "#"-joined batch.
func (s *Simulator) handleOperatorDetails(w http.ResponseWriter, form url.Values) {
	ids := strings.Split(form.Get("opid"), "#")

	s.mu.Lock()
	var details []map[string]any
	for _, id := range ids {
		if i := s.operatorIndex(strings.TrimSpace(id)); i >= 0 {
			details = append(details, operatorDetail(s.operators[i]))
		}
	}
	s.mu.Unlock()

	switch {
	case len(details) == 0:
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "STATUS": "FAILED", "message": "Invalid operator id"})
	case len(ids) == 1:
		writeJSON(w, http.StatusOK, details[0])
	default:
		writeJSON(w, http.StatusOK, details)
	}
}

func operatorDetail(op Operator) map[string]any {
	fields := operatorFields(op)
	fields["success"] = true
	fields["STATUS"] = "SUCCESS"

	params := make([]map[string]string, 0, len(op.Params))
	for i, label := range op.Params {
		key := "opt" + strconv.Itoa(i+1) + "/param" + strconv.Itoa(i+1)
		params = append(params, map[string]string{key: label})
	}
	fields["parameters"] = params
	return fields
}

func (s *Simulator) handleCircles(w http.ResponseWriter) {
	circles := s.Circles()
	items := make([]map[string]string, 0, len(circles))
	for _, c := range circles {
		items = append(items, map[string]string{"circle_name": c.Name, "circle_code": c.Code})
	}
	writeJSON(w, http.StatusOK, map[string]any{"response": items})
}

// handleDetect reports a number's operator and circle. A ported number gets the integration
// guide's flat shape with is_ported. Other numbers get the nested "details" shape when their
// last digit is even, and the flat shape when it is odd.
func (s *Simulator) handleDetect(w http.ResponseWriter, form url.Values) {
	mobile := form.Get("number")
	if !validMobile(mobile) {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "Invalid mobile number"})
		return
	}

	sc := s.scenario(mobile)
	opid, circle := prefixOperator(mobile), prefixCircle(mobile)
	ported := sc.DetectAs != "" && sc.DetectAs != opid
	if sc.DetectAs != "" {
		opid = sc.DetectAs
	}
	if sc.DetectCircle != "" {
		circle = sc.DetectCircle
	}
	op, _ := s.Operator(opid)
	circleName := s.circleName(circle)

	if !ported && (mobile[len(mobile)-1]-'0')%2 == 0 {
		writeJSON(w, http.StatusOK, map[string]any{
			"success": true, "message": nil, "credit_balance": "499",
			"details": map[string]any{"provider": op.Name, "opid": opid, "circle_code": circle, "circle_name": circleName},
		})
		return
	}
	circleCode, _ := strconv.Atoi(circle)
	writeJSON(w, http.StatusOK, map[string]any{
		"opid": opid, "operator_name": op.Name, "circle_code": circleCode, "circle_name": circleName, "is_ported": ported,
	})
}

func (s *Simulator) circleName(code string) string {
	for _, c := range s.Circles() {
		if c.Code == code {
			return c.Name
		}
	}
	return ""
}

// scenario returns the scripted scenario of a number, or its magic-number default.
func (s *Simulator) scenario(number string) Scenario {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc, ok := s.scripts[number]; ok {
		return sc
	}
	return magicScenario(number)
}

func validMobile(number string) bool {
	return len(number) == 10 && allDigits(number) && number[0] >= '6'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (s *Simulator) handlePlans(w http.ResponseWriter, form url.Values) {
	op, ok := s.Operator(form.Get("opid"))
	circle := s.circleName(form.Get("state_code"))
	if !ok || op.Service != ServicePrepaid || circle == "" {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "Invalid operator or state code"})
		return
	}

	message := ""
	if op.ID == OpIdea || op.ID == OpVi {
		message = "Ignore FRC plans."
	}
	name, _, _ := strings.Cut(circle, " (")
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true, "operator": op.Provider, "circle": strings.ToUpper(name),
		"message": message, "plans": mobilePlans(op.ID),
	})
}

func (s *Simulator) handleDTHPlans(w http.ResponseWriter, form url.Values) {
	op, ok := s.Operator(form.Get("opid"))
	if !ok || op.Service != ServiceDTH {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "Invalid operator: not a DTH operator"})
		return
	}
	brand, _, _ := strings.Cut(op.Name, " (")
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true, "operator": op.Provider, "message": "", "plans": dthPlans(op.ID, brand),
	})
}

// handleROffers returns offers for Airtel and Vi, and an empty list for other operators.
func (s *Simulator) handleROffers(w http.ResponseWriter, form url.Values) {
	mobile := form.Get("mobile")
	op, ok := s.Operator(form.Get("opid"))
	if !ok || !validMobile(mobile) {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "Invalid operator or mobile number"})
		return
	}
	if op.ID != OpAirtel && op.ID != OpVi {
		writeJSON(w, http.StatusOK, map[string]any{
			"success": true, "operator": op.Provider, "mobile_no": mobile,
			"message": "R-Offer is available for Airtel and Vi only", "offers": []offer{},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true, "operator": op.Provider, "mobile_no": mobile,
		"message": "Offer Successfully Checked", "offers": offersFor(mobile),
	})
}
