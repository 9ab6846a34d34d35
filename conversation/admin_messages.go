package conversation

// The chat texts of admin commands.
const (
	msgGrantUsage    msgKey = "grant_usage"
	msgGrantDone     msgKey = "grant_done"
	msgGrantNotice   msgKey = "grant_notice"
	msgRevokeUsage   msgKey = "revoke_usage"
	msgRevokeDone    msgKey = "revoke_done"
	msgRevokeNotice  msgKey = "revoke_notice"
	msgRoleAdmin     msgKey = "role_admin"
	msgRoleSame      msgKey = "role_same"
	msgDebitUsage    msgKey = "debit_usage"
	msgDebitShort    msgKey = "debit_short"
	msgDebitDone     msgKey = "debit_done"
	msgDebitNotice   msgKey = "debit_notice"
	msgUserUsage     msgKey = "user_usage"
	msgUserInfo      msgKey = "user_info"
	msgUnreachable   msgKey = "unreachable"
	msgOrdersUsage   msgKey = "orders_usage"
	msgOrdersNone    msgKey = "orders_none"
	msgOrdersList    msgKey = "orders_list"
	msgOrderUsage    msgKey = "order_usage"
	msgOrderNotFound msgKey = "order_not_found"
	msgOrderEvent    msgKey = "order_event"
	msgOrderBulk     msgKey = "order_bulk"
	msgOrderInfo     msgKey = "order_info"
	msgStats         msgKey = "stats"
	msgSyncDone      msgKey = "sync_done"
	msgSyncPartial   msgKey = "sync_partial"
	msgNoteTooLong   msgKey = "note_too_long"
	msgKwikBalance   msgKey = "kwik_balance"
	msgUserLabel     msgKey = "user_label"

	msgBudgetExhausted msgKey = "budget_exhausted"
	msgKwikAuth        msgKey = "kwik_auth"
	msgKwikRateLimited msgKey = "kwik_rate_limited"
	msgKwikFailed      msgKey = "kwik_failed"
)

