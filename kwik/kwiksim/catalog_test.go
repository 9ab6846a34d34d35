package kwiksim_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

func TestCategoriesCountOperators(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	got, err := c.Categories(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, op := range sim.Operators() {
		counts[op.Service]++
	}
	if len(got) != len(counts) {
		t.Fatalf("categories = %v, want one per service of %v", got, counts)
	}
	for _, cat := range got {
		if cat.TotalOperators != counts[cat.Name] {
			t.Errorf("%s: TotalOperators = %d, want %d", cat.Name, cat.TotalOperators, counts[cat.Name])
		}
	}
	if got[0].Name != "Prepaid" || got[1].Name != "DTH" {
		t.Errorf("first categories = %v, want Prepaid then DTH", got[:2])
	}
}

func TestOperatorsArePagedAndFiltered(t *testing.T) {
	sim, c := start(t, kwiksim.Options{PageSize: 7})
	all, err := c.Operators(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(sim.Operators()) {
		t.Errorf("Operators(\"\") = %d, want all %d", len(all), len(sim.Operators()))
	}
	wantPages := (len(all)+6)/7 + 1
	if got := sim.Calls(kwik.EndpointOperators); got != wantPages {
		t.Errorf("operator_codes calls = %d, want %d pages and the empty one", got, wantPages)
	}

	dth, err := c.Operators(t.Context(), "dth")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, op := range dth {
		ids = append(ids, op.ID)
		if op.Service != "DTH" || !op.Active || op.MinPaise <= 0 {
			t.Errorf("DTH operator %+v, want an active DTH biller with amounts", op)
		}
	}
	if !slices.Equal(ids, []string{"23", "24", "25", "26", "27", "28"}) {
		t.Errorf("DTH ids = %v, want 23 to 28", ids)
	}
}

func TestCatalogHasKnownOperators(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	ops, err := c.Operators(t.Context(), "Prepaid")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]kwik.Operator{}
	for _, op := range ops {
		byID[op.ID] = op
	}
	for id, name := range map[string]string{"1": "Airtel", "3": "Idea", "8": "Reliance Jio", "21": "Vodafone (Vi)"} {
		if op := byID[id]; op.Name != name || !op.Active || op.MinPaise != 1000 {
			t.Errorf("operator %s = %+v, want active %s from ₹10", id, op, name)
		}
	}
	if byID[kwiksim.OpMTNLDelhi].Active || byID[kwiksim.OpMTNLMumbai].Active {
		t.Error("MTNL operators are active, want one inactive and one with its biller off")
	}

	electricity, err := c.Operators(t.Context(), "Electricity")
	if err != nil {
		t.Fatal(err)
	}
	if len(electricity) < 20 {
		t.Errorf("electricity billers = %d, want a long list so that filtering matters", len(electricity))
	}
}

func TestSetOperatorChangesCatalog(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	op, ok := sim.Operator(kwiksim.OpJio)
	if !ok {
		t.Fatal("Jio is missing")
	}
	op.MaxPaise = 500000
	op.Inactive = true
	sim.SetOperator(op)
	sim.SetOperator(kwiksim.Operator{ID: "500", Name: "New Telco", Service: "Prepaid", MinPaise: 1000, MaxPaise: 2000})
	sim.RemoveOperator(kwiksim.OpIdea)

	ops, err := c.Operators(t.Context(), "Prepaid")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]kwik.Operator{}
	for _, o := range ops {
		byID[o.ID] = o
	}
	if jio := byID[kwiksim.OpJio]; jio.MaxPaise != 500000 || jio.Active {
		t.Errorf("Jio = %+v, want inactive with max 500000 paise", jio)
	}
	if _, ok := byID["500"]; !ok {
		t.Error("new operator 500 is missing")
	}
	if _, ok := byID[kwiksim.OpIdea]; ok {
		t.Error("removed operator 3 is still listed")
	}

	_, err = c.Recharge(t.Context(), rechargeOf("1", "9345678900", kwiksim.OpJio, 1000))
	if !errorIs(err, kwik.ErrOperatorUnavailable) {
		t.Errorf("recharge on inactive Jio: err = %v, want ErrOperatorUnavailable", err)
	}
}

