package scheduler

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// The texts of the messages the scheduler sends. Customer notices show the customer's own
// number in full, because only its owner's chat receives them. Admin alerts mask every number
// with bot.Mask and never contain a secret.

// successNotice returns the customer's message that the recharge went through.
func successNotice(o models.Order) string {
	text := fmt.Sprintf("✅ Recharge successful: %s for %s (%s).", rupees(o.AmountPaise), o.Number, o.OperatorName)
	if o.OperatorRef != "" {
		text += "\nOperator reference: " + o.OperatorRef
	}
	return text + "\nOrder " + orderRef(o)
}

// failureNotice returns the customer's message that the recharge failed and the money is
// back in the wallet.
func failureNotice(o models.Order) string {
	return fmt.Sprintf("❌ Recharge failed: %s for %s (%s) did not go through.\n%s is back in your wallet.\nOrder %s",
		rupees(o.AmountPaise), o.Number, o.OperatorName, rupees(o.AmountPaise), orderRef(o))
}

// reversedNotice returns the customer's message that a successful recharge was reversed and
// refunded.
func reversedNotice(o models.Order) string {
	return fmt.Sprintf("↩️ The operator reversed your recharge of %s for %s (%s).\n%s is back in your wallet.\nOrder %s",
		rupees(o.AmountPaise), o.Number, o.OperatorName, rupees(o.AmountPaise), orderRef(o))
}

// delayedNotice returns the customer's message that the recharge is still processing after
// every regular check.
func delayedNotice(o models.Order) string {
	return fmt.Sprintf("⏳ Your recharge of %s for %s (%s) is taking longer than usual. "+
		"We are following it up and will message you when it completes. Your money is safe.\nOrder %s",
		rupees(o.AmountPaise), o.Number, o.OperatorName, orderRef(o))
}

// failedAlert returns the admins' alert that a recharge failed, with KwikAPI's message.
func failedAlert(o models.Order, kwikMessage string) string {
	return fmt.Sprintf("Recharge failed and refunded: %s. KwikAPI message: %s",
		orderSummary(o), quoteOrNone(kwikMessage))
}

// unknownToKwikAlert returns the admins' alert that an order KwikAPI has no record of was
// failed and refunded.
func unknownToKwikAlert(o models.Order) string {
	return fmt.Sprintf("Recharge failed and refunded because KwikAPI has no record of it: %s. "+
		"If KwikAPI later reports it, the daily reconciliation will show the difference.", orderSummary(o))
}

// stuckAlert returns the admins' alert about an order still pending after every regular
// check, which a person must follow up with KwikAPI support. every is the time between two
// checks of a stuck order.
func stuckAlert(o models.Order, checks int, every time.Duration) string {
	noun := "checks"
	if checks == 1 {
		noun = "check"
	}
	return fmt.Sprintf("Recharge stuck after %d %s: %s. Ask KwikAPI support about order_id %d. "+
		"The order is checked %s until it settles.", checks, noun, orderSummary(o), o.ID, checkPeriod(every))
}

// checkPeriod formats a check interval for a message: "hourly" for an hour, otherwise "every"
// and the duration without zero trailing units, such as "every 30m" or "every 1h30m".
func checkPeriod(every time.Duration) string {
	if every == time.Hour {
		return "hourly"
	}
	text := every.String()
	if strings.HasSuffix(text, "m0s") {
		text = strings.TrimSuffix(text, "0s")
	}
	if strings.HasSuffix(text, "h0m") {
		text = strings.TrimSuffix(text, "0m")
	}
	return "every " + text
}

// unstuckAlert returns the admins' alert about how a stuck order settled, with KwikAPI's message.
func unstuckAlert(o models.Order, status models.OrderStatus, kwikMessage string) string {
	return fmt.Sprintf("Stuck recharge settled as %s: %s. KwikAPI message: %s",
		status, orderSummary(o), quoteOrNone(kwikMessage))
}

// reversedAlert returns the admins' alert that KwikAPI refunded a recharge that had succeeded.
func reversedAlert(o models.Order) string {
	return fmt.Sprintf("KwikAPI refunded a recharge after reporting success: %s. "+
		"The customer's wallet was credited %s.", orderSummary(o), rupees(o.AmountPaise))
}

// lowBalanceAlert returns the admins' alert that the KwikAPI wallet is running low.
func lowBalanceAlert(balancePaise, thresholdPaise int64) string {
	return fmt.Sprintf("KwikAPI wallet balance is %s, below the alert level of %s. "+
		"Top it up before recharges start failing.", rupees(balancePaise), rupees(thresholdPaise))
}

// authAlert returns the admins' alert that KwikAPI rejected the API key.
func authAlert(detail string) string {
	return "KwikAPI rejected the API key: " + detail +
		". Check KWIKAPI_API_KEY and the IP whitelist in the KwikAPI dashboard."
}

// timeoutsAlert returns the admins' alert that KwikAPI calls keep timing out.
func timeoutsAlert(run int, last string) string {
	return fmt.Sprintf("%d KwikAPI calls in a row timed out or got no clear reply. The last one: %s. "+
		"Recharges made meanwhile stay pending until KwikAPI answers.", run, last)
}

// jobFailedAlert returns the admins' alert that a periodic job such as the catalog sync failed.
func jobFailedAlert(job, detail string) string {
	return fmt.Sprintf("Scheduled job %s failed: %s", job, detail)
}

// heldBackSuffix is appended to an alert sent after others with the same key were held back.
func heldBackSuffix(heldBack int) string {
	switch {
	case heldBack <= 0:
		return ""
	case heldBack == 1:
		return "\n(1 more alert like this was held back in the last hour.)"
	default:
		return fmt.Sprintf("\n(%d more alerts like this were held back in the last hour.)", heldBack)
	}
}

// orderSummary describes an order for admins: id, amount, operator, masked number and user.
func orderSummary(o models.Order) string {
	return fmt.Sprintf("order %d, %s %s to %s, user #%d", o.ID, rupees(o.AmountPaise), o.OperatorName, bot.Mask(o.Number), o.UserID)
}

// orderRef is the order id as customers quote it to support.
func orderRef(o models.Order) string { return strconv.FormatInt(o.ID, 10) }

// quoteOrNone quotes a KwikAPI message for an admin, with any mobile number in it masked.
func quoteOrNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return strconv.Quote(bot.MaskNumbers(s))
}

// rupees formats paise as "₹199" or "₹9.62".
func rupees(paise int64) string {
	sign := ""
	if paise < 0 {
		sign = "-"
		paise = -paise
	}
	if paise%100 == 0 {
		return fmt.Sprintf("%s₹%d", sign, paise/100)
	}
	return fmt.Sprintf("%s₹%d.%02d", sign, paise/100, paise%100)
}

// phoneLike matches runs of 10 to 13 digits: Indian mobile numbers with or without the 91
// country code. Order ids have 14 digits and are left alone.
var phoneLike = regexp.MustCompile(`\b\d{10,13}\b`)

// maxDetail is the length at which free text from errors is cut in an alert.
const maxDetail = 300

// scrub makes free text such as an error message fit for an alert: every secret is replaced,
// phone-like numbers are masked and the text is cut to maxDetail bytes.
func scrub(text string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			text = strings.ReplaceAll(text, secret, "[redacted]")
		}
	}
	text = phoneLike.ReplaceAllStringFunc(text, bot.Mask)
	if len(text) > maxDetail {
		text = strings.ToValidUTF8(text[:maxDetail], "") + "…"
	}
	return text
}
