package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
)

// adminCommands are every admin command with arguments that would work for an admin.
var adminCommands = []string{
	"/credit 1001 500", "/debit 1001 100 mistake", "/grant 1001", "/revoke 1001", "/user 1001",
	"/orders pending", "/order 26120412345678", "/sync", "/kwikbalance", "/stats",
}

func TestAdminCommandsRefusedForOthers(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.SyncCatalog = func(context.Context) ([]string, error) { t.Error("a refused /sync ran the sync"); return nil, nil }
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(customerID, 50_000)
		for _, sender := range []string{customerID, agentID} {
			for _, command := range adminCommands {
				name, _, _ := parseCommand(command)
				t.Run(sender+" "+name, func(t *testing.T) {
					out := h.send(sender, command)
					wantText(t, out, "You are not allowed to use /"+name+".")
				})
			}
		}
		h.checkWallet(customerID, 50_000)
		if role := h.user(customerID).Role; role != models.RoleCustomer {
			t.Errorf("customer role = %s after refused commands, want customer", role)
		}
		if msgs := h.outbox(customerID); len(msgs) != 0 {
			t.Errorf("outbox for the customer = %q, want nothing", msgs)
		}
		if n := h.sim.Calls("balance"); n != 0 {
			t.Errorf("balance calls = %d, want 0", n)
		}
	})
}

func TestCommandsListedByRole(t *testing.T) {
	names := func(role models.Role) []string {
		var out []string
		for _, c := range Commands(role) {
			out = append(out, c.Name)
		}
		return out
	}
	customer, agent, admin := names(models.RoleCustomer), names(models.RoleAgent), names(models.RoleAdmin)
	for _, command := range adminCommands {
		name, _, _ := parseCommand(command)
		if slices.Contains(customer, name) || slices.Contains(agent, name) {
			t.Errorf("/%s is listed for a customer or an agent", name)
		}
		if !slices.Contains(admin, name) {
			t.Errorf("/%s is not listed for an admin", name)
		}
	}
	for _, name := range []string{"bulk", "bulkstatus", "bulkcancel"} {
		if slices.Contains(customer, name) {
			t.Errorf("/%s is listed for a customer", name)
		}
		if !slices.Contains(agent, name) || !slices.Contains(admin, name) {
			t.Errorf("/%s is not listed for an agent and an admin", name)
		}
	}
	if !slices.Contains(customer, "recharge") || !slices.Contains(agent, "recharge") {
		t.Error("/recharge is missing for a customer or an agent")
	}
}

func TestGrantAndRevoke(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.user(customerID) // the customer has written to the bot before

		out := h.send(adminID, "/grant "+customerID)
		wantText(t, out, "User 1001 (tg:1001) is now an agent")
		if role := h.user(customerID).Role; role != models.RoleAgent {
			t.Errorf("role after /grant = %s, want agent", role)
		}
		wantText(t, outs(h.outbox(customerID)...), "You are now an agent")
		wantText(t, h.send(customerID, "/help"), "/bulk")

		wantText(t, h.send(adminID, "/grant tg:"+customerID), "User 1001 (tg:1001) already has the agent role")
		wantText(t, h.send(adminID, "/grant "+adminID), "User 9001 (tg:9001) is an admin")
		wantText(t, h.send(adminID, "/grant"), "Use /grant USER")
		wantText(t, h.send(adminID, "/grant 5550001"), "No user matches 5550001")

		out = h.send(adminID, "/revoke "+customerID)
		wantText(t, out, "User 1001 (tg:1001) is a customer again")
		if role := h.user(customerID).Role; role != models.RoleCustomer {
			t.Errorf("role after /revoke = %s, want customer", role)
		}
		wantText(t, h.send(customerID, "/bulk"), "not allowed to use /bulk")
		wantText(t, h.send(adminID, "/revoke "+adminID), "is an admin")
		if role := h.user(adminID).Role; role != models.RoleAdmin {
			t.Errorf("admin role after /revoke = %s, want admin", role)
		}
	})
}

