package scheduler

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
)

// testAdmins are the admin chats of the resolver tests.
var testAdmins = []bot.ChatID{
	{Channel: bot.Telegram, ID: "5001"},
	{Channel: bot.WhatsApp, ID: "919800000001"},
}

// startingBalance is the wallet balance every test customer starts with.
const startingBalance = 1000_00

// resolverHarness is one store, one simulated KwikAPI account and a resolver between them,
// all on one stepped clock that starts at noon in India.
type resolverHarness struct {
	t        *testing.T
	ctx      context.Context
	store    *models.Store
	sim      *kwiksim.Simulator
	client   *kwik.Client
	clock    *steppedClock
	alerts   *Alerts
	resolver *Resolver
	users    int
}

func newResolverHarness(t *testing.T, s *models.Store, clock *steppedClock) *resolverHarness {
	t.Helper()
	sim := kwiksim.New(kwiksim.Options{Now: clock.Now})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)

	h := &resolverHarness{t: t, ctx: context.Background(), store: s, sim: sim, clock: clock}
	h.client = h.newClient(srv.URL, s)
	h.alerts = &Alerts{Store: s, Admins: testAdmins, Secrets: []string{sim.APIKey()}}
	h.resolver = h.newResolver(s, h.client)
	return h
}

// newClient returns a KwikAPI client of the simulator whose calls spend the budget in s.
func (h *resolverHarness) newClient(url string, s *models.Store) *kwik.Client {
	h.t.Helper()
	budget := &CallBudget{Store: s, Now: h.clock.Now}
	client, err := kwik.New(url, h.sim.APIKey(), kwik.WithBeforeCall(budget.BeforeCall), kwik.WithRetry(1, 0))
	if err != nil {
		h.t.Fatalf("create kwik client: %v", err)
	}
	return client
}

func (h *resolverHarness) newResolver(s *models.Store, client ResolverKwik) *Resolver {
	return &Resolver{
		Store: s, Kwik: client, Now: h.clock.Now,
		Alerts: &Alerts{Store: s, Admins: testAdmins, Secrets: []string{h.sim.APIKey()}},
	}
}

// newCustomer creates a customer on Telegram with startingBalance in the wallet.
func (h *resolverHarness) newCustomer() models.User {
	h.t.Helper()
	h.users++
	id := strconv.Itoa(7000 + h.users)
	user, err := h.store.EnsureUser(h.ctx, models.ChannelTelegram, id, id, "Customer "+id)
	if err != nil {
		h.t.Fatalf("create customer: %v", err)
	}
	_, err = h.store.AdjustWallet(h.ctx, models.WalletChange{
		UserID: user.ID, AmountPaise: startingBalance, Kind: models.LedgerCredit, Note: "test top-up",
	})
	if err != nil {
		h.t.Fatalf("top up wallet: %v", err)
	}
	return user
}

// testNumber returns the i-th Airtel test number. Its last four digits are never 0001 to 0009,
// which the simulator gives special outcomes.
func testNumber(i int) string { return fmt.Sprintf("98765%05d", 21000+i) }

// placeOrder pays for a ₹199 order of a new customer for number, as checkout does before it
// calls KwikAPI. The order stays in sending.
func (h *resolverHarness) placeOrder(number string) models.Order {
	h.t.Helper()
	user := h.newCustomer()
	chat := strconv.Itoa(7000 + h.users)
	order, err := h.store.PlaceOrder(h.ctx, models.NewOrder{
		UserID: user.ID, Kind: models.KindMobile, Number: number, OperatorID: "1", OperatorName: "Airtel",
		CircleCode: "5", AmountPaise: 199_00, CheckoutToken: "checkout-" + number + "-" + chat,
		ChatChannel: models.ChannelTelegram, ChatID: chat,
	})
	if err != nil {
		h.t.Fatalf("place order: %v", err)
	}
	return order
}

