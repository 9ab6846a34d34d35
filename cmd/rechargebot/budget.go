package main

import (
	"fmt"

	"github.com/rechargebot/rechargebot/kwik"
)

// budgetVariable is one KWIKAPI_BUDGET_* variable with its endpoint and value.
type budgetVariable struct {
	name     string
	endpoint kwik.Endpoint
	limit    int
}

func (c *Config) budgetVariables() []budgetVariable {
	return []budgetVariable{
		{"KWIKAPI_BUDGET_CATEGORIES", kwik.EndpointCategories, c.BudgetCategories},
		{"KWIKAPI_BUDGET_OPERATORS", kwik.EndpointOperators, c.BudgetOperators},
		{"KWIKAPI_BUDGET_OPERATOR_DETAILS", kwik.EndpointOperatorDetails, c.BudgetOperatorDetails},
		{"KWIKAPI_BUDGET_CIRCLES", kwik.EndpointCircles, c.BudgetCircles},
		{"KWIKAPI_BUDGET_STATUS", kwik.EndpointStatus, c.BudgetStatus},
		{"KWIKAPI_BUDGET_BALANCE", kwik.EndpointBalance, c.BudgetBalance},
		{"KWIKAPI_BUDGET_TRANSACTIONS", kwik.EndpointTransactions, c.BudgetTransactions},
		{"KWIKAPI_BUDGET_DETECT", kwik.EndpointDetect, c.BudgetDetect},
		{"KWIKAPI_BUDGET_PLANS", kwik.EndpointPlans, c.BudgetPlans},
		{"KWIKAPI_BUDGET_DTH_PLANS", kwik.EndpointDTHPlans, c.BudgetDTHPlans},
		{"KWIKAPI_BUDGET_R_OFFERS", kwik.EndpointROffers, c.BudgetROffers},
		{"KWIKAPI_BUDGET_RECHARGE", kwik.EndpointRecharge, c.BudgetRecharge},
	}
}

// KwikBudgets returns the daily call limit of each KwikAPI endpoint, for scheduler.CallBudget.
// A limit of 0 means the endpoint's calls are counted but not limited.
func (c *Config) KwikBudgets() map[kwik.Endpoint]int {
	limits := map[kwik.Endpoint]int{}
	for _, v := range c.budgetVariables() {
		limits[v.endpoint] = v.limit
	}
	return limits
}

func (c *Config) validateBudgets() error {
	for _, v := range c.budgetVariables() {
		if v.limit < 0 {
			return fmt.Errorf("%s is %d: use 0 for no limit or a positive number of calls per day", v.name, v.limit)
		}
	}
	return nil
}