func init() {
	addMessages("en", Catalog{
		msgGrantUsage: "Use /grant USER, where USER is a Telegram user ID or a phone number, such as /grant 9876543210.",
		msgGrantDone:  "{{.User}} is now an agent and can use /bulk.",
		msgGrantNotice: "You are now an agent: send /bulk to recharge many numbers at once, " +
			"by pasting lines or sending a CSV file. /help lists your commands.",
		msgRevokeUsage:  "Use /revoke USER, where USER is a Telegram user ID or a phone number, such as /revoke 9876543210.",
		msgRevokeDone:   "{{.User}} is a customer again.",
		msgRevokeNotice: "You are no longer an agent, so /bulk is not available to you. Single recharges work as before.",
		msgRoleAdmin: "{{.User}} is an admin. Admins come from the service configuration " +
			"(ADMIN_TELEGRAM_IDS, ADMIN_WHATSAPP_NUMBERS), so change it there.",
		msgRoleSame: "{{.User}} already has the {{.Role}} role.",

		msgDebitUsage: "Use /debit USER AMOUNT NOTE, where USER is a Telegram user ID, a phone number or #ID, " +
			"AMOUNT is rupees with at most two decimals, up to ₹10,00,000, and NOTE says why, " +
			"such as /debit 9876543210 500 wrong credit on 4 Dec.",
		msgDebitShort: "{{.User}} has only {{rupees .Balance}}, less than {{rupees .Amount}}. " +
			"Debit at most {{rupees .Balance}}.",
		msgDebitDone:   "Debited {{rupees .Amount}} from {{.User}}. Their balance is now {{rupees .Balance}}.",
		msgDebitNotice: "{{rupees .Amount}} was taken from your wallet by an admin: {{.Note}}. Balance: {{rupees .Balance}}",

		msgUserUsage: "Use /user USER, where USER is a Telegram user ID or a phone number, such as /user 9876543210.",
		msgUserInfo: "{{.User}}: {{.Role}} since {{.Since}}\n" +
			"Balance: {{rupees .Balance}}\nChats: {{.Chats}}\n" +
			"{{if .Orders}}Latest orders:\n{{range .Orders}}{{.}}\n{{end}}{{else}}No orders yet.{{end}}",
		msgUnreachable: "unreachable",

		msgOrdersUsage:   "Use /orders pending, /orders failed or /orders stuck.",
		msgOrdersNone:    "No {{.List}} orders.",
		msgOrdersList:    "{{.List}} orders (at most {{.Max}}):\n{{range .Orders}}{{.}}\n{{end}}/order ORDER_ID shows one with its history.",
		msgOrderUsage:    "Use /order ORDER_ID, such as /order 26120412345678.",
		msgOrderNotFound: "There is no order {{.OrderID}}.",
		msgOrderEvent:    "{{.Time}} {{with .From}}{{.}} → {{end}}{{.To}}{{with .Note}}: {{.}}{{end}}",
		msgOrderBulk:     "Bulk run {{.RunID}}, line {{.Line}}",
		msgOrderInfo: "Order {{.OrderID}}: {{.Status}}\n" +
			"For {{.User}} · {{.Kind}} {{.Number}} · {{.Operator}} (opid {{.OperatorID}}{{with .Circle}}, circle {{.}}{{end}})\n" +
			"Amount {{rupees .Amount}}{{if .Charged}} · charged {{rupees .Charged}}{{end}}" +
			"{{with .OperatorRef}} · operator reference {{.}}{{end}} · {{.Checks}} status checks\n" +
			"Placed {{.Placed}}{{with .Bulk}} · {{.}}{{end}}{{with .Message}}\nKwikAPI: {{.}}{{end}}\n" +
			"History:\n{{range .Events}}{{.}}\n{{end}}",
		msgStats: "Today, {{.Date}} (India time):\n" +
			"Orders: {{.Total}}\nRecharged: {{rupees .Volume}} in {{.Success}} successful orders\n" +
			"Success rate: {{.Rate}} of {{.Settled}} settled ({{.Failed}} failed or refunded)\n" +
			"Waiting for a result: {{.Pending}}{{if .Stuck}} · stuck: {{.Stuck}} (/orders stuck){{end}}",
		msgSyncDone:    "The operator catalog is up to date.",
		msgNoteTooLong: "A note can have at most {{.Max}} characters. Send the command again with a shorter note.",
		msgSyncPartial: "Refreshed {{.Synced}}. The rest of the catalog was not refreshed: {{.Reason}}",
		msgKwikBalance: "KwikAPI balance: {{rupees .Balance}}",
		// Ref is tg:ID, console:NAME or #ID, which /credit, /user and the like accept back.
		// Masked is a WhatsApp number shown masked beside #ID.
		msgUserLabel: "{{if .Name}}{{.Name}} ({{.Ref}}{{with .Masked}}, wa:{{.}}{{end}})" +
			"{{else}}{{.Ref}}{{with .Masked}} (wa:{{.}}){{end}}{{end}}",

		msgBudgetExhausted: "Today's KwikAPI call budget for this is used up, so I did not call KwikAPI. " +
			"Try again after {{with .Until}}{{.}}{{else}}midnight{{end}} India time, or raise the KWIKAPI_BUDGET_* setting.",
		msgKwikAuth:        "KwikAPI rejected our API key. Check KWIKAPI_API_KEY.",
		msgKwikRateLimited: "KwikAPI is limiting our calls right now. Try again in a few minutes.",
		msgKwikFailed:      "KwikAPI did not answer properly. Try again in a few minutes; the service log has the details.",

		cmdPrefix + "debit":       "take money from a wallet: /debit USER AMOUNT NOTE",
		cmdPrefix + "grant":       "make a user an agent: /grant USER",
		cmdPrefix + "revoke":      "make an agent a customer again: /revoke USER",
		cmdPrefix + "user":        "show a user's role, balance and orders: /user USER",
		cmdPrefix + "orders":      "list orders: /orders pending|failed|stuck",
		cmdPrefix + "order":       "show one order with its history: /order ORDER_ID",
		cmdPrefix + "stats":       "show today's orders and success rate",
		cmdPrefix + "sync":        "refresh the operator catalog from KwikAPI now",
		cmdPrefix + "kwikbalance": "show the KwikAPI wallet balance",
	})
}
