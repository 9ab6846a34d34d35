package conversation

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
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
		wantText(t, out, "being processed", itoa(order.ID))

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
		wantText(t, outs(notices[0]), "Recharge successful", "Operator reference: ", itoa(order.ID))
		if h.notified.Load() == 0 {
			t.Error("Notify was not called")
		}
		if got := h.state(customerID); got != stateDone {
			t.Errorf("state = %s, want done", got)
		}
		h.wantNoFullNumberInLogs("9876543210")
	})
}

func TestJourneyFailureRefunds(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		h.send(customerID, "/start")

		out := h.send(customerID, "9876500001 199")
		out = h.press(customerID, optionData(t, out, "Pay"))
		order := h.onlyOrder(customerID)

		if order.Status != models.StatusFailure {
			t.Errorf("order status = %s, want failure", order.Status)
		}
		if got := h.balance(customerID); got != 50000 {
			t.Errorf("balance = %d, want 50000 after the refund", got)
		}
		h.wantLedgerMatches(customerID)
		wantText(t, outs(h.outbox(customerID)...), "Recharge failed", "refunded", itoa(order.ID))

		alerts := h.outbox(adminID)
		if len(alerts) != 1 {
			t.Fatalf("admin alerts = %q, want one", alerts)
		}
		wantText(t, outs(alerts[0]), itoa(order.ID), "******0001", "KwikAPI said: Transaction Failed.")
		if strings.Contains(alerts[0], "9876500001") {
			t.Errorf("admin alert shows the customer's full number: %q", alerts[0])
		}
		h.wantNoFullNumberInLogs("9876500001")
	})
}

// TestJourneyOpenOutcomes covers the recharge replies that leave the result open: the order
// waits for the resolver, the money stays debited and the recharge is sent exactly once.
func TestJourneyOpenOutcomes(t *testing.T) {
	cases := map[string]struct {
		number string
		want   models.OrderStatus
		notice string
	}{
		"pending":      {"9876500002", models.StatusPending, "pending with the operator"},
		"timeout":      {"9876500005", models.StatusUnknown, "has not confirmed"},
		"server error": {"9876500006", models.StatusUnknown, "has not confirmed"},
		"html reply":   {"9876500007", models.StatusUnknown, "has not confirmed"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			eachEngine(t, func(t *testing.T, h *harness) {
				h.fund(customerID, 50000)
				out := h.send(customerID, tc.number+" 199")
				out = h.press(customerID, optionData(t, out, "Pay"))
				wantText(t, out, "being processed")
				order := h.onlyOrder(customerID)

				if order.Status != tc.want {
					t.Errorf("order status = %s, want %s", order.Status, tc.want)
				}
				if n := h.sim.RechargeCalls(itoa(order.ID)); n != 1 {
					t.Errorf("recharge calls = %d, want exactly 1", n)
				}
				if h.sim.Calls(kwik.EndpointRecharge) != 1 {
					t.Errorf("recharge.php calls = %d, want 1", h.sim.Calls(kwik.EndpointRecharge))
				}
				wantNext := h.clock.Now().Add(DefaultPendingCheckInterval)
				if order.NextCheckAt == nil || !order.NextCheckAt.Equal(wantNext) {
					t.Errorf("NextCheckAt = %v, want %v", order.NextCheckAt, wantNext)
				}
				if got := h.balance(customerID); got != 50000-19900 {
					t.Errorf("balance = %d, want the amount held until the outcome is known", got)
				}
				wantText(t, outs(h.outbox(customerID)...), tc.notice, itoa(order.ID))
				if alerts := h.outbox(adminID); len(alerts) != 0 {
					t.Errorf("admin alerts = %q, want none for an open outcome", alerts)
				}
			})
		})
	}
}

// TestJourneyRefusedRecharge covers KwikAPI refusing the request (no money moved there): the
// order fails and the customer is refunded.
func TestJourneyRefusedRecharge(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		out := h.send(customerID, "9876543210 199")

		airtel, _ := h.sim.Operator(kwiksim.OpAirtel)
		airtel.Inactive = true
		h.sim.SetOperator(airtel)
		h.press(customerID, optionData(t, out, "Pay"))

		order := h.onlyOrder(customerID)
		if order.Status != models.StatusFailure {
			t.Errorf("order status = %s, want failure", order.Status)
		}
		if got := h.balance(customerID); got != 50000 {
			t.Errorf("balance = %d, want 50000 after the refund", got)
		}
		wantText(t, outs(h.outbox(customerID)...), "Recharge failed", "not accepting recharges")
	})
}