// sendRecharge sends the order's recharge to the simulator and returns KwikAPI's reply.
func (h *resolverHarness) sendRecharge(o models.Order) (kwik.RechargeResult, error) {
	return h.client.Recharge(h.ctx, kwik.RechargeRequest{
		OrderID: strconv.FormatInt(o.ID, 10), Number: o.Number, OperatorID: o.OperatorID,
		CircleCode: o.CircleCode, AmountPaise: o.AmountPaise,
	})
}

// checkout places an order for number with the simulator scripted as sc, sends the recharge
// and records the reply as checkout does: pending and unknown orders are due for the resolver
// after the check interval.
func (h *resolverHarness) checkout(number string, sc kwiksim.Scenario) models.Order {
	h.t.Helper()
	h.sim.Script(number, sc)
	order := h.placeOrder(number)
	res, err := h.sendRecharge(order)

	next := h.clock.Now().Add(h.resolver.checkInterval())
	out := models.Outcome{NextCheckAt: &next, OperatorRef: res.OperatorRef, Message: res.Message, Note: "recharge reply"}
	switch {
	case errors.Is(err, kwik.ErrUnknownOutcome):
		out.Status = models.StatusUnknown
	case err != nil:
		h.t.Fatalf("recharge of order %d: %v", order.ID, err)
	case res.Status == kwik.StatusSuccess:
		out.Status = models.StatusSuccess
	case res.Status == kwik.StatusPending:
		out.Status = models.StatusPending
	default:
		out.Status = models.StatusFailure
	}
	order, _, err = h.store.RecordOutcome(h.ctx, order.ID, out)
	if err != nil {
		h.t.Fatalf("record recharge reply of order %d: %v", order.ID, err)
	}
	return order
}

// resolve runs one resolver pass after moving the clock by step.
func (h *resolverHarness) resolve(step time.Duration) Pass {
	h.t.Helper()
	h.clock.Advance(step)
	pass, err := h.resolver.ResolveDue(h.ctx)
	if err != nil {
		h.t.Fatalf("ResolveDue: %v", err)
	}
	return pass
}

func (h *resolverHarness) order(id int64) models.Order {
	h.t.Helper()
	order, err := h.store.GetOrder(h.ctx, id)
	if err != nil {
		h.t.Fatalf("get order: %v", err)
	}
	return order
}

func (h *resolverHarness) balance(userID int64) int64 {
	h.t.Helper()
	balance, err := h.store.Balance(h.ctx, userID)
	if err != nil {
		h.t.Fatalf("read balance: %v", err)
	}
	return balance
}

func (h *resolverHarness) outbox() []models.OutboxMessage {
	h.t.Helper()
	msgs, err := h.store.OutboxMessages(h.ctx, 10_000)
	if err != nil {
		h.t.Fatalf("list outbox: %v", err)
	}
	return msgs
}

// notices returns the outbox messages to the chat of order o, oldest first.
func (h *resolverHarness) notices(o models.Order) []models.OutboxMessage {
	var found []models.OutboxMessage
	msgs := h.outbox()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Channel == o.ChatChannel && msgs[i].ChatID == o.ChatID {
			found = append(found, msgs[i])
		}
	}
	return found
}

// adminAlerts returns the alerts to the first admin chat, oldest first.
func (h *resolverHarness) adminAlerts() []models.OutboxMessage {
	var found []models.OutboxMessage
	msgs := h.outbox()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == models.OutboxAlert && msgs[i].ChatID == testAdmins[0].ID {
			found = append(found, msgs[i])
		}
	}
	return found
}

// checkNoLeaks fails the test when an alert contains a full phone number or the API key.
func (h *resolverHarness) checkNoLeaks(numbers ...string) {
	h.t.Helper()
	for _, msg := range h.outbox() {
		if msg.Kind != models.OutboxAlert {
			continue
		}
		if strings.Contains(msg.Text, h.sim.APIKey()) {
			h.t.Errorf("alert %q contains the API key", msg.Text)
		}
		for _, number := range numbers {
			if strings.Contains(msg.Text, number) {
				h.t.Errorf("alert %q contains the full number %s", msg.Text, number)
			}
		}
	}
}
