package conversation

import (
	"fmt"
	"strings"
	"text/template"
)

// msgKey names one chat text in a Catalog.
type msgKey string

// Catalog maps every message key to a text/template in one language. Templates receive a
// vars map and may call rupees (paise → "₹199") and masked (a number hidden but for its last
// four digits). A translation is a second Catalog with the same keys, added to catalogs.
type Catalog map[msgKey]string

// catalogs holds the languages the engine can speak, by Config.Language.
var catalogs = map[string]Catalog{"en": english}

// vars carries the values a template refers to, such as {{.Amount}}.
type vars map[string]any

// The message keys. Option labels start with opt, command descriptions with cmd.
const (
	msgWelcome          msgKey = "welcome"
	msgSimulation       msgKey = "simulation"
	msgHelp             msgKey = "help"
	msgHintIdle         msgKey = "hint_idle"
	msgExpired          msgKey = "expired"
	msgCancelled        msgKey = "cancelled"
	msgNothingToCancel  msgKey = "nothing_to_cancel"
	msgNothingToGoBack  msgKey = "nothing_to_go_back"
	msgStartOver        msgKey = "start_over"
	msgStaleButton      msgKey = "stale_button"
	msgInternalError    msgKey = "internal_error"
	msgRetryMessage     msgKey = "retry_message"
	msgPayRestarting    msgKey = "pay_restarting"
	msgUnknownCommand   msgKey = "unknown_command"
	msgNotAllowed       msgKey = "not_allowed"
	msgAskNumber        msgKey = "ask_number"
	msgHintNumber       msgKey = "hint_number"
	msgDetectFailed     msgKey = "detect_failed"
	msgOperatorUnknown  msgKey = "operator_unknown"
	msgConfirmOperator  msgKey = "confirm_operator"
	msgHintConfirmOp    msgKey = "hint_confirm_operator"
	msgChooseOperator   msgKey = "choose_operator"
	msgHintOperator     msgKey = "hint_operator"
	msgChooseCircle     msgKey = "choose_circle"
	msgHintCircle       msgKey = "hint_circle"
	msgNoOperators      msgKey = "no_operators"
	msgPlanGroups       msgKey = "plan_groups"
	msgPlanPage         msgKey = "plan_page"
	msgPlansUnavailable msgKey = "plans_unavailable"
	msgPlanChanged      msgKey = "plan_changed"
	msgOffersGroup      msgKey = "offers_group"
	msgDays             msgKey = "days"
	msgHintPlan         msgKey = "hint_plan"
	msgAskAmount        msgKey = "ask_amount"
	msgBadAmount        msgKey = "bad_amount"
	msgAmountRange      msgKey = "amount_range"
	msgConfirm          msgKey = "confirm"
	msgRecentWarning    msgKey = "recent_warning"
	msgShortfall        msgKey = "shortfall"
	msgHintConfirm      msgKey = "hint_confirm"
	msgStaleConfirm     msgKey = "stale_confirm"
	msgInsufficient     msgKey = "insufficient"
	msgProcessing       msgKey = "processing"
	msgAlreadyPlaced    msgKey = "already_placed"
	msgPayingNoCancel   msgKey = "paying_no_cancel"
	msgResultSuccess    msgKey = "result_success"
	msgResultFailure    msgKey = "result_failure"
	msgResultPending    msgKey = "result_pending"
	msgResultUnknown    msgKey = "result_unknown"
	msgAlertFailure     msgKey = "alert_failure"
	msgChooseDTH        msgKey = "choose_dth"
	msgAskSubscriber    msgKey = "ask_subscriber"
	msgBadSubscriber    msgKey = "bad_subscriber"
	msgFormat10From3    msgKey = "format_10_from_3"
	msgFormat11From0    msgKey = "format_11_from_0"
	msgFormat10From1    msgKey = "format_10_from_1"
	msgFormatDigits     msgKey = "format_digits"
	msgBalance          msgKey = "balance"
	msgHistoryEmpty     msgKey = "history_empty"
	msgHistoryPage      msgKey = "history_page"
	msgStatusUsage      msgKey = "status_usage"
	msgStatusNotFound   msgKey = "status_not_found"
	msgStatus           msgKey = "status"
	msgRepeatNone       msgKey = "repeat_none"
	msgNumbersList      msgKey = "numbers_list"
	msgNumbersEmpty     msgKey = "numbers_empty"
	msgNumbersUsage     msgKey = "numbers_usage"
	msgNumberSaved      msgKey = "number_saved"
	msgNumberRemoved    msgKey = "number_removed"
	msgNumberNotFound   msgKey = "number_not_found"
	msgBadNickname      msgKey = "bad_nickname"
	msgTooManyNumbers   msgKey = "too_many_numbers"
	msgCreditUsage      msgKey = "credit_usage"
	msgCreditDone       msgKey = "credit_done"
	msgCreditNotice     msgKey = "credit_notice"
	msgUserNotFound     msgKey = "user_not_found"
	msgUserAmbiguous    msgKey = "user_ambiguous"

	msgErrOperatorDown msgKey = "err_operator_down"
	msgErrServiceDown  msgKey = "err_service_down"
	msgErrRejected     msgKey = "err_rejected"
	msgErrDeclined     msgKey = "err_declined"

	statusPrefix msgKey = "status_" // + models.OrderStatus

	optShowPlans      msgKey = "opt_show_plans"
	optTypeAmount     msgKey = "opt_type_amount"
	optChangeOperator msgKey = "opt_change_operator"
	optChangeCircle   msgKey = "opt_change_circle"
	optBack           msgKey = "opt_back"
	optCancel         msgKey = "opt_cancel"
	optMore           msgKey = "opt_more"
	optPay            msgKey = "opt_pay"
	optMobile         msgKey = "opt_mobile"
	optDTH            msgKey = "opt_dth"
	optBalance        msgKey = "opt_balance"
	optHistory        msgKey = "opt_history"
	optOlder          msgKey = "opt_older"
	optRepeat         msgKey = "opt_repeat"
	optStatus         msgKey = "opt_status"

	cmdPrefix msgKey = "cmd_" // + command name
)