func TestJourneyMerchantBalanceShort(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		out := h.send(customerID, "9876500008 199")
		h.press(customerID, optionData(t, out, "Pay"))

		order := h.onlyOrder(customerID)
		if order.Status != models.StatusFailure {
			t.Errorf("order status = %s, want failure", order.Status)
		}
		if got := h.balance(customerID); got != 50000 {
			t.Errorf("balance = %d, want 50000 after the refund", got)
		}
		alerts := h.outbox(adminID)
		if len(alerts) != 1 {
			t.Fatalf("admin alerts = %q, want one", alerts)
		}
		wantText(t, outs(alerts[0]), "KwikAPI wallet is too low: top it up")
		if strings.Contains(alerts[0], "unavailable right now") {
			t.Errorf("admin alert gives the customer's reason: %q", alerts[0])
		}
	})
}

// TestOutcomeOfDuplicateOrderID feeds the engine the client's real error for an order id
// KwikAPI has seen before: the outcome is unknown, never a failure with a refund.
func TestOutcomeOfDuplicateOrderID(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		req := kwik.RechargeRequest{OrderID: "26120400000001", Number: "9876543210", OperatorID: "1", AmountPaise: 1000}
		if _, err := h.client.Recharge(context.Background(), req); err != nil {
			t.Fatalf("first recharge: %v", err)
		}
		result, err := h.client.Recharge(context.Background(), req)
		if err == nil {
			t.Fatal("second recharge with the same order id succeeded")
		}

		outcome, _ := h.engine.outcome(result, err)
		if outcome.Status != models.StatusUnknown {
			t.Errorf("outcome = %s, want unknown (err %v)", outcome.Status, err)
		}
		if outcome.NextCheckAt == nil {
			t.Error("NextCheckAt is nil, want a check scheduled")
		}
	})
}

func TestJourneyPortedNumber(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		out := h.send(customerID, "9876500009")
		wantText(t, out, "9876500009 is on Reliance Jio", "(ported number)")

		out = h.send(customerID, "199")
		wantText(t, out, "Operator: Reliance Jio")
		h.send(customerID, "pay")

		order := h.onlyOrder(customerID)
		if order.OperatorID != kwiksim.OpJio {
			t.Errorf("order operator = %s, want Jio (%s)", order.OperatorID, kwiksim.OpJio)
		}
		if order.Status != models.StatusSuccess {
			t.Errorf("order status = %s, want success", order.Status)
		}
	})
}

func TestJourneyCorrectOperatorAndCircle(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		h.send(customerID, "9876543210")

		out := h.send(customerID, "change operator")
		wantText(t, out, "Choose the operator of 9876543210")
		out = h.send(customerID, "vodafone")
		wantText(t, out, "Choose the circle")
		out = h.send(customerID, "delhi")
		wantText(t, out, "Plans for Vodafone (Vi) · Delhi")
		out = h.send(customerID, "199")
		wantText(t, out, "Operator: Vodafone (Vi) · Delhi", "Amount: ₹199")
		h.send(customerID, "pay")

		order := h.onlyOrder(customerID)
		if order.OperatorID != kwiksim.OpVi || order.CircleCode != "1" {
			t.Errorf("order operator, circle = %s, %s; want %s, 1", order.OperatorID, order.CircleCode, kwiksim.OpVi)
		}
		if order.Status != models.StatusSuccess {
			t.Errorf("order status = %s, want success", order.Status)
		}
	})
}

func TestJourneyChangeCircleOnly(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.send(customerID, "9876543210")
		out := h.send(customerID, "4")
		wantText(t, out, "Choose the circle")
		out = h.send(customerID, "MH")
		wantText(t, out, "Plans for Airtel · Maharashtra")

		out = h.send(customerID, "back")
		wantText(t, out, "is on Airtel · Maharashtra")
	})
}

func TestJourneyAmountOutOfRange(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		out := h.send(customerID, "9876543210 5")
		wantText(t, out, "Airtel accepts recharges from ₹10 to ₹10,000")
		if got := h.state(customerID); got != stateEnteringAmount {
			t.Fatalf("state = %s, want entering_amount", got)
		}

		out = h.send(customerID, "20000")
		wantText(t, out, "from ₹10 to ₹10,000")
		out = h.send(customerID, "abc")
		wantText(t, out, "not an amount")
		out = h.send(customerID, "99.999")
		wantText(t, out, "not an amount")

		out = h.send(customerID, "10.50")
		wantText(t, out, "Amount: ₹10.50")
		if orders := h.orders(customerID); len(orders) != 0 {
			t.Errorf("orders = %d, want none before Pay", len(orders))
		}
	})
}

