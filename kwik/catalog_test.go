package kwik_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/kwik"
)

func TestCategories(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []kwik.Category
	}{
		{
			name: "documented sample",
			body: `{ "success": true, "status": "SUCCESS", "message": "Service categories fetched successfully", "total": 3,
			  "categories": [ { "service_name": "Prepaid", "total_operators": 32 },
			                  { "service_name": "DTH", "total_operators": 17 },
			                  { "service_name": "Electricity", "total_operators": 127 } ],
			  "rate_limit": { "limit": 10, "used": 1, "remaining": 9 } }`,
			want: []kwik.Category{{"Prepaid", 32}, {"DTH", 17}, {"Electricity", 127}},
		},
		{
			name: "counts as strings, STATUS, no rate limit, extra fields",
			body: `{"STATUS": "SUCCESS", "categories": [{"service_name": "Prepaid", "total_operators": "4", "icon": "x.png"}, {"service_name": "Gas"}]}`,
			want: []kwik.Category{{"Prepaid", 4}, {"Gas", 0}},
		},
		{
			name: "empty list",
			body: `{"success": true, "categories": []}`,
			want: []kwik.Category{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointCategories, nil, jsonReply(tt.body))
			got, err := c.Categories(t.Context())
			if err != nil {
				t.Fatalf("Categories: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Categories mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCategoriesMissingListIsBadResponse(t *testing.T) {
	c := endpointClient(t, kwik.EndpointCategories, nil, jsonReply(`{"success": true}`))
	if _, err := c.Categories(t.Context()); !errorIs(err, kwik.ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
}

const airtelBiller = `{ "operator_name": "Airtel", "operator_id": "1", "service_type": "Prepaid",
	"status": "1", "biller_status": "on", "bill_fetch": "NO",
	"supportValidation": "NOT_SUPPORTED", "bbps_enabled": "NO",
	"message": "", "description": "",
	"amount_minimum": "10", "amount_maximum": "10000" }`

var airtel = kwik.Operator{
	ID: "1", Name: "Airtel", Service: "Prepaid", Active: true,
	SupportValidation: "NOT_SUPPORTED", MinPaise: 1000, MaxPaise: 1000000,
}

// pagedOperators serves operator_codes.php from pages (page 1 first); later pages are empty.
func pagedOperators(t *testing.T, service string, pages ...string) (*httptest.Server, *[]int) {
	t.Helper()
	route, _ := kwik.EndpointOperators.Route()
	var mu sync.Mutex
	var requested []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := url.Values{}
		if service != "" {
			want.Set("service", service)
		}
		checkRequest(t, r, route, want)
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			t.Errorf("page = %q, want a number", r.URL.Query().Get("page"))
		}
		mu.Lock()
		requested = append(requested, page)
		mu.Unlock()
		if page >= 1 && page <= len(pages) {
			writeReply(w, jsonReply(pages[page-1]))
			return
		}
		writeReply(w, jsonReply(`{"status": "SUCCESS", "response": []}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &requested
}

func TestOperatorsReadsEveryPage(t *testing.T) {
	srv, requested := pagedOperators(t, "Prepaid",
		`{ "status": "SUCCESS", "response": [ `+airtelBiller+` ] }`,
		`{ "response": [ { "operator_name": "Vodafone (Vi)", "operator_id": 21, "service_type": "Prepaid",
		   "status": 1, "biller_status": "ON", "bill_fetch": "YES", "bbps_enabled": true,
		   "amount_minimum": 10, "amount_maximum": 5000.5, "new_field": [1, 2] } ] }`,
	)
	got, err := newClient(t, srv).Operators(t.Context(), "Prepaid")
	if err != nil {
		t.Fatalf("Operators: %v", err)
	}

	vi := kwik.Operator{ID: "21", Name: "Vodafone (Vi)", Service: "Prepaid", Active: true, BillFetch: true, BBPS: true, MinPaise: 1000, MaxPaise: 500050}
	if diff := cmp.Diff([]kwik.Operator{airtel, vi}, got); diff != "" {
		t.Errorf("Operators mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, *requested); diff != "" {
		t.Errorf("pages requested mismatch (-want +got):\n%s", diff)
	}
}

func TestOperatorsActiveFlags(t *testing.T) {
	srv, _ := pagedOperators(t, "", `{"response": [
		{"operator_id": "5", "operator_name": "off by status", "status": "0", "biller_status": "on"},
		{"operator_id": "6", "operator_name": "off by biller", "status": "1", "biller_status": "off"},
		{"operator_id": "7", "operator_name": "no flags"},
		{"operator_name": "no id is skipped"}
	]}`)
	got, err := newClient(t, srv).Operators(t.Context(), "")
	if err != nil {
		t.Fatalf("Operators: %v", err)
	}
	active := map[string]bool{}
	for _, op := range got {
		active[op.ID] = op.Active
	}
	if diff := cmp.Diff(map[string]bool{"5": false, "6": false, "7": true}, active); diff != "" {
		t.Errorf("Active mismatch (-want +got):\n%s", diff)
	}
}

func TestOperatorsStopsWhenServerIgnoresPage(t *testing.T) {
	route, _ := kwik.EndpointOperators.Route()
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, route, nil)
		calls++
		writeReply(w, jsonReply(`{"response": [`+airtelBiller+`]}`))
	}))
	t.Cleanup(srv.Close)

	got, err := newClient(t, srv).Operators(t.Context(), "")
	if err != nil || len(got) != 1 {
		t.Fatalf("Operators = %v, %v; want Airtel once", got, err)
	}
	if calls != 2 {
		t.Errorf("calls = %d, want 2 (the second page repeats the first)", calls)
	}
}

func TestOperatorsBareArrayAndMissingResponse(t *testing.T) {
	srv, _ := pagedOperators(t, "DTH", `[`+airtelBiller+`]`, `{"status": "SUCCESS"}`)
	got, err := newClient(t, srv).Operators(t.Context(), "DTH")
	if err != nil || len(got) != 1 {
		t.Errorf("Operators = %v, %v; want one operator", got, err)
	}
}

func TestOperatorDetails(t *testing.T) {
	ugvcl := `{ "success": true, "STATUS": "SUCCESS", "operator_name": "Uttar Gujarat Vij Company Limited - UGVCL",
	  "operator_id": "53", "service_type": "ELC", "status": "1", "biller_status": "on", "bill_fetch": "NO",
	  "supportValidation": "OPTIONAL", "bbps_enabled": "YES", "amount_minimum": "1", "amount_maximum": "49999",
	  "message": "pass Consumer Number in 'account'",
	  "parameters": [ { "opt1/param1": "Consumer Number" }, { "opt2/param2": "" } ] }`
	wantUGVCL := kwik.OperatorDetail{
		Operator: kwik.Operator{
			ID: "53", Name: "Uttar Gujarat Vij Company Limited - UGVCL", Service: "ELC", Active: true,
			SupportValidation: "OPTIONAL", BBPS: true, MinPaise: 100, MaxPaise: 4999900,
			Message: "pass Consumer Number in 'account'",
		},
		Params: []string{"Consumer Number"},
	}
	guideShape := `{"success": true, "STATUS": "SUCCESS", "operator_name": "Tata Play", "operator_id": 27,
	  "status": "0", "bill_fetch_supported": true, "payment_channels": ["AGT"],
	  "required_params": ["Subscriber ID", {"name": "Registered Mobile"}], "amount_minimum": 100}`
	wantGuide := kwik.OperatorDetail{
		Operator: kwik.Operator{ID: "27", Name: "Tata Play", Active: false, BillFetch: true, MinPaise: 10000},
		Params:   []string{"Subscriber ID", "Registered Mobile"},
	}

	tests := []struct {
		name string
		ids  []string
		opid string
		body string
		want []kwik.OperatorDetail
	}{
		{"one object", []string{"53"}, "53", ugvcl, []kwik.OperatorDetail{wantUGVCL}},
		{"batch array", []string{"53", "27"}, "53#27", "[" + ugvcl + "," + guideShape + "]", []kwik.OperatorDetail{wantUGVCL, wantGuide}},
		{"batch with a failed entry", []string{"53", "99"}, "53#99", "[" + ugvcl + `, {"STATUS": "FAILED", "message": "Invalid operator id"}]`, []kwik.OperatorDetail{wantUGVCL}},
		{"wrapped in response", []string{"27"}, "27", `{"success": true, "response": [` + guideShape + `]}`, []kwik.OperatorDetail{wantGuide}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointOperatorDetails, url.Values{"opid": {tt.opid}}, jsonReply(tt.body))
			got, err := c.OperatorDetails(t.Context(), tt.ids)
			if err != nil {
				t.Fatalf("OperatorDetails: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OperatorDetails mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOperatorDetailsUnknownID(t *testing.T) {
	c := endpointClient(t, kwik.EndpointOperatorDetails, nil,
		jsonReply(`{"success": false, "STATUS": "FAILED", "message": "Invalid operator id"}`))
	if _, err := c.OperatorDetails(t.Context(), []string{"999"}); !errorIs(err, kwik.ErrInvalidParams) {
		t.Errorf("err = %v, want ErrInvalidParams", err)
	}
}

func TestOperatorDetailsNoIDsMakesNoCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("unexpected call")
	}))
	t.Cleanup(srv.Close)
	if got, err := newClient(t, srv).OperatorDetails(t.Context(), nil); err != nil || got != nil {
		t.Errorf("OperatorDetails(nil) = %v, %v; want nil, nil", got, err)
	}
}

func TestCircles(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []kwik.Circle
	}{
		{
			name: "documented sample",
			body: `{ "response": [ { "circle_name": "DELHI (DL)", "circle_code": "1" },
			                { "circle_name": "Maharashtra (MH)", "circle_code": "4" },
			                { "circle_name": "Karnataka (KA)", "circle_code": "7" } ] }`,
			want: []kwik.Circle{{"1", "DELHI", "DL"}, {"4", "Maharashtra", "MH"}, {"7", "Karnataka", "KA"}},
		},
		{
			name: "codes as numbers, no brackets, bare array",
			body: `[{"circle_name": "Bihar", "circle_code": 17, "extra": true}, {"circle_name": "no code"}]`,
			want: []kwik.Circle{{"17", "Bihar", ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointCircles, nil, jsonReply(tt.body))
			got, err := c.Circles(t.Context())
			if err != nil {
				t.Fatalf("Circles: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Circles mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
