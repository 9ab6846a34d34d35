package kwiksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// wirePlan is one plan as recharge_plans.php and DTH_plans.php send it. RS alternates between
// a JSON number and a string, as KwikAPI's replies do.
type wirePlan struct {
	Type     string `json:"Type"`
	RS       any    `json:"rs"`
	Validity string `json:"validity"`
	Desc     string `json:"desc"`
}

type planGroup struct {
	Name  string
	Plans []wirePlan
}

// planGroups encodes as a JSON object whose keys keep the groups' order.
type planGroups []planGroup

func (g planGroups) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, group := range g {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(group.Name)
		plans, err := json.Marshal(group.Plans)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(plans)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// plan builds a wire plan; odd indexes send the price as a string.
func plan(i int, kind string, price int, validity, desc string) wirePlan {
	var rs any = price
	if i%2 == 1 {
		rs = strconv.Itoa(price)
	}
	return wirePlan{Type: kind, RS: rs, Validity: validity, Desc: desc}
}

var unlimitedPrices = []int{
	155, 179, 199, 209, 239, 249, 265, 279, 299, 319, 329, 349, 359, 379, 399, 409, 449, 479,
	499, 549, 579, 599, 649, 666, 699, 719, 779, 799, 839, 859, 899, 979, 999, 1199, 1799, 1999, 2999, 3599,
}

func unlimitedValidity(price int) (days int) {
	switch {
	case price == 155:
		return 24
	case price < 300:
		return 28
	case price < 450:
		return 30
	case price < 600:
		return 56
	case price < 1500:
		return 84
	default:
		return 365
	}
}

func dailyData(price int) string {
	switch {
	case price < 250:
		return "1GB/day"
	case price < 350:
		return "1.5GB/day"
	case price < 500:
		return "2GB/day"
	case price < 800:
		return "2.5GB/day"
	default:
		return "3GB/day"
	}
}

// unlimitedPlans returns bundled calling and data plans; extra is appended to each description.
func unlimitedPlans(kind, extra string) []wirePlan {
	plans := make([]wirePlan, 0, len(unlimitedPrices))
	for i, price := range unlimitedPrices {
		days := unlimitedValidity(price)
		desc := fmt.Sprintf("Unlimited calls, %s, 100 SMS/day for %d days%s", dailyData(price), days, extra)
		plans = append(plans, plan(i, kind, price, fmt.Sprintf("%d Days", days), desc))
	}
	return plans
}

var dataPacks = []struct {
	price    int
	data     string
	validity string
}{
	{19, "1GB", "1 Day"}, {22, "1GB", "1 Day"}, {26, "1.5GB", "1 Day"}, {29, "2GB", "1 Day"},
	{33, "2GB", "1 Day"}, {39, "3GB", "1 Day"}, {48, "3GB", "3 Days"}, {49, "6GB", "1 Day"},
	{58, "3GB", "Existing plan"}, {65, "4GB", "Existing plan"}, {69, "6GB", "Existing plan"},
	{75, "6GB", "Existing plan"}, {77, "5GB", "7 Days"}, {98, "5GB", "21 Days"},
	{118, "12GB", "Existing plan"}, {121, "6GB", "30 Days"}, {148, "15GB", "Existing plan"},
	{161, "12GB", "30 Days"}, {181, "15GB", "30 Days"}, {195, "12GB", "90 Days"},
	{211, "40GB", "30 Days"}, {251, "50GB", "Existing plan"}, {301, "60GB", "30 Days"}, {361, "50GB", "30 Days"},
}

func dataPlans(kind string) []wirePlan {
	plans := make([]wirePlan, 0, len(dataPacks))
	for i, p := range dataPacks {
		desc := fmt.Sprintf("Get %s data, valid for %s", p.data, p.validity)
		if p.validity == "Existing plan" {
			desc = fmt.Sprintf("Get %s data with the validity of your existing plan", p.data)
		}
		plans = append(plans, plan(i, kind, p.price, p.validity, desc))
	}
	return plans
}

var talktimePrices = []int{10, 20, 30, 50, 100, 111, 150, 200, 250, 300, 400, 500, 600, 700, 1000, 1500, 2000, 2500, 3000, 5000}

// talktimePlans states talktime after 18% GST, as operators advertise it.
func talktimePlans(kind string) []wirePlan {
	plans := make([]wirePlan, 0, len(talktimePrices))
	for i, price := range talktimePrices {
		talktime := int64(price) * 10000 / 118
		desc := fmt.Sprintf("Talktime Rs. %d.%02d", talktime/100, talktime%100)
		plans = append(plans, plan(i, kind, price, "NA", desc))
	}
	return plans
}

var roamingPrices = []int{133, 196, 229, 249, 299, 398, 499, 549, 649, 699, 749, 799, 899, 999, 1199, 1499, 1999, 2499, 2997, 3999, 4999, 5999}

func roamingPlans(kind string) []wirePlan {
	plans := make([]wirePlan, 0, len(roamingPrices))
	for i, price := range roamingPrices {
		validity := "90 Days"
		switch {
		case price < 300:
			validity = "1 Day"
		case price < 700:
			validity = "7 Days"
		case price < 1500:
			validity = "10 Days"
		case price < 3000:
			validity = "30 Days"
		}
		desc := fmt.Sprintf("International roaming: %d min calls, %dMB data, valid %s", price/2, price*2, validity)
		plans = append(plans, plan(i, kind, price, validity, desc))
	}
	return plans
}

var firstRechargePrices = []int{97, 107, 127, 147, 177, 197, 207, 247, 297, 327, 347, 377, 397, 447, 497, 547, 597, 697, 797, 997}

func firstRechargePlans(kind string) []wirePlan {
	plans := make([]wirePlan, 0, len(firstRechargePrices))
	for i, price := range firstRechargePrices {
		days := unlimitedValidity(price)
		desc := fmt.Sprintf("First recharge only: unlimited calls, %s for %d days", dailyData(price), days)
		plans = append(plans, plan(i, kind, price, fmt.Sprintf("%d Days", days), desc))
	}
	return plans
}

var featurePhonePrices = []int{75, 91, 125, 152, 155, 185, 186, 222, 223, 239, 249, 295, 319, 355, 395, 445, 495, 595, 895, 1495}

func featurePhonePlans(kind string) []wirePlan {
	plans := make([]wirePlan, 0, len(featurePhonePrices))
	for i, price := range featurePhonePrices {
		days := unlimitedValidity(price)
		desc := fmt.Sprintf("For JioPhone: unlimited calls, 0.5GB/day, 300 SMS for %d days", days)
		plans = append(plans, plan(i, kind, price, fmt.Sprintf("%d Days", days), desc))
	}
	return plans
}

// mobilePlans returns the plan groups of a prepaid operator; group names differ per operator,
// as KwikAPI's do. Plans are the same in every circle.
func mobilePlans(opid string) planGroups {
	switch opid {
	case OpAirtel:
		return planGroups{
			{"Unlimited", unlimitedPlans("Unlimited", ", Wynk Music")},
			{"Data", dataPlans("Data")},
			{"Talktime", talktimePlans("Talktime")},
			{"International Roaming", roamingPlans("Roaming")},
		}
	case OpJio:
		return planGroups{
			{"Popular Plans", unlimitedPlans("Unlimited", ", unlimited 5G data")},
			{"Data Add On", dataPlans("Data")},
			{"JioPhone", featurePhonePlans("JioPhone")},
		}
	case OpIdea, OpVi:
		return planGroups{
			{"Unlimited", unlimitedPlans("Unlimited", ", weekend data rollover")},
			{"3G/4G", dataPlans("Data")},
			{"Talktime", talktimePlans("Talktime")},
			{"FRC", firstRechargePlans("FRC")},
		}
	default:
		return planGroups{
			{"STV", unlimitedPlans("STV", "")},
			{"Data", dataPlans("Data")},
			{"Talktime", talktimePlans("Talktime")},
		}
	}
}

var dthTiers = []string{
	"Basic", "Value Lite", "Value", "Value Sports", "Family", "Family Sports", "Smart", "Smart HD",
	"Premium", "Premium HD", "Mega", "Mega HD", "Super Value", "Jumbo", "Jumbo HD", "Gold", "Gold HD",
	"Platinum", "Platinum HD", "Ultimate", "Ultimate HD", "Maxi",
}

var dthLanguages = []string{"Tamil", "Telugu", "Kannada", "Malayalam", "Bengali", "Marathi", "Odia", "Gujarati", "Punjabi", "Bhojpuri"}

// dthPlans returns the DTH pack groups of an operator. Prices shift a little per operator so
// that packs of different operators differ.
func dthPlans(opid, brand string) planGroups {
	shift := idNumber(opid) % 5 * 10

	var hindi, regional, long []wirePlan
	for i, tier := range dthTiers {
		price := 199 + 30*i + shift
		channels := 180 + 15*i
		desc := fmt.Sprintf("%s Hindi %s: %d channels, 1 month", brand, tier, channels)
		hindi = append(hindi, plan(i, "Hindi", price, "1 Month", desc))
	}
	for i, language := range dthLanguages {
		for j, tier := range []string{"Lite", "Value"} {
			price := 169 + 20*i + 60*j + shift
			desc := fmt.Sprintf("%s %s %s: %d channels, 1 month", brand, language, tier, 150+40*j+5*i)
			regional = append(regional, plan(2*i+j, "Regional", price, "1 Month", desc))
		}
	}
	for i, tier := range dthTiers[:7] {
		for j, months := range []int{3, 6, 12} {
			monthly := 199 + 30*i + shift
			price := monthly * months * (100 - 5*j) / 100
			desc := fmt.Sprintf("%s Hindi %s for %d months", brand, tier, months)
			long = append(long, plan(3*i+j, "Long Duration", price, fmt.Sprintf("%d Months", months), desc))
		}
	}
	return planGroups{{"Hindi Packs", hindi}, {"Regional Packs", regional}, {"Long Duration", long}}
}

// offer is one R-offer as R-OFFER_check.php sends it.
type offer struct {
	Price    string `json:"price"`
	Text     string `json:"ofrtext"`
	Short    string `json:"logdesc"`
	Validity string `json:"validity"`
}

var offerPool = []offer{
	{"199", "Extra 1GB/day for 28 days", "2GB+1GB/D+UL,28D", "28"},
	{"249", "Unlimited calls and 2GB/day with 5GB bonus", "2GB/D+5GB+UL,28D", "28"},
	{"299", "Double data: 3GB/day for 28 days", "3GB/D+UL,28D", "28"},
	{"359", "Unlimited calls, 2.5GB/day, free OTT for 28 days", "2.5GB/D+OTT,28D", "28"},
	{"479", "Unlimited calls, 1.5GB/day for 56 days", "1.5GB/D+UL,56D", "56"},
	{"549", "Unlimited calls, 2GB/day for 56 days with weekend rollover", "2GB/D+UL,56D", "56"},
	{"719", "Unlimited calls, 1.5GB/day for 84 days", "1.5GB/D+UL,84D", "84"},
	{"839", "Unlimited calls, 2GB/day, free OTT for 84 days", "2GB/D+OTT,84D", "84"},
}

// offersFor returns three to five offers chosen by the subscriber's number.
func offersFor(mobile string) []offer {
	seed := 0
	for _, c := range mobile {
		seed = seed*7 + int(c-'0')
	}
	count := 3 + seed%3
	out := make([]offer, 0, count)
	for i := range count {
		out = append(out, offerPool[(seed+3*i)%len(offerPool)])
	}
	return out
}
