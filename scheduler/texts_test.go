package scheduler

import (
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/models"
)

func TestAdminAlertsMaskNumberInKwikMessage(t *testing.T) {
	const number = "9876543210"
	order := models.Order{ID: 26120512345678, UserID: 7, Number: number, OperatorName: "Airtel", AmountPaise: 1100}
	kwikMessage := "Recharge of Rs 11 on " + number + " failed at the operator"

	alerts := map[string]string{
		"failed":  failedAlert(order, kwikMessage),
		"unstuck": unstuckAlert(order, models.StatusFailure, kwikMessage),
	}
	for name, text := range alerts {
		if strings.Contains(text, number) {
			t.Errorf("%s alert contains the full number: %q", name, text)
		}
		if !strings.Contains(text, "on ******3210 failed") {
			t.Errorf("%s alert lacks the masked KwikAPI message: %q", name, text)
		}
	}
}