func TestGrantByPhoneNumber(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		ctx := context.Background()
		user, err := h.store.EnsureUser(ctx, models.ChannelWhatsApp, "919876543210", "919876543210", "Ravi")
		if err != nil {
			t.Fatal(err)
		}
		label := "Ravi (#" + itoa(user.ID) + ", wa:********3210)"
		out := h.send(adminID, "/grant +91 98765-43210")
		wantText(t, out, label+" is now an agent")
		wantNoText(t, out, "9876543210")

		// The #ID of the reply names the same user.
		out = h.send(adminID, "/revoke #"+itoa(user.ID))
		wantText(t, out, label+" is a customer again")
		wantNoText(t, out, "9876543210")

		out = h.send(adminID, "/debit +91 98765 43210 50")
		wantText(t, out, "Use /debit USER AMOUNT NOTE")
		h.wantNoFullNumberInLogs("9876543210")
	})
}

func TestDebitByAdmin(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(customerID, 50_000)
		customer, admin := h.user(customerID), h.user(adminID)

		in := inbound(adminID, "/debit "+customerID+" 200 wrong credit on 4 Dec")
		in.UpdateID = "91"
		out := h.handle(in)
		wantText(t, out, "Debited ₹200 from User 1001 (tg:1001)", "balance is now ₹300")
		h.handle(in) // the same update delivered again
		h.checkWallet(customerID, 30_000)

		entries, err := h.store.Ledger(context.Background(), customer.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Kind != models.LedgerDebit || entries[0].AmountPaise != -20_000 ||
			entries[0].Note != "wrong credit on 4 Dec" || entries[0].ActorUserID == nil || *entries[0].ActorUserID != admin.ID {
			t.Errorf("latest ledger entry = %+v, want the admin's debit of 20000 with its note", entries)
		}
		wantText(t, outs(h.outbox(customerID)...), "₹200 was taken from your wallet by an admin: wrong credit on 4 Dec")

		wantText(t, h.send(adminID, "/debit "+customerID+" 500 too much"), "User 1001 (tg:1001) has only ₹300")
		wantText(t, h.send(adminID, "/debit "+customerID+" 100"), "Use /debit USER AMOUNT NOTE")
		wantText(t, h.send(adminID, "/debit "+customerID+" lots of money"), "Use /debit USER AMOUNT NOTE")
		h.checkWallet(customerID, 30_000)
	})
}

// placeTestOrder places an order for user and records outcomes on it, one after another.
func (h *harness) placeTestOrder(id, number string, paise int64, outcomes ...models.OrderStatus) models.Order {
	h.t.Helper()
	ctx := context.Background()
	order, err := h.store.PlaceOrder(ctx, models.NewOrder{
		UserID: h.user(id).ID, Kind: models.KindMobile, Number: number, OperatorID: "1", OperatorName: "Airtel",
		AmountPaise: paise, CheckoutToken: fmt.Sprintf("test:%s:%d", number, len(h.orders(id))),
	})
	if err != nil {
		h.t.Fatalf("place order: %v", err)
	}
	for _, status := range outcomes {
		order, _, err = h.store.RecordOutcome(ctx, order.ID, models.Outcome{Status: status, Note: "test " + string(status)})
		if err != nil {
			h.t.Fatalf("record %s: %v", status, err)
		}
	}
	return order
}