// english is the default catalogue.
var english = Catalog{
	msgWelcome: "Welcome{{with .Name}}, {{.}}{{end}}! I recharge prepaid mobiles and DTH connections from your wallet.\n" +
		"Wallet balance: {{rupees .Balance}}\n\n" +
		"Send a 10-digit mobile number to start, or choose below.",
	msgSimulation: "This is a simulation: recharges go to a built-in test server and no real money moves.",
	msgHelp: "What I can do:\n{{range .Commands}}/{{.Name}} – {{.Description}}\n{{end}}\n" +
		"Shortcuts: send a mobile number such as 9876543210 to start, or a number and an amount " +
		"such as 9876543210 199 to go straight to the confirmation. " +
		"In every list you can type the option's number or its name.",
	msgHintIdle: "I did not understand that. Send a 10-digit mobile number such as 9876543210, " +
		"/dth for a DTH recharge, or /help for everything I can do.",
	msgExpired: "Your previous conversation was idle for more than " +
		"{{if .Minutes}}{{.Minutes}} minute{{if ne .Minutes 1}}s{{end}}{{else}}{{.Seconds}} second{{if ne .Seconds 1}}s{{end}}{{end}}, so I closed it.",
	msgCancelled:       "Cancelled. Send a mobile number or /recharge to start again.",
	msgNothingToCancel: "There is nothing to cancel. Send a mobile number to start a recharge.",
	msgNothingToGoBack: "There is nothing to go back to. Send a mobile number to start a recharge, or /help.",
	msgStartOver:       "Send a 10-digit mobile number to recharge, or /dth for a DTH recharge.",
	msgStaleButton:     "That button belongs to an earlier message. Use the options of the latest message, or /cancel to start again.",
	msgInternalError: "Sorry, something went wrong on our side. Please try again in a minute. " +
		"If you had tapped Pay, check /history before paying again.",
	msgRetryMessage:   "Your message crossed with another one. Please send it again.",
	msgPayRestarting:  "The service is restarting, so nothing was charged. Tap Pay again in a minute.",
	msgUnknownCommand: "I do not know the command /{{.Name}}. Send /help for the list.",
	msgNotAllowed:     "You are not allowed to use /{{.Name}}.",

	msgAskNumber: "Send the 10-digit mobile number to recharge, such as 9876543210. " +
		"You can add the amount too: 9876543210 199.",
	msgHintNumber:   "That is not a mobile number. Type 10 digits starting with 6, 7, 8 or 9, such as 9876543210, or /cancel.",
	msgDetectFailed: "I could not look up the operator of {{.Number}} right now, so please choose it.",
	msgOperatorUnknown: "{{.Number}} is on {{.Operator}}, which I cannot recharge at the moment. " +
		"Choose the operator yourself if that is wrong, or /cancel.",
	msgConfirmOperator: "{{.Number}} is on {{.Operator}} · {{.Circle}}{{if .Ported}} (ported number){{end}}. Is that right?",
	msgHintConfirmOp:   "Choose one of the options by its number or name, type an amount such as 199, or /cancel.",
	msgChooseOperator:  "Choose the operator of {{.Number}}:",
	msgHintOperator:    "Type the number or the name of an operator from the list, or /back.",
	msgChooseCircle:    "Choose the circle (state) of {{.Number}}, or type its name, such as Delhi:",
	msgHintCircle:      "I do not know that circle. Type a circle name such as Delhi or Maharashtra, the number of an option, or /back.",
	msgNoOperators:     "The operator list is not loaded yet, so I cannot take recharges right now. Please try again later.",

	msgPlanGroups: "Plans for {{.Operator}}{{with .Circle}} · {{.}}{{end}}. Choose a category, or type the amount, such as ₹199 (a bare number picks an option):",
	msgPlanPage: "{{.Group}} ({{.Page}}/{{.Pages}}):\n\n{{range .Plans}}{{.Label}}\n{{with .Description}}{{.}}\n{{end}}\n{{end}}" +
		"Choose a plan, or type the amount with ₹, such as ₹199 (a bare number picks an option).",
	msgPlansUnavailable: "I could not load the plans of {{.Operator}} right now. Type the amount in rupees, such as 199.",
	msgPlanChanged:      "That plan is no longer offered. Please choose again.",
	msgOffersGroup:      "Offers for you",
	msgDays:             "{{.N}} days",
	msgHintPlan:         "Choose a plan or category by its number, type the amount such as 199, or /back.",

	msgAskAmount: "Type the amount in rupees for {{.Operator}}, from {{rupees .Min}} to {{rupees .Max}}, such as 199.",
	msgBadAmount: "That is not an amount. Type rupees as digits, such as 199 or 199.50.",
	msgAmountRange: "{{.Operator}} accepts recharges from {{rupees .Min}} to {{rupees .Max}}. " +
		"Type an amount in that range.",

	msgConfirm: "Please confirm your recharge:\n" +
		"{{if eq .Kind \"dth\"}}Subscriber ID{{else}}Number{{end}}: {{.Number}}\n" +
		"Operator: {{.Operator}}{{with .Circle}} · {{.}}{{end}}\n" +
		"Amount: {{rupees .Amount}}\n" +
		"{{with .Plan}}Plan: {{.}}\n{{end}}" +
		"Wallet: {{rupees .Balance}} now{{if ge .After 0}}, {{rupees .After}} after paying{{end}}",
	msgRecentWarning: "Note: {{.Number}} was already recharged with {{rupees .Amount}} at {{.Time}}. Pay again only if you mean to.",
	msgShortfall:     "Your wallet is short by {{rupees .Missing}}. Ask an admin to add money, then tap Pay.",
	msgHintConfirm:   "Tap Pay to recharge, or choose Back or Cancel.",
	msgStaleConfirm:  "That confirmation is out of date. Here is the current one:",
	msgInsufficient: "Your wallet has {{rupees .Balance}} but this recharge needs {{rupees .Amount}}: " +
		"{{rupees .Missing}} more. Ask an admin to add money, then tap Pay again.",
	msgProcessing: "Your recharge of {{rupees .Amount}} for {{.Number}} is being processed (order {{.OrderID}}). " +
		"I will send the result here.",
	msgAlreadyPlaced: "This recharge was already placed: order {{.OrderID}}, {{.Status}}. Send /status {{.OrderID}} for details.",
	msgPayingNoCancel: "Your payment for order {{.OrderID}} is already being processed and cannot be cancelled. " +
		"I will send the result here.",

	msgResultSuccess: "✅ Recharge successful: {{rupees .Amount}} to {{.Number}} ({{.Operator}}).\n" +
		"Operator reference: {{.OperatorRef}}\nOrder: {{.OrderID}}",
	msgResultFailure: "❌ Recharge failed: {{rupees .Amount}} to {{.Number}} ({{.Operator}}). {{.Reason}}\n" +
		"{{rupees .Amount}} has been refunded to your wallet.\nOrder: {{.OrderID}}",
	msgResultPending: "⏳ Your recharge of {{rupees .Amount}} to {{.Number}} ({{.Operator}}) is pending with the operator. " +
		"I will message you when it completes; if it fails, the money is refunded.\nOrder: {{.OrderID}}",
	msgResultUnknown: "⏳ The operator has not confirmed your recharge of {{rupees .Amount}} to {{.Number}} ({{.Operator}}) yet. " +
		"I am checking and will message you; if it fails, the money is refunded.\nOrder: {{.OrderID}}",
	msgAlertFailure: "Recharge failed: order {{.OrderID}}, user #{{.UserID}}, {{.Operator}}, {{rupees .Amount}} to {{masked .Number}}, refunded. " +
		"KwikAPI said: {{with .KwikMessage}}{{.}}{{else}}no reason{{end}}." +
		"{{if .WalletShort}} The KwikAPI wallet is too low: top it up, or every recharge fails.{{end}}" +
		"{{if .KeyRejected}} KwikAPI rejected the API key: check KWIKAPI_API_KEY and the IP whitelist.{{end}}",

	msgChooseDTH:     "Choose your DTH operator:",
	msgAskSubscriber: "Type the subscriber ID of your {{.Operator}} connection{{with .Format}} ({{.}}){{end}}.",
	msgBadSubscriber: "That is not a valid {{.Operator}} subscriber ID. Type {{.Format}}, or /back.",
	msgFormat10From3: "10 digits starting with 3",
	msgFormat11From0: "11 digits starting with 0",
	msgFormat10From1: "10 digits starting with 1",
	msgFormatDigits:  "6 to 16 digits",

	msgBalance:        "Wallet balance: {{rupees .Balance}}",
	msgHistoryEmpty:   "You have no recharges yet. Send a mobile number to start one.",
	msgHistoryPage:    "Your recharges{{if gt .Page 1}} (page {{.Page}}){{end}}:\n{{range .Orders}}{{.}}\n{{end}}",
	msgStatusUsage:    "Type /status and an order number, such as /status 26120412345678. /history lists your orders.",
	msgStatusNotFound: "You have no order {{.OrderID}}. /history lists your orders.",
	msgStatus: "Order {{.OrderID}}: {{rupees .Amount}} to {{.Number}} ({{.Operator}}), {{.Status}}.\n" +
		"{{with .OperatorRef}}Operator reference: {{.}}\n{{end}}Placed {{.Time}}",
	msgRepeatNone: "You have no earlier recharge to repeat. Send a mobile number to start one.",

	msgNumbersList:    "Your saved numbers:\n{{range .Numbers}}{{.}}\n{{end}}\nType a name to recharge that number.",
	msgNumbersEmpty:   "You have no saved numbers. Save one with /numbers add NAME NUMBER, such as /numbers add mom 9876543210.",
	msgNumbersUsage:   "Use /numbers to list, /numbers add NAME NUMBER to save, /numbers remove NAME to delete.",
	msgNumberSaved:    "Saved {{.Name}}: {{.Number}}. Type {{.Name}} to recharge it.",
	msgNumberRemoved:  "Removed {{.Name}}.",
	msgNumberNotFound: "You have no saved number called {{.Name}}. /numbers lists them.",
	msgBadNickname: "A name has 1 to 20 letters, digits, - or _, starts with a letter and is not a word I use " +
		"(such as back or cancel). Try another name.",
	msgTooManyNumbers: "You can save up to {{.Max}} numbers. Remove one first with /numbers remove NAME.",

	msgCreditUsage: "Use /credit USER AMOUNT [note], where USER is a Telegram user ID, a phone number or #ID and " +
		"AMOUNT is rupees with at most two decimals, up to ₹10,00,000, such as /credit 9876543210 500 cash received.",
	msgCreditDone:   "Credited {{rupees .Amount}} to {{.User}}. Their balance is now {{rupees .Balance}}.",
	msgCreditNotice: "{{rupees .Amount}} has been added to your wallet. Balance: {{rupees .Balance}}",
	msgUserNotFound: "No user matches {{.Ref}}. Use their Telegram user ID, their WhatsApp number " +
		"with or without 91, or the #ID that admin replies show.",
	msgUserAmbiguous: "More than one user matches {{.Ref}}. Use tg:ID or wa:NUMBER to pick one.",

	msgErrOperatorDown: "The operator is not accepting recharges right now. Please try again later.",
	msgErrServiceDown:  "Recharges are unavailable right now. Please try again later.",
	msgErrRejected:     "The operator rejected the number or the amount.",
	msgErrDeclined:     "The operator declined it.",

	statusPrefix + "sending":  "being sent",
	statusPrefix + "success":  "successful",
	statusPrefix + "failure":  "failed and refunded",
	statusPrefix + "pending":  "pending",
	statusPrefix + "unknown":  "being confirmed",
	statusPrefix + "stuck":    "delayed, our team is checking it",
	statusPrefix + "refunded": "refunded",

	optShowPlans:      "Show plans",
	optTypeAmount:     "Type amount",
	optChangeOperator: "Change operator",
	optChangeCircle:   "Change circle",
	optBack:           "Back",
	optCancel:         "Cancel",
	optMore:           "More",
	optPay:            "Pay {{rupees .Amount}}",
	optMobile:         "Mobile recharge",
	optDTH:            "DTH recharge",
	optBalance:        "Balance",
	optHistory:        "History",
	optOlder:          "Older",
	optRepeat:         "Repeat last",
	optStatus:         "Status of {{.OrderID}}",

	cmdPrefix + "start":    "start over and see your balance",
	cmdPrefix + "help":     "list what I can do",
	cmdPrefix + "recharge": "recharge a prepaid mobile",
	cmdPrefix + "dth":      "recharge a DTH connection",
	cmdPrefix + "cancel":   "stop the current recharge",
	cmdPrefix + "back":     "go back one step",
	cmdPrefix + "balance":  "show your wallet balance",
	cmdPrefix + "history":  "list your last recharges",
	cmdPrefix + "status":   "show one order: /status ORDER_ID",
	cmdPrefix + "repeat":   "repeat your last recharge",
	cmdPrefix + "numbers":  "list, add or remove saved numbers",
	cmdPrefix + "credit":   "add money to a wallet: /credit USER AMOUNT [note]",
}

var templateFuncs = template.FuncMap{
	"rupees": formatRupees,
	"masked": maskNumber,
}

// texts is a Catalog compiled once.
type texts map[msgKey]*template.Template

// compile parses every template of c, so a broken translation fails at New, not in a chat.
func compile(c Catalog) (texts, error) {
	out := make(texts, len(c))
	for key, text := range c {
		tmpl, err := template.New(string(key)).Funcs(templateFuncs).Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("parse message %s: %w", key, err)
		}
		out[key] = tmpl
	}
	for key := range english {
		if _, ok := out[key]; !ok {
			return nil, fmt.Errorf("parse catalogue: message %s is missing", key)
		}
	}
	return out, nil
}

// render fills the template of key with v. A failing template is a programming error, so it
// returns the key itself rather than leaving the user without a reply.
func (t texts) render(key msgKey, v vars) string {
	tmpl, ok := t[key]
	if !ok {
		return string(key)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, v); err != nil {
		return string(key)
	}
	return strings.TrimRight(b.String(), "\n ")
}
