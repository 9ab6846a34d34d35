package kwik

import "net/http"

// Endpoint names one KwikAPI endpoint. The values are short and stable, so they can key
// per-endpoint call counters and budgets that outlive a release.
type Endpoint string

// The endpoints the client calls.
const (
	EndpointCategories      Endpoint = "categories"
	EndpointOperators       Endpoint = "operator_codes"
	EndpointOperatorDetails Endpoint = "operator_details"
	EndpointCircles         Endpoint = "circle_codes"
	EndpointDetect          Endpoint = "detect"
	EndpointPlans           Endpoint = "recharge_plans"
	EndpointDTHPlans        Endpoint = "dth_plans"
	EndpointROffers         Endpoint = "r_offers"
	EndpointRecharge        Endpoint = "recharge"
	EndpointStatus          Endpoint = "status"
	EndpointBalance         Endpoint = "balance"
	EndpointTransactions    Endpoint = "transactions"
)

// Route is an endpoint's path on the KwikAPI server and its HTTP method.
type Route struct {
	Path   string
	Method string
}

var routes = map[Endpoint]Route{
	EndpointCategories:      {"/api/v2/Service-Category-List.php", http.MethodPost},
	EndpointOperators:       {"/api/v2/operator_codes.php", http.MethodGet},
	EndpointOperatorDetails: {"/api/v2/operatorFetch.php", http.MethodPost},
	EndpointCircles:         {"/api/v2/circle_codes.php", http.MethodGet},
	EndpointDetect:          {"/api/v2/operator_fetch_v2.php", http.MethodPost},
	EndpointPlans:           {"/api/v2/recharge_plans.php", http.MethodPost},
	EndpointDTHPlans:        {"/api/v2/DTH_plans.php", http.MethodPost},
	EndpointROffers:         {"/api/v2/R-OFFER_check.php", http.MethodPost},
	EndpointRecharge:        {"/api/v2/recharge.php", http.MethodGet},
	EndpointStatus:          {"/api/v2/status.php", http.MethodGet},
	EndpointBalance:         {"/api/v2/balance.php", http.MethodGet},
	EndpointTransactions:    {"/api/v2/transactions.php", http.MethodGet},
}

// Endpoints returns every endpoint the client calls, in a fixed order.
func Endpoints() []Endpoint {
	return []Endpoint{
		EndpointCategories, EndpointOperators, EndpointOperatorDetails, EndpointCircles,
		EndpointDetect, EndpointPlans, EndpointDTHPlans, EndpointROffers,
		EndpointRecharge, EndpointStatus, EndpointBalance, EndpointTransactions,
	}
}

// Route returns the path and method of the endpoint; ok is false for an unknown endpoint.
func (e Endpoint) Route() (Route, bool) {
	r, ok := routes[e]
	return r, ok
}

// DailyLimits returns KwikAPI's documented calls per day per account for the endpoints that
// have a limit; exceeding one risks suspension of the account. Endpoints not listed have none.
func DailyLimits() map[Endpoint]int {
	return map[Endpoint]int{
		EndpointCategories:      10,
		EndpointOperators:       20,
		EndpointOperatorDetails: 20,
		EndpointCircles:         2,
		EndpointStatus:          100,
		EndpointBalance:         48,
		EndpointTransactions:    48,
	}
}
