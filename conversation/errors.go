package conversation

import (
	"errors"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// userErrors maps the errors a user may see to the catalogue text shown for them, first
// match first. Every other error is logged and the user gets msgInternalError. A not-found
// means something different for each lookup, so the code that looks up handles it.
var userErrors = []struct {
	err error
	key msgKey
}{
	{kwik.ErrOperatorUnavailable, msgErrOperatorDown},
	{kwik.ErrInvalidParams, msgErrRejected},
	{kwik.ErrInsufficientBalance, msgErrServiceDown},
	{kwik.ErrAuth, msgErrServiceDown},
	{kwik.ErrRateLimited, msgErrServiceDown},
	{models.ErrAmbiguousUser, msgUserAmbiguous},
	{models.ErrSavedNumbersFull, msgTooManyNumbers},
	{models.ErrVersionConflict, msgRetryMessage},
}

// userMessage returns the text key for err, and false when err is internal.
func userMessage(err error) (msgKey, bool) {
	for _, e := range userErrors {
		if errors.Is(err, e.err) {
			return e.key, true
		}
	}
	return "", false
}

// refusalReason returns the text key shown to a customer when KwikAPI refused a recharge with err.
// Refusals that are not theirs to fix (an exhausted budget, the merchant's KwikAPI wallet)
// read as the service being unavailable.
func refusalReason(err error) msgKey {
	if key, ok := userMessage(err); ok {
		return key
	}
	return msgErrServiceDown
}