func TestAdminOrderViews(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(customerID, 100_000)
		ok := h.placeTestOrder(customerID, "9812345610", 19_900, models.StatusSuccess)
		failed := h.placeTestOrder(customerID, "9812345611", 4_900)
		pending := h.placeTestOrder(customerID, "9812345612", 9_900, models.StatusPending)
		stuck := h.placeTestOrder(customerID, "9812345613", 14_900, models.StatusPending, models.StatusStuck)
		// KwikAPI's free text may name the number; admins see it masked.
		_, _, err := h.store.RecordOutcome(context.Background(), failed.ID, models.Outcome{
			Status: models.StatusFailure, Message: "Recharge on 9812345611 failed", Note: "FAILED for 9812345611",
		})
		if err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			command string
			want    []string
			absent  []string
		}{
			{"/orders pending", []string{"pending orders", itoa(pending.ID), "User 1001 (tg:1001) · ₹99 · ******5612", "pending"}, []string{itoa(ok.ID), itoa(stuck.ID)}},
			{"/orders failed", []string{itoa(failed.ID), "******5611"}, []string{itoa(pending.ID)}},
			{"/orders stuck", []string{itoa(stuck.ID), "₹149"}, []string{itoa(failed.ID)}},
			{"/orders", []string{"Use /orders pending, /orders failed or /orders stuck"}, nil},
			{"/order " + itoa(stuck.ID), []string{"Order " + itoa(stuck.ID) + ": stuck", "For User 1001 (tg:1001) · mobile ******5613", "sending → pending: test pending", "pending → stuck", "placed"}, nil},
			{"/order " + itoa(failed.ID), []string{"Recharge on ******5611 failed"}, []string{"9812345611"}},
			{"/order 123", []string{"There is no order 123"}, nil},
			{"/order abc", []string{"Use /order ORDER_ID"}, nil},
			{"/user " + customerID, []string{"User 1001 (tg:1001): customer since", "Balance: ₹553", "telegram " + customerID, itoa(ok.ID), "******5610"}, nil},
			{"/user", []string{"Use /user USER"}, nil},
			{"/stats", []string{"Orders: 4", "Recharged: ₹199 in 1 successful orders", "Success rate: 50.0% of 2 settled", "Waiting for a result: 1", "stuck: 1"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.command, func(t *testing.T) {
				out := h.send(adminID, tc.command)
				wantText(t, out, tc.want...)
				for _, absent := range tc.absent {
					if strings.Contains(text(out), absent) {
						t.Errorf("reply shows %q:\n%s", absent, text(out))
					}
				}
				for _, full := range []string{"9812345610", "9812345611", "9812345612", "9812345613"} {
					if strings.Contains(text(out), full) {
						t.Errorf("reply to an admin shows the full number %s", full)
					}
				}
			})
		}
	})
}

func TestSyncAndKwikBalance(t *testing.T) {
	var syncErr error
	var synced []string
	syncs := 0
	eachBulkEngine(t, func(cfg *Config) {
		cfg.SyncCatalog = func(context.Context) ([]string, error) { syncs++; return synced, syncErr }
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		syncs, syncErr, synced = 0, nil, []string{"categories", "circles"}
		wantText(t, h.send(adminID, "/sync"), "The operator catalog is up to date")
		syncErr = fmt.Errorf("sync operators: %w", &models.BudgetExhaustedError{Endpoint: "operator_codes", Limit: 20})
		synced = nil
		wantText(t, h.send(adminID, "/sync"), "call budget for this is used up", "Try again after midnight India time")
		syncErr = fmt.Errorf("sync operators: %w", &models.BudgetExhaustedError{
			Endpoint: "operator_codes", Limit: 20, ResetAt: time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC),
		})
		wantText(t, h.send(adminID, "/sync"), "Try again after 10:00 India time")
		syncErr = errors.New("sync operators: connection refused")
		wantText(t, h.send(adminID, "/sync"), "KwikAPI did not answer properly")
		syncErr = fmt.Errorf("sync circles: %w", &models.BudgetExhaustedError{Endpoint: "circle_codes", Limit: 2})
		synced = []string{"categories", "operators:Prepaid"}
		wantText(t, h.send(adminID, "/sync"), "Refreshed categories, operators:Prepaid. The rest of the catalog was not refreshed: "+
			"Today's KwikAPI call budget for this is used up")
		if syncs != 5 {
			t.Errorf("sync ran %d times, want 5", syncs)
		}

		wantText(t, h.send(adminID, "/kwikbalance"), "KwikAPI balance: ₹1,00,000")
		if n := h.sim.Calls("balance"); n != 1 {
			t.Errorf("balance calls = %d, want 1", n)
		}
	})
}

func TestSyncWithoutHook(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		wantText(t, h.send(adminID, "/sync"), "That is not available on this server")
	})
}

