package kwik_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/kwik"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		body string
		want kwik.Detection
	}{
		{
			name: "documented details shape",
			body: `{ "success": true, "message": null, "credit_balance": "499",
			  "details": { "provider": "Airtel", "opid": "1", "circle_code": "5", "circle_name": "Delhi (DL)" } }`,
			want: kwik.Detection{OperatorID: "1", OperatorName: "Airtel", CircleCode: "5", CircleName: "Delhi"},
		},
		{
			name: "guide's flat shape, ported",
			body: `{"opid": "8", "operator_name": "Reliance Jio", "circle_code": "4", "circle_name": "Maharashtra", "is_ported": true}`,
			want: kwik.Detection{OperatorID: "8", OperatorName: "Reliance Jio", CircleCode: "4", CircleName: "Maharashtra", Ported: true},
		},
		{
			name: "numbers as numbers, ported as YES, extra fields",
			body: `{"success": "true", "opid": 21, "operator_name": "VI", "circle_code": 17, "circle_name": "BIHAR (BR)", "is_ported": "YES", "lookup_ms": 12}`,
			want: kwik.Detection{OperatorID: "21", OperatorName: "VI", CircleCode: "17", CircleName: "BIHAR", Ported: true},
		},
		{
			name: "details without circle",
			body: `{"success": true, "details": {"provider": "Airtel", "opid": "1"}}`,
			want: kwik.Detection{OperatorID: "1", OperatorName: "Airtel"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := endpointClient(t, kwik.EndpointDetect, url.Values{"number": {"9876543210"}}, jsonReply(tt.body))
			got, err := c.Detect(t.Context(), "9876543210")
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Detect mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetectWithoutOperatorIsBadResponse(t *testing.T) {
	c := endpointClient(t, kwik.EndpointDetect, nil, jsonReply(`{"success": true, "details": {}}`))
	if _, err := c.Detect(t.Context(), "9876543210"); !errorIs(err, kwik.ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
}

func TestDetectRejectsMalformedNumberWithoutCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("unexpected call")
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	for _, number := range []string{"", "98765", "98765432101", "98765-4321", "+919876543210"} {
		if _, err := c.Detect(t.Context(), number); !errorIs(err, kwik.ErrInvalidParams) {
			t.Errorf("Detect(%q) err = %v, want ErrInvalidParams", number, err)
		}
	}
}

func TestPlans(t *testing.T) {
	body := `{ "success": true, "operator": "IDEA", "circle": "BIHAR", "message": "Ignore FRC plans.",
	  "plans": { "3G/4G":    [ { "Type": "Data", "rs": 22, "validity": "1 Day", "desc": "Get 1GB Data for 1 day" } ],
	             "Talktime": [ { "Type": "Talktime", "rs": 10, "validity": "28 Days", "desc": "Talktime Rs. 10" },
	                           { "Type": "Talktime", "rs": "20", "validity": "28 Days", "desc": "Talktime Rs. 14.95", "extra": 1 } ],
	             "Empty": [],
	             "Broken": [ { "Type": "Data", "rs": "free" } ] } }`
	c := endpointClient(t, kwik.EndpointPlans, url.Values{"opid": {"3"}, "state_code": {"17"}}, jsonReply(body))
	got, err := c.Plans(t.Context(), "3", "17")
	if err != nil {
		t.Fatalf("Plans: %v", err)
	}
	want := kwik.PlanList{
		Operator: "IDEA", Circle: "BIHAR", Message: "Ignore FRC plans.",
		Groups: []kwik.PlanGroup{
			{Name: "3G/4G", Plans: []kwik.Plan{{Type: "Data", AmountPaise: 2200, Validity: "1 Day", Description: "Get 1GB Data for 1 day"}}},
			{Name: "Talktime", Plans: []kwik.Plan{
				{Type: "Talktime", AmountPaise: 1000, Validity: "28 Days", Description: "Talktime Rs. 10"},
				{Type: "Talktime", AmountPaise: 2000, Validity: "28 Days", Description: "Talktime Rs. 14.95"},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Plans mismatch (-want +got):\n%s", diff)
	}
}

func TestPlansKeepsServerGroupOrder(t *testing.T) {
	body := `{"success": true, "plans": {"Zeta": [{"rs": 1}], "Alpha": [{"rs": 2}], "Mid": [{"rs": 3}]}}`
	c := endpointClient(t, kwik.EndpointPlans, nil, jsonReply(body))
	got, err := c.Plans(t.Context(), "1", "1")
	if err != nil {
		t.Fatalf("Plans: %v", err)
	}
	var names []string
	for _, g := range got.Groups {
		names = append(names, g.Name)
	}
	if diff := cmp.Diff([]string{"Zeta", "Alpha", "Mid"}, names); diff != "" {
		t.Errorf("group order mismatch (-want +got):\n%s", diff)
	}
	if got.Groups[0].Plans[0].Type != "Zeta" {
		t.Errorf("Type of a plan without one = %q, want the group name", got.Groups[0].Plans[0].Type)
	}
}

func TestPlansFlatListGroupedByType(t *testing.T) {
	body := `{"success": true, "plans": [{"Type": "Data", "rs": "19"}, {"Type": "Combo", "rs": 199}, {"Type": "Data", "rs": 29}]}`
	c := endpointClient(t, kwik.EndpointPlans, nil, jsonReply(body))
	got, err := c.Plans(t.Context(), "1", "1")
	if err != nil {
		t.Fatalf("Plans: %v", err)
	}
	want := []kwik.PlanGroup{
		{Name: "Data", Plans: []kwik.Plan{{Type: "Data", AmountPaise: 1900}, {Type: "Data", AmountPaise: 2900}}},
		{Name: "Combo", Plans: []kwik.Plan{{Type: "Combo", AmountPaise: 19900}}},
	}
	if diff := cmp.Diff(want, got.Groups); diff != "" {
		t.Errorf("groups mismatch (-want +got):\n%s", diff)
	}
}

func TestPlansMissingOrNull(t *testing.T) {
	for _, body := range []string{`{"success": true, "message": "No plans"}`, `{"success": true, "plans": null}`, `{"success": true, "plans": {}}`} {
		c := endpointClient(t, kwik.EndpointPlans, nil, jsonReply(body))
		got, err := c.Plans(t.Context(), "1", "1")
		if err != nil || len(got.Groups) != 0 {
			t.Errorf("Plans(%s) = %+v, %v; want no groups and no error", body, got, err)
		}
	}
}

func TestDTHPlans(t *testing.T) {
	body := `{"success": true, "operator": "TATA PLAY", "plans": {
	  "Hindi Packs": [{"Type": "Hindi", "rs": "249", "validity": "1 Month", "desc": "Hindi Value Lite"}],
	  "Long Duration": [{"Type": "Hindi", "rs": {"1 MONTHS": "153.00", "3 MONTHS": 459, "6 MONTHS": ""}, "desc": "Hindi Basic"}]}}`
	c := endpointClient(t, kwik.EndpointDTHPlans, url.Values{"opid": {"27"}}, jsonReply(body))
	got, err := c.DTHPlans(t.Context(), "27")
	if err != nil {
		t.Fatalf("DTHPlans: %v", err)
	}
	want := kwik.PlanList{Operator: "TATA PLAY", Groups: []kwik.PlanGroup{
		{Name: "Hindi Packs", Plans: []kwik.Plan{{Type: "Hindi", AmountPaise: 24900, Validity: "1 Month", Description: "Hindi Value Lite"}}},
		{Name: "Long Duration", Plans: []kwik.Plan{
			{Type: "Hindi", AmountPaise: 15300, Validity: "1 MONTHS", Description: "Hindi Basic"},
			{Type: "Hindi", AmountPaise: 45900, Validity: "3 MONTHS", Description: "Hindi Basic"},
		}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DTHPlans mismatch (-want +got):\n%s", diff)
	}
}

func TestROffers(t *testing.T) {
	body := `{ "success": true, "operator": "VI", "mobile_no": "9000000001", "message": "Offer Successfully Checked",
	  "offers": [ { "price": "199", "ofrtext": "Extra 1GB/day for 28 days", "logdesc": "2GB+1GB/D+UL,28D", "validity": "28" },
	              { "price": 249.5, "ofrtext": "Second", "validity": 56, "new": "x" },
	              { "price": "", "ofrtext": "no price is skipped" } ] }`
	c := endpointClient(t, kwik.EndpointROffers, url.Values{"opid": {"21"}, "mobile": {"9000000001"}}, jsonReply(body))
	got, err := c.ROffers(t.Context(), "21", "9000000001")
	if err != nil {
		t.Fatalf("ROffers: %v", err)
	}
	want := []kwik.Offer{
		{AmountPaise: 19900, Text: "Extra 1GB/day for 28 days", Short: "2GB+1GB/D+UL,28D", Validity: "28"},
		{AmountPaise: 24950, Text: "Second", Validity: "56"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ROffers mismatch (-want +got):\n%s", diff)
	}
}

func TestROffersNoneForOperator(t *testing.T) {
	c := endpointClient(t, kwik.EndpointROffers, nil, jsonReply(`{"success": true, "message": "R-Offer is available for Airtel and Vi only", "offers": []}`))
	got, err := c.ROffers(t.Context(), "8", "9345678901")
	if err != nil || len(got) != 0 {
		t.Errorf("ROffers = %v, %v; want none and no error", got, err)
	}
}
