package conversation

import (
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// LimitsConfig caps what each user may do. Zero values set no limit.
type LimitsConfig struct {
	// DailyCustomerPaise and DailyAgentPaise cap what a customer or an agent may spend on
	// recharges in one India-time day, checked at checkout and at bulk confirmation. Admins
	// have no cap.
	DailyCustomerPaise int64
	DailyAgentPaise    int64
	// MessagesPerMinute caps the messages one sender may send a minute; configured admins
	// are exempt.
	MessagesPerMinute int
}

// dailyCap returns the daily spending cap of role in paise, or 0 for none.
func (c LimitsConfig) dailyCap(role models.Role) int64 {
	switch role {
	case models.RoleCustomer:
		return c.DailyCustomerPaise
	case models.RoleAgent:
		return c.DailyAgentPaise
	}
	return 0
}

// startOfIndiaDay returns the last midnight in India time before t, in UTC.
func startOfIndiaDay(t time.Time) time.Time {
	local := t.In(kwik.India())
	y, m, d := local.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, kwik.India()).UTC()
}

// dailyCap returns the user's daily spending cap for the store to check when it takes money.
func (t *turn) dailyCap() models.DailyCap {
	return models.DailyCap{LimitPaise: t.e.cfg.Limits.dailyCap(t.user.Role), Since: startOfIndiaDay(t.now)}
}

// sayDailyLimit adds the reply that a payment was rejected because it would pass the user's
// daily cap, with what they have spent and what they may still spend.
func (t *turn) sayDailyLimit(capped *models.DailyCapError) {
	t.e.log.Info("Refused a payment over the daily limit", "user_id", t.user.ID, "amount_paise", capped.NeededPaise,
		"spent_paise", capped.SpentPaise, "limit_paise", capped.LimitPaise)
	t.say(msgDailyLimit, vars{
		"Limit": capped.LimitPaise, "Spent": capped.SpentPaise, "Amount": capped.NeededPaise, "Left": capped.LeftPaise(),
	})
}

const msgDailyLimit msgKey = "daily_limit"

func init() {
	addMessages("en", Catalog{
		msgDailyLimit: "This would pass your daily limit of {{rupees .Limit}}: you have used {{rupees .Spent}} today " +
			"and this needs {{rupees .Amount}}. {{if gt .Left 0}}You can still spend {{rupees .Left}} today, so try a smaller amount, " +
			"or wait{{else}}Please wait{{end}} until midnight India time.",
	})
}
