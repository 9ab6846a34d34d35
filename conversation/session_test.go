package conversation

import (
	"context"
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/models"
)

// putSession stores a conversation of chat user id in state with a flow that fits it.
func (h *harness) putSession(id, state string) {
	h.t.Helper()
	u := h.user(id)
	f := flow{
		Kind: models.KindMobile, Number: "9876543210", OperatorID: "1", OperatorName: "Airtel",
		CircleCode: "1", CircleName: "Delhi", Detected: true, AmountPaise: 19900,
		ConfirmFrom: stateEnteringAmount, AmountFrom: stateConfirmingOperator, CircleFrom: stateConfirmingOperator,
		Token: "t0", Seen: h.clock.Now(),
	}
	if state == stateChoosingDTH || state == stateAwaitingSubscriber {
		f = flow{Kind: models.KindDTH, Number: "1234567890", OperatorID: "27", OperatorName: "Tata Play", Seen: h.clock.Now()}
	}
	data, err := f.encode()
	if err != nil {
		h.t.Fatal(err)
	}
	session := models.Session{Key: "telegram:" + id, UserID: u.ID, State: state, Data: data}
	if err := h.store.SaveSession(context.Background(), &session); err != nil {
		h.t.Fatalf("save session: %v", err)
	}
}

func TestCancelFromEveryState(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		for i, state := range allStates {
			t.Run(state, func(t *testing.T) {
				user := itoa(int64(2000 + i))
				h.putSession(user, state)

				out := h.send(user, "/cancel")
				want := map[string]string{
					stateIdle: "nothing to cancel", stateDone: "nothing to cancel", statePaying: "cannot be cancelled",
				}[state]
				if want == "" {
					want = "Cancelled"
				}
				wantText(t, out, want)
				if got := h.state(user); got != stateIdle && got != stateDone {
					t.Errorf("state after /cancel = %s, want idle", got)
				}
				if orders := h.orders(user); len(orders) != 0 {
					t.Errorf("orders = %d, want none", len(orders))
				}
			})
		}
	})
}

func TestBackFromEveryState(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		for i, state := range allStates {
			t.Run(state, func(t *testing.T) {
				user := itoa(int64(3000 + i))
				h.putSession(user, state)
				f, _ := decodeFlow("")
				if state == stateChoosingDTH || state == stateAwaitingSubscriber {
					f.Kind = models.KindDTH
				} else {
					f = flow{Detected: true, ConfirmFrom: stateEnteringAmount, AmountFrom: stateConfirmingOperator, CircleFrom: stateConfirmingOperator}
				}
				want := backTarget(state, f)

				out := h.send(user, "back")
				got := h.state(user)
				switch {
				case want != "" && got != want:
					t.Errorf("state after back = %s, want %s\n%s", got, want, text(out))
				case want == "" && state != statePaying && got != state:
					t.Errorf("state after back = %s, want it to stay %s", got, state)
				case want == "" && state != statePaying:
					wantText(t, out, "nothing to go back to")
				}
			})
		}
	})
}

// TestBackTargetsAreTransitions checks that every state "back" can lead to is a transition of
// the state machine, so "back" never fails.
func TestBackTargetsAreTransitions(t *testing.T) {
	flows := []flow{
		{Kind: models.KindMobile},
		{Kind: models.KindMobile, Detected: true, CircleFrom: stateChoosingOperator, ConfirmFrom: stateChoosingPlan, AmountFrom: stateChoosingPlan},
		{Kind: models.KindDTH, AmountFrom: stateAwaitingSubscriber},
		{Kind: models.KindMobile, AmountFrom: stateConfirmingOperator, CircleFrom: stateConfirmingOperator},
	}
	for _, state := range allStates {
		for _, f := range flows {
			target := backTarget(state, f)
			if target == "" {
				continue
			}
			m := newMachine(state)
			if err := m.Event(context.Background(), evBackPrefix+target); err != nil {
				t.Errorf("back from %s to %s: %v", state, target, err)
			}
		}
	}
}

func TestEveryStateHasSpec(t *testing.T) {
	for _, state := range allStates {
		spec, ok := states[state]
		if !ok {
			t.Errorf("state %s has no spec", state)
			continue
		}
		if spec.hint == "" {
			t.Errorf("state %s has no hint", state)
		}
	}
}

func TestUnknownInputSaysWhatToType(t *testing.T) {
	want := map[string]string{
		stateIdle:               "Send a 10-digit mobile number",
		stateDone:               "Send a 10-digit mobile number",
		stateAwaitingNumber:     "Type 10 digits starting with 6, 7, 8 or 9",
		stateConfirmingOperator: "type an amount such as 199",
		stateChoosingOperator:   "Type the number or the name of an operator",
		stateChoosingCircle:     "Type a circle name such as Delhi",
		stateChoosingPlan:       "type the amount such as 199",
		stateEnteringAmount:     "Type rupees as digits",
		stateConfirming:         "Tap Pay",
		statePaying:             "Send a 10-digit mobile number",
		stateChoosingDTH:        "Type the number or the name of an operator",
		stateAwaitingSubscriber: "Type 10 digits starting with 1",
	}
	eachEngine(t, func(t *testing.T, h *harness) {
		for i, state := range allStates {
			t.Run(state, func(t *testing.T) {
				user := itoa(int64(4000 + i))
				h.putSession(user, state)
				out := h.send(user, "qwerty?!")
				wantText(t, out, want[state])
				if got := h.state(user); got != state && !(state == statePaying) {
					t.Errorf("state = %s, want %s unchanged", got, state)
				}
			})
		}
	})
}

func TestStaleButton(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		out := h.send(customerID, "9876543210 199")
		oldPay := optionData(t, out, "Pay")
		h.send(customerID, "back")
		out = h.send(customerID, "250")
		wantText(t, out, "Amount: ₹250")

		out = h.press(customerID, oldPay)
		wantText(t, out, "out of date", "Amount: ₹250")
		if len(h.orders(customerID)) != 0 {
			t.Error("a stale Pay placed an order")
		}

		out = h.press(customerID, "op:1")
		wantText(t, out, "earlier message")
	})
}

func TestTypedOptions(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		out := h.send(customerID, "/start")
		if got := optionData(t, out, "Mobile recharge"); got != "/recharge" {
			t.Fatalf("Mobile recharge data = %q", got)
		}
		out = h.send(customerID, "MOBILE RECHARGE")
		wantText(t, out, "Send the 10-digit mobile number")
		out = h.send(customerID, "+91 98765-43210")
		wantText(t, out, "9876543210 is on Airtel")
		out = h.send(customerID, "Type Amount")
		wantText(t, out, "Type the amount in rupees for Airtel")
	})
}

func TestRecentSuccessWarns(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 100000)
		out := h.send(customerID, "9876543210 199")
		if strings.Contains(text(out), "already recharged") {
			t.Fatalf("first confirmation warns:\n%s", text(out))
		}
		h.send(customerID, "pay")

		out = h.send(customerID, "9876543210 199")
		wantText(t, out, "already recharged with ₹199", "Pay again only if you mean to")
		if optionData(t, out, "Pay") == "" {
			t.Error("the warning blocked payment")
		}
	})
}
