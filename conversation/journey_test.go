package conversation

import (
	"testing"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

func TestJourneySuccess(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)

		out := h.send(customerID, "/start")
		wantText(t, out, "Welcome", "₹500")

		out = h.send(customerID, "98765 43210")
		wantText(t, out, "9876543210 is on Airtel")
		out = h.press(customerID, optionData(t, out, "Show plans"))
		out = h.send(customerID, "1")
		wantText(t, out, "(1/")
		out = h.send(customerID, "1")
		wantText(t, out, "Please confirm", "Number: 9876543210", "Operator: Airtel", "Wallet: ₹500 now")

		out = h.press(customerID, optionData(t, out, "Pay"))
		order := h.onlyOrder(customerID)
		wantText(t, out, "being processed", "order ")

		if order.Status != models.StatusSuccess {
			t.Errorf("order status = %s, want success", order.Status)
		}
		if got, want := h.balance(customerID), 50000-order.AmountPaise; got != want {
			t.Errorf("balance = %d, want %d", got, want)
		}
		if n := h.sim.RechargeCalls(itoa(order.ID)); n != 1 {
			t.Errorf("recharge calls = %d, want 1", n)
		}
		notices := h.outbox(customerID)
		if len(notices) != 1 {
			t.Fatalf("outbox for the customer = %q, want one result", notices)
		}
		wantText(t, outs(notices[0]), "Recharge successful", "Operator reference:", itoa(order.ID))
		if h.notified.Load() == 0 {
			t.Error("Notify was not called")
		}
		if got := h.state(customerID); got != stateDone {
			t.Errorf("state = %s, want done", got)
		}
	})
}

var _ = kwik.StatusSuccess