func TestOperatorDetailsBatch(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	got, err := c.OperatorDetails(t.Context(), []string{"53", "27", "999", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("details = %+v, want 53, 27 and 1 (999 is unknown)", got)
	}
	if got[0].ID != "53" || !slices.Equal(got[0].Params, []string{"Consumer Number"}) || got[0].Message == "" {
		t.Errorf("UGVCL = %+v, want a Consumer Number parameter and a message", got[0])
	}
	if got[1].ID != "27" || !slices.Equal(got[1].Params, []string{"Subscriber ID"}) {
		t.Errorf("Tata Play = %+v, want a Subscriber ID parameter", got[1])
	}
	if len(got[2].Params) != 0 {
		t.Errorf("Airtel params = %v, want none", got[2].Params)
	}

	if _, err := c.OperatorDetails(t.Context(), []string{"999"}); !errorIs(err, kwik.ErrInvalidParams) {
		t.Errorf("unknown id: err = %v, want ErrInvalidParams", err)
	}
}

func TestCirclesAreTheDocumentedOnes(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	got, err := c.Circles(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]kwik.Circle{}
	for _, circle := range got {
		codes[circle.Code] = circle
		if circle.Short == "" {
			t.Errorf("circle %+v has no short code", circle)
		}
	}
	want := []int{1, 2, 4, 5, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 33, 40, 41}
	for n := 27; n <= 39; n++ {
		if n != 33 {
			want = append(want, n)
		}
	}
	for _, n := range want {
		if _, ok := codes[strconv.Itoa(n)]; !ok {
			t.Errorf("circle %d is missing", n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("circles = %d, want %d", len(got), len(want))
	}
	if codes["1"].Name != "DELHI" || codes["4"].Name != "Maharashtra" {
		t.Errorf("names = %q, %q; want the mixed casing of KwikAPI", codes["1"].Name, codes["4"].Name)
	}
}

func TestPlansHaveSeveralFullGroups(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	for _, opid := range []string{"1", "3", "8", "21"} {
		plans, err := c.Plans(t.Context(), opid, "17")
		if err != nil {
			t.Fatalf("Plans(%s): %v", opid, err)
		}
		checkGroups(t, "Plans("+opid+")", plans, 3)
		if plans.Circle != "BIHAR" {
			t.Errorf("Plans(%s).Circle = %q, want BIHAR", opid, plans.Circle)
		}
	}
	for opid := 23; opid <= 28; opid++ {
		plans, err := c.DTHPlans(t.Context(), strconv.Itoa(opid))
		if err != nil {
			t.Fatalf("DTHPlans(%d): %v", opid, err)
		}
		checkGroups(t, "DTHPlans("+strconv.Itoa(opid)+")", plans, 3)
	}
}

func checkGroups(t *testing.T, name string, plans kwik.PlanList, minGroups int) {
	t.Helper()
	if len(plans.Groups) < minGroups {
		t.Errorf("%s: %d groups, want at least %d", name, len(plans.Groups), minGroups)
	}
	for _, g := range plans.Groups {
		if len(g.Plans) < 20 {
			t.Errorf("%s group %q: %d plans, want at least 20", name, g.Name, len(g.Plans))
		}
		for _, p := range g.Plans {
			if p.AmountPaise < 1000 || p.AmountPaise%100 != 0 || p.Validity == "" || p.Description == "" {
				t.Errorf("%s group %q: plan %+v, want whole rupees from ₹10 with validity and description", name, g.Name, p)
			}
		}
	}
}

func TestPlansDifferPerOperator(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	airtel, err := c.Plans(t.Context(), "1", "1")
	if err != nil {
		t.Fatal(err)
	}
	jio, err := c.Plans(t.Context(), "8", "1")
	if err != nil {
		t.Fatal(err)
	}
	if airtel.Groups[0].Name == jio.Groups[0].Name {
		t.Errorf("Airtel and Jio both start with group %q, want operator-specific names", jio.Groups[0].Name)
	}
}

func TestPlansRejectUnknownOperatorOrCircle(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	for _, args := range [][2]string{{"999", "1"}, {"1", "3"}, {"27", "1"}} {
		if _, err := c.Plans(t.Context(), args[0], args[1]); !errorIs(err, kwik.ErrInvalidParams) {
			t.Errorf("Plans(%s, %s): err = %v, want ErrInvalidParams", args[0], args[1], err)
		}
	}
	if _, err := c.DTHPlans(t.Context(), "1"); !errorIs(err, kwik.ErrInvalidParams) {
		t.Errorf("DTHPlans(1): err = %v, want ErrInvalidParams", err)
	}
}

func TestROffersForAirtelAndViOnly(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	for _, opid := range []string{"1", "21"} {
		offers, err := c.ROffers(t.Context(), opid, "9000000001")
		if err != nil || len(offers) < 3 {
			t.Errorf("ROffers(%s) = %v, %v; want three or more", opid, offers, err)
		}
		again, _ := c.ROffers(t.Context(), opid, "9000000001")
		if !slices.Equal(offers, again) {
			t.Errorf("ROffers(%s) differs between calls", opid)
		}
	}
	offers, err := c.ROffers(t.Context(), "8", "9345678901")
	if err != nil || len(offers) != 0 {
		t.Errorf("ROffers(Jio) = %v, %v; want none", offers, err)
	}
}

func TestDetectFollowsPrefixTable(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	tests := []struct {
		number, opid string
	}{
		{"9012345678", "21"}, {"7123456789", "21"}, {"9234567890", "3"}, {"9345678901", "8"},
		{"6456789012", "8"}, {"8567890123", "8"}, {"9876543210", "1"}, {"7765432109", "1"},
	}
	for _, tt := range tests {
		got, err := c.Detect(t.Context(), tt.number)
		if err != nil {
			t.Fatalf("Detect(%s): %v", tt.number, err)
		}
		if got.OperatorID != tt.opid || got.Ported || got.CircleCode == "" || got.CircleName == "" {
			t.Errorf("Detect(%s) = %+v, want operator %s, not ported, with a circle", tt.number, got, tt.opid)
		}
	}
}

func TestDetectPortedNumbers(t *testing.T) {
	sim, c := start(t, kwiksim.Options{})
	got, err := c.Detect(t.Context(), "9876500009")
	if err != nil {
		t.Fatal(err)
	}
	if got.OperatorID != kwiksim.OpJio || !got.Ported {
		t.Errorf("Detect(...0009) = %+v, want Airtel's prefix ported to Jio", got)
	}

	sim.Script("9012345678", kwiksim.Scenario{DetectAs: kwiksim.OpAirtel, DetectCircle: "7"})
	got, err = c.Detect(t.Context(), "9012345678")
	if err != nil {
		t.Fatal(err)
	}
	if got.OperatorID != "1" || got.CircleCode != "7" || got.CircleName != "Karnataka" || !got.Ported {
		t.Errorf("scripted Detect = %+v, want Airtel in Karnataka, ported", got)
	}
}

func TestDetectRejectsNonMobile(t *testing.T) {
	_, c := start(t, kwiksim.Options{})
	if _, err := c.Detect(t.Context(), "1234567890"); !errorIs(err, kwik.ErrInvalidParams) {
		t.Errorf("err = %v, want ErrInvalidParams", err)
	}
}
