package conversation

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

func TestCreditByAdmin(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		customer := h.user(customerID)
		in := inbound(adminID, "/credit "+customerID+" 500 cash received")
		in.UpdateID = "77"

		out := h.handle(in)
		wantText(t, out, "Credited ₹500 to User 1001 (tg:1001)", "balance is now ₹500")
		if got := h.balance(customerID); got != 50000 {
			t.Errorf("balance = %d, want 50000", got)
		}
		wantText(t, outs(h.outbox(customerID)...), "₹500 has been added to your wallet")

		h.handle(in) // the same update delivered again
		if got := h.balance(customerID); got != 50000 {
			t.Errorf("balance after a duplicate update = %d, want 50000", got)
		}

		entries, err := h.store.Ledger(context.Background(), customer.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		admin := h.user(adminID)
		if len(entries) != 1 || entries[0].ActorUserID == nil || *entries[0].ActorUserID != admin.ID || entries[0].Note != "cash received" {
			t.Errorf("ledger = %+v, want one credit by the admin with the note", entries)
		}
	})
}

func TestWalletChangeReusedUpdateID(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.user(customerID)
		first := inbound(adminID, "/credit "+customerID+" 500 cash received")
		first.UpdateID = "77"
		h.handle(first)

		// Telegram may hand out update id 77 again, e.g. after a week without updates.
		later := inbound(adminID, "/credit "+customerID+" 200 second payment")
		later.UpdateID = "77"
		wantText(t, h.handle(later), "Credited ₹200", "balance is now ₹700")
		if got := h.balance(customerID); got != 70000 {
			t.Errorf("balance after a new credit under a reused update id = %d, want 70000", got)
		}

		debit := inbound(adminID, "/debit "+customerID+" 100 wrong credit")
		debit.UpdateID = "77"
		wantText(t, h.handle(debit), "Debited ₹100", "balance is now ₹600")
		if got := h.balance(customerID); got != 60000 {
			t.Errorf("balance after a debit under a reused update id = %d, want 60000", got)
		}

		h.handle(later) // the same update delivered again
		if got := h.balance(customerID); got != 60000 {
			t.Errorf("balance after a duplicate update = %d, want 60000", got)
		}
	})
}

func TestCreditRefusedForCustomer(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 1000)
		admin := h.user(adminID)

		out := h.send(customerID, "/credit "+adminID+" 500")
		wantText(t, out, "not allowed to use /credit")
		out = h.send(customerID, "/credit "+customerID+" 500")
		wantText(t, out, "not allowed")

		if got := h.balance(customerID); got != 1000 {
			t.Errorf("customer balance = %d, want 1000", got)
		}
		if got, _ := h.store.Balance(context.Background(), admin.ID); got != 0 {
			t.Errorf("admin balance = %d, want 0", got)
		}
		if msgs := h.outbox(adminID); len(msgs) != 0 {
			t.Errorf("outbox = %q, want nothing", msgs)
		}
	})
}

func TestCreditInvalid(t *testing.T) {
	cases := map[string]struct{ args, want string }{
		"no args":      {"", "Use /credit USER AMOUNT"},
		"no amount":    {customerID, "Use /credit USER AMOUNT"},
		"bad amount":   {customerID + " lots", "Use /credit USER AMOUNT"},
		"zero":         {customerID + " 0", "Use /credit USER AMOUNT"},
		"unknown user": {"555 100", "No user matches 555"},
	}
	eachEngine(t, func(t *testing.T, h *harness) {
		h.user(customerID)
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				wantText(t, h.send(adminID, "/credit "+tc.args), tc.want)
				if got := h.balance(customerID); got != 0 {
					t.Errorf("balance = %d, want 0", got)
				}
			})
		}
	})
}

func TestCommandsByRole(t *testing.T) {
	names := func(cmds []bot.Command) []string {
		var out []string
		for _, c := range cmds {
			out = append(out, c.Name)
			if c.Description == "" || strings.HasPrefix(c.Description, "cmd_") {
				t.Errorf("command %s has no description", c.Name)
			}
		}
		return out
	}
	customer := names(Commands(models.RoleCustomer))
	admin := names(Commands(models.RoleAdmin))

	for _, want := range []string{"start", "help", "recharge", "dth", "cancel", "back", "balance", "history", "status", "repeat", "numbers"} {
		if !slices.Contains(customer, want) {
			t.Errorf("customer commands %v lack %s", customer, want)
		}
	}
	if slices.Contains(customer, "credit") {
		t.Errorf("customer commands %v include credit", customer)
	}
	if !slices.Contains(admin, "credit") {
		t.Errorf("admin commands %v lack credit", admin)
	}
	if customer[0] != "start" {
		t.Errorf("first command = %s, want start", customer[0])
	}
}

func TestHelpListsRoleCommands(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		out := h.send(customerID, "/help")
		wantText(t, out, "/recharge – recharge a prepaid mobile", "/numbers")
		if strings.Contains(text(out), "/credit") {
			t.Errorf("customer help lists /credit:\n%s", text(out))
		}
		wantText(t, h.send(adminID, "help"), "/credit")
	})
}

func TestUnknownCommand(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		wantText(t, h.send(customerID, "/frobnicate now"), "I do not know the command /frobnicate")
		wantText(t, h.send(customerID, "/Balance@RechargeBot"), "Wallet balance: ₹0")
	})
}

func TestHistoryPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 1_000_000)
		wantText(t, h.send(customerID, "/history"), "no recharges yet")
		for range 12 {
			h.send(customerID, "9876543210 10")
			h.send(customerID, "pay")
		}

		out := h.send(customerID, "/history")
		if n := strings.Count(text(out), "₹10 · 9876543210 · Airtel · successful"); n != 10 {
			t.Errorf("first page lists %d orders, want 10:\n%s", n, text(out))
		}
		out = h.send(customerID, "older")
		wantText(t, out, "(page 2)")
		if n := strings.Count(text(out), "successful"); n != 2 {
			t.Errorf("second page lists %d orders, want 2:\n%s", n, text(out))
		}
	})
}

func TestStatusOwnOrdersOnly(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		h.send(customerID, "9876543210 199")
		h.send(customerID, "pay")
		order := h.onlyOrder(customerID)

		out := h.send(customerID, "/status "+itoa(order.ID))
		wantText(t, out, "Order "+itoa(order.ID)+": ₹199 to 9876543210 (Airtel), successful", "Operator reference: "+order.OperatorRef)

		out = h.send("1002", "/status "+itoa(order.ID))
		wantText(t, out, "You have no order "+itoa(order.ID))
		if strings.Contains(text(out), "9876543210") {
			t.Errorf("another user saw the number:\n%s", text(out))
		}
		wantText(t, h.send(customerID, "/status abc"), "Type /status and an order number")
	})
}

func TestRepeatLastRecharge(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 100000)
		wantText(t, h.send(customerID, "/repeat"), "no earlier recharge")

		h.send(customerID, "9876543210")
		h.send(customerID, "show plans")
		h.send(customerID, "unlimited")
		out := h.send(customerID, "1")
		wantText(t, out, "Plan: ")
		h.send(customerID, "pay")
		first := h.onlyOrder(customerID)

		out = h.send(customerID, "/repeat")
		wantText(t, out, "Please confirm", "Number: 9876543210", "Amount: "+formatRupees(first.AmountPaise), "Plan: "+first.Plan)
		h.send(customerID, "pay")
		if n := len(h.orders(customerID)); n != 2 {
			t.Errorf("orders = %d, want 2", n)
		}
	})
}

func TestRepeatDTH(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 100000)
		h.send(customerID, "/dth")
		h.send(customerID, "tata")
		h.send(customerID, "1234567890")
		h.send(customerID, "type amount")
		h.send(customerID, "300")
		h.send(customerID, "pay")

		out := h.send(customerID, "/repeat")
		wantText(t, out, "Subscriber ID: 1234567890", "Amount: ₹300")
	})
}

func TestSavedNumbers(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		wantText(t, h.send(customerID, "/numbers"), "no saved numbers")
		wantText(t, h.send(customerID, "/numbers add Mom +91 98765 43210"), "Saved mom: 9876543210")
		wantText(t, h.send(customerID, "/numbers add back 9876543210"), "A name has 1 to 20 letters")
		wantText(t, h.send(customerID, "/numbers add dad 12345"), "not a mobile number")
		wantText(t, h.send(customerID, "/numbers add dad 9123456780"), "Saved dad")

		out := h.send(customerID, "/numbers")
		wantText(t, out, "dad: 9123456780", "mom: 9876543210")
		out = h.send(customerID, "mom")
		wantText(t, out, "9876543210 is on Airtel")

		out = h.send("1002", "mom")
		wantText(t, out, "I did not understand")

		wantText(t, h.send(customerID, "/numbers remove MOM"), "Removed mom")
		wantText(t, h.send(customerID, "/numbers remove mom"), "no saved number called mom")
		wantText(t, h.send(customerID, "/numbers frob"), "Use /numbers to list")
	})
}

func TestSavedNumbersLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		for i := range models.MaxSavedNumbers {
			h.send(customerID, "/numbers add n"+itoa(int64(i))+" 9876543210")
		}
		wantText(t, h.send(customerID, "/numbers add extra 9876543210"), "up to 20 numbers")
		wantText(t, h.send(customerID, "/numbers add n0 9123456780"), "Saved n0: 9123456780")
	})
}

func TestRechargeCommandWithNumber(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.fund(customerID, 50000)
		wantText(t, h.send(customerID, "/recharge 9876543210 49"), "Amount: ₹49")
		wantText(t, h.send(customerID, "/recharge"), "Send the 10-digit mobile number")
	})
}

func TestAdminFromConfiguration(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.send(adminID, "/start")
		if role := h.user(adminID).Role; role != models.RoleAdmin {
			t.Errorf("admin role = %s, want admin", role)
		}
		if role := h.user(customerID).Role; role != models.RoleCustomer {
			t.Errorf("customer role = %s, want customer", role)
		}
	})
}

func TestCreditByPhoneNumber(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		wa := bot.Inbound{Chat: bot.ChatID{Channel: bot.WhatsApp, ID: "919123456780"}, UserID: "919123456780", Text: "hi"}
		h.handle(wa)

		out := h.send(adminID, "/credit +91 91234 56780 60 paid in cash")
		wantText(t, out, "Credited ₹60")
		out = h.send(adminID, "/credit 9123456780 40")
		wantText(t, out, "Credited ₹40", "balance is now ₹100")

		user, err := h.store.FindUser(context.Background(), "wa:919123456780")
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := h.store.Balance(context.Background(), user.ID); b != 10000 {
			t.Errorf("balance = %d, want 10000", b)
		}
		wantText(t, outs(h.outbox("919123456780")...), "₹60 has been added", "₹40 has been added to your wallet. Balance: ₹100")
	})
}