func TestJourneyInsufficientBalance(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 10000)
		out := h.send(customerID, "9876543210 199")
		wantText(t, out, "Wallet: ₹100 now\n", "short by ₹99")
		if strings.Contains(text(out), "-₹99") {
			t.Errorf("confirmation shows a negative balance after paying:\n%s", text(out))
		}

		out = h.press(customerID, optionData(t, out, "Pay"))
		wantText(t, out, "Your wallet has ₹100 but this recharge needs ₹199: ₹99 more", "Please confirm")
		if orders := h.orders(customerID); len(orders) != 0 {
			t.Fatalf("orders = %d, want none", len(orders))
		}
		if got := h.balance(customerID); got != 10000 {
			t.Errorf("balance = %d, want 10000 untouched", got)
		}

		h.fund(customerID, 10000)
		h.press(customerID, optionData(t, out, "Pay"))
		if order := h.onlyOrder(customerID); order.Status != models.StatusSuccess {
			t.Errorf("order status = %s, want success after the top-up", order.Status)
		}
	})
}

func TestJourneyDoubleConfirm(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		out := h.send(customerID, "9876543210 199")
		pay := optionData(t, out, "Pay")

		h.press(customerID, pay)
		out = h.press(customerID, pay)
		wantText(t, out, "already placed")
		out = h.send(customerID, "1")
		if strings.Contains(text(out), "being processed") {
			t.Errorf("typing 1 after paying paid again:\n%s", text(out))
		}

		order := h.onlyOrder(customerID)
		if n := h.sim.RechargeCalls(itoa(order.ID)); n != 1 {
			t.Errorf("recharge calls = %d, want 1", n)
		}
		if got := h.balance(customerID); got != 50000-19900 {
			t.Errorf("balance = %d, want one debit", got)
		}
	})
}

// TestJourneyConcurrentConfirm delivers one Pay four times at once, to two engines on one
// store and to two more on a second store of the same database, as two processes would be.
func TestJourneyConcurrentConfirm(t *testing.T) {
	for _, engine := range modelstestEngines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := newClock()
			opts := engine.NewDatabase(t)
			opts.Now = c.Now
			h := newHarness(t, openStore(t, opts), c, nil)
			h.fund(customerID, 50000)
			out := h.send(customerID, "9876543210 199")
			pay := optionData(t, out, "Pay")

			otherCfg := h.cfg
			otherCfg.Store = openStore(t, opts)
			newOther := func() *Engine {
				e, err := New(otherCfg)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			engines := []*Engine{h.engine, h.newEngine(), newOther(), newOther()}

			var wg sync.WaitGroup
			for _, e := range engines {
				wg.Go(func() {
					in := inbound(customerID, "")
					in.Data = pay
					if _, err := e.Handle(context.Background(), in); err != nil {
						t.Errorf("handle: %v", err)
					}
				})
			}
			wg.Wait()

			order := h.onlyOrder(customerID)
			if n := h.sim.Calls(kwik.EndpointRecharge); n != 1 {
				t.Errorf("recharge calls = %d, want 1", n)
			}
			if got := h.balance(customerID); got != 50000-order.AmountPaise {
				t.Errorf("balance = %d, want one debit", got)
			}
		})
	}
}

func TestJourneyDTH(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 100000)
		out := h.send(customerID, "/dth")
		wantText(t, out, "Choose your DTH operator")

		out = h.send(customerID, "tata")
		wantText(t, out, "subscriber ID of your Tata Sky (Tata Play) connection (10 digits starting with 1)")
		out = h.send(customerID, "2234567890")
		wantText(t, out, "not a valid Tata Sky (Tata Play) subscriber ID", "10 digits starting with 1")

		out = h.send(customerID, "1234567890")
		wantText(t, out, "Plans for Tata Sky (Tata Play)")
		out = h.send(customerID, "1")
		out = h.send(customerID, "1")
		wantText(t, out, "Subscriber ID: 1234567890", "Operator: Tata Sky (Tata Play)")
		h.press(customerID, optionData(t, out, "Pay"))

		order := h.onlyOrder(customerID)
		if order.Kind != models.KindDTH || order.Number != "1234567890" || order.OperatorID != kwiksim.OpTataPlay {
			t.Errorf("order = %s %s %s, want dth 1234567890 %s", order.Kind, order.Number, order.OperatorID, kwiksim.OpTataPlay)
		}
		if order.Status != models.StatusSuccess {
			t.Errorf("order status = %s, want success", order.Status)
		}
	})
}