func TestAdminRepliesNameWhatsAppUser(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		ctx := context.Background()
		user, err := h.store.EnsureUser(ctx, models.ChannelWhatsApp, "919876543210", "919876543210", "Ravi")
		if err != nil {
			t.Fatal(err)
		}
		label := "Ravi (#" + itoa(user.ID) + ", wa:********3210)"

		out := h.send(adminID, "/credit 9876543210 500")
		wantText(t, out, "Credited ₹500 to "+label)
		wantNoText(t, out, "9876543210")

		order, err := h.store.PlaceOrder(ctx, models.NewOrder{
			UserID: user.ID, Kind: models.KindMobile, Number: "9812345610", OperatorID: "1", OperatorName: "Airtel",
			AmountPaise: 19_900, CheckoutToken: "test:whatsapp",
		})
		if err != nil {
			t.Fatalf("place order: %v", err)
		}

		cases := []struct {
			command string
			want    string
		}{
			{"/user #" + itoa(user.ID), label + ": customer since"},
			{"/orders pending", label + " · ₹199"},
			{"/order " + itoa(order.ID), "For " + label + " · mobile"},
			{"/debit #" + itoa(user.ID) + " 100 test", "Debited ₹100 from " + label},
		}
		for _, tc := range cases {
			out := h.send(adminID, tc.command)
			wantText(t, out, tc.want)
			wantNoText(t, out, "9876543210")
		}
		h.wantNoFullNumberInLogs("9876543210")
	})
}

func TestUserLabelByChannel(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		both, err := h.store.EnsureUser(ctx, models.ChannelWhatsApp, "919876543211", "919876543211", "Meera")
		if err != nil {
			t.Fatal(err)
		}
		// The same person on Telegram too, linked to the one wallet.
		telegram := models.Identity{UserID: both.ID, Channel: models.ChannelTelegram, ExternalID: "555", ChatID: "555"}
		if err := h.store.DB(ctx).Create(&telegram).Error; err != nil {
			t.Fatal(err)
		}
		nameless, _ := h.store.EnsureUser(ctx, models.ChannelWhatsApp, "919876543212", "919876543212", "")
		console, _ := h.store.EnsureUser(ctx, models.ChannelConsole, "local", "local", "Demo")

		cases := []struct {
			name string
			user models.User
			want string
		}{
			{"telegram before whatsapp", both, "Meera (tg:555)"},
			{"whatsapp without a name", nameless, "#" + itoa(nameless.ID) + " (wa:********3212)"},
			{"console", console, "Demo (console:local)"},
		}
		turn := &turn{e: h.engine}
		for _, tc := range cases {
			got, err := turn.userLabel(ctx, tc.user)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got != tc.want {
				t.Errorf("%s: label = %q, want %q", tc.name, got, tc.want)
			}
		}

		out := h.send(adminID, "/user console:local")
		wantText(t, out, "Chats: console local")
		out = h.send(adminID, "/user #"+itoa(both.ID))
		wantText(t, out, "whatsapp ********3211", "telegram 555")
	})
}

func TestCreditBadAmountNamesTheLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.user(customerID)
		for _, args := range []string{"1,00,00,000", "10.555", "1e3"} {
			out := h.send(adminID, "/credit "+customerID+" "+args)
			wantText(t, out, "at most two decimals, up to ₹10,00,000")
		}
		if balance := h.balance(customerID); balance != 0 {
			t.Errorf("balance = %d after rejected credits, want 0", balance)
		}
	})
}

func TestWalletNoteLengthLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.user(customerID)
		long := strings.Repeat("ह", maxNoteRunes+1)
		for _, command := range []string{"/credit " + customerID + " 5 " + long, "/debit " + customerID + " 5 " + long} {
			wantText(t, h.send(adminID, command), "at most 200 characters")
		}
		if balance := h.balance(customerID); balance != 0 {
			t.Errorf("balance = %d after commands with overlong notes, want 0", balance)
		}

		wantText(t, h.send(adminID, "/credit "+customerID+" 5 "+strings.Repeat("ह", maxNoteRunes)), "Credited ₹5")
	})
}