func TestJourneyDTHTypedAmount(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 100000)
		h.send(customerID, "/dth")
		h.send(customerID, "dish tv")
		out := h.send(customerID, "01234567890")
		wantText(t, out, "Plans for Dish TV")

		out = h.send(customerID, "type amount")
		wantText(t, out, "from ₹100 to ₹20,000")
		out = h.send(customerID, "350")
		wantText(t, out, "Amount: ₹350")
		out = h.send(customerID, "back")
		wantText(t, out, "Type the amount")
		out = h.send(customerID, "back")
		wantText(t, out, "Plans for Dish TV")
	})
}

func TestJourneyRestartResumes(t *testing.T) {
	for _, engine := range modelstestEngines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := newClock()
			opts := engine.NewDatabase(t)
			opts.Now = c.Now

			first := openStore(t, opts)
			h := newHarness(t, first, c, nil)
			h.fund(customerID, 50000)
			h.send(customerID, "9876543210")
			h.send(customerID, "type amount")
			first.Close()

			second := openStore(t, opts)
			h.store = second
			h.cfg.Store = second
			h.engine = h.newEngine()
			out := h.send(customerID, "199")
			wantText(t, out, "Please confirm", "Number: 9876543210", "Amount: ₹199")
			h.send(customerID, "pay")
			if order := h.onlyOrder(customerID); order.Status != models.StatusSuccess {
				t.Errorf("order status = %s, want success", order.Status)
			}
		})
	}
}

func TestJourneyIdleExpiry(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.send(customerID, "9876543210")
		h.clock.Advance(14 * time.Minute)
		out := h.send(customerID, "2")
		wantText(t, out, "Type the amount")

		h.clock.Advance(15*time.Minute + time.Second)
		out = h.send(customerID, "199")
		wantText(t, out, "idle for more than 15 minutes", "I did not understand")
		if got := h.state(customerID); got != stateIdle {
			t.Errorf("state = %s, want idle", got)
		}

		h.clock.Advance(time.Hour)
		out = h.send(customerID, "9876543210")
		wantText(t, out, "is on Airtel")
		if strings.Contains(text(out), "idle for more than") {
			t.Errorf("an idle session reported expiry:\n%s", text(out))
		}
	})
}

func TestPlansCachedAndOffersFirst(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		out := h.send(customerID, "9876543210")
		out = h.press(customerID, optionData(t, out, "Show plans"))
		if first := out[0].Options[0].Label; first != "Offers for you" {
			t.Errorf("first group for Airtel = %q, want the R-offers", first)
		}

		h.send("1002", "9876543211")
		h.send("1002", "show plans")
		if n := h.sim.Calls(kwik.EndpointPlans); n != 1 {
			t.Errorf("recharge_plans.php calls = %d, want 1 for two browses of one operator and circle", n)
		}

		h.clock.Advance(DefaultPlanCacheAge + time.Second)
		h.send("1002", "back")
		h.send("1002", "show plans")
		if n := h.sim.Calls(kwik.EndpointPlans); n != 2 {
			t.Errorf("recharge_plans.php calls = %d, want 2 once the cache is stale", n)
		}

		out = h.send("1003", "9330000000")
		wantText(t, out, "is on Reliance Jio")
		out = h.send("1003", "show plans")
		if first := out[0].Options[0].Label; first == "Offers for you" {
			t.Error("Jio plans start with R-offers, which KwikAPI has only for Airtel and Vi")
		}
	})
}

func TestPlanPagingEditsTheMenu(t *testing.T) {
	// pressOn taps the option with data on the bot's message m1.
	pressOn := func(h *harness, data string) []bot.Outbound {
		in := inbound(customerID, "")
		in.Data, in.MessageRef = data, "m1"
		return h.handle(in)
	}

	eachEngine(t, func(t *testing.T, h *harness) {
		h.send(customerID, "9876543210")
		out := h.send(customerID, "show plans")

		out = pressOn(h, optionData(t, out, "Unlimited"))
		if len(out) != 1 || out[0].Edit != "m1" {
			t.Fatalf("group pressed: replies %+v, want one edit of m1", out)
		}

		out = pressOn(h, optionData(t, out, "More"))
		if len(out) != 1 || out[0].Edit != "m1" {
			t.Fatalf("More pressed: replies %+v, want one edit of m1", out)
		}
		if !strings.Contains(out[0].Text, "(2/") {
			t.Errorf("More pressed: text %q, want page 2", out[0].Text)
		}

		out = h.send(customerID, "more")
		if len(out) != 1 || out[0].Edit != "" {
			t.Errorf("More typed: replies %+v, want a new message", out)
		}
	})
}

func TestRupeeAmountInPlanListIsAnAmount(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		h.send(customerID, "9123456780")
		out := h.send(customerID, "show plans")
		wantText(t, out, "₹199 (a bare number picks an option)")

		out = h.send(customerID, "₹10")
		wantText(t, out, "Please confirm", "Amount: ₹10")
	})
}

func TestJourneyAmountAfterFailedDetection(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		h.sim.FailNext(kwik.EndpointDetect, 1, kwiksim.ServerError)

		out := h.send(customerID, "9876543210 199")
		wantText(t, out, "could not look up the operator", "Choose the operator of 9876543210")
		out = h.send(customerID, "airtel")
		wantText(t, out, "Choose the circle")

		// A new engine on the same database still has the amount.
		h.engine = h.newEngine()
		out = h.send(customerID, "delhi")
		wantText(t, out, "Please confirm", "Operator: Airtel · Delhi", "Amount: ₹199")
		if got := h.state(customerID); got != stateConfirming {
			t.Fatalf("state = %s, want confirming", got)
		}

		h.send(customerID, "pay")
		order := h.onlyOrder(customerID)
		if order.AmountPaise != 19900 {
			t.Errorf("order amount = %d paise, want 19900", order.AmountPaise)
		}
		if order.OperatorID != kwiksim.OpAirtel {
			t.Errorf("order operator = %s, want %s", order.OperatorID, kwiksim.OpAirtel)
		}
		if order.CircleCode != "1" {
			t.Errorf("order circle = %s, want 1", order.CircleCode)
		}
	})
}

func TestJourneyKeptAmountOutOfRange(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.sim.FailNext(kwik.EndpointDetect, 1, kwiksim.ServerError)
		h.send(customerID, "9876543210 5")
		h.send(customerID, "airtel")

		out := h.send(customerID, "delhi")
		wantText(t, out, "Airtel accepts recharges from ₹10 to ₹10,000")
		if got := h.state(customerID); got != stateEnteringAmount {
			t.Fatalf("state = %s, want entering_amount", got)
		}
		out = h.send(customerID, "back")
		wantText(t, out, "Choose the circle")
	})
}

func TestKeptAmountClearedOnStartOver(t *testing.T) {
	cases := []struct {
		name  string
		reset func(h *harness)
	}{
		{"cancel", func(h *harness) { h.send(customerID, "/cancel") }},
		{"back to idle", func(h *harness) {
			h.send(customerID, "back")
			h.send(customerID, "back")
		}},
		{"new number", func(*harness) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachEngine(t, func(t *testing.T, h *harness) {
				h.sim.FailNext(kwik.EndpointDetect, 1, kwiksim.ServerError)
				h.send(customerID, "9876543210 199")
				tc.reset(h)

				h.sim.FailNext(kwik.EndpointDetect, 1, kwiksim.ServerError)
				h.send(customerID, "9876543211")
				h.send(customerID, "airtel")
				out := h.send(customerID, "delhi")
				wantText(t, out, "Plans for Airtel · Delhi")
				if got := h.state(customerID); got != stateChoosingPlan {
					t.Errorf("state = %s, want choosing_plan", got)
				}
			})
		})
	}
}

func TestIdleExpiryNamesShortTimeouts(t *testing.T) {
	catalogue, err := compile(english)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		idle time.Duration
		want string
	}{
		"minutes":    {15 * time.Minute, "more than 15 minutes"},
		"one minute": {time.Minute, "more than 1 minute,"},
		"seconds":    {30 * time.Second, "more than 30 seconds"},
		"one second": {time.Second, "more than 1 second,"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := catalogue.render(msgExpired, vars{"Minutes": int(tc.idle.Minutes()), "Seconds": int(tc.idle.Seconds())})
			if !strings.Contains(got, tc.want) {
				t.Errorf("message for %v = %q, want it to say %q", tc.idle, got, tc.want)
			}
		})
	}
}

func TestJourneyPayWhileDraining(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50_000)
		out := h.send(customerID, "9876543210 199")

		h.engine.Drain()
		out = h.press(customerID, optionData(t, out, "Pay"))
		wantText(t, out, "restarting, so nothing was charged", "Please confirm")
		if n := len(h.orders(customerID)); n != 0 {
			t.Errorf("%d orders placed while draining, want none", n)
		}
		if got := h.balance(customerID); got != 50_000 {
			t.Errorf("balance = %d, want 50000 untouched", got)
		}
		wantText(t, h.send(customerID, "/balance"), "Wallet balance: ₹500")
	})
}
