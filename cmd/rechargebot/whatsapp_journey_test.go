package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/bottest"
	"github.com/rechargebot/rechargebot/bot/whatsapp"
	"github.com/rechargebot/rechargebot/bot/whatsapp/whatsapptest"
	"github.com/rechargebot/rechargebot/conversation"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
	"github.com/rechargebot/rechargebot/scheduler"
)

// waCustomerPhone is the journey's customer, who recharges their own number.
const waCustomerPhone = "919876543210"

// waJourney is the real engine on a fresh database behind the WhatsApp adapter, whose
// whatsmeow client is the fake of whatsapptest. KwikAPI is the simulator on httptest.
type waJourney struct {
	store     *models.Store
	sim       *kwiksim.Simulator
	fake      *whatsapptest.Client
	clock     *bottest.Clock
	adapter   *whatsapp.Adapter
	deliverer *scheduler.Deliverer
	logs      *serveLog
}

func startWhatsAppJourney(t *testing.T, db models.Options) *waJourney {
	t.Helper()
	ctx := context.Background()
	j := &waJourney{logs: &serveLog{}, sim: kwiksim.New(kwiksim.Options{})}
	logger := slog.New(slog.NewTextHandler(j.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db.Logger = logger
	j.store = modelstest.Open(t, db)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", j.logs.String())
		}
	})

	kwikServer := httptest.NewServer(j.sim.Handler())
	t.Cleanup(kwikServer.Close)
	client, err := kwik.New(kwikServer.URL, kwiksim.DefaultAPIKey, kwik.WithLogger(logger))
	if err != nil {
		t.Fatalf("kwik.New: %v", err)
	}
	catalog := &scheduler.CatalogSync{Store: j.store, Client: client, Logger: logger}
	if _, err := catalog.Sync(ctx); err != nil {
		t.Fatalf("sync catalog: %v", err)
	}

	engine, err := conversation.New(conversation.Config{Store: j.store, Kwik: client, Logger: logger, Simulated: true})
	if err != nil {
		t.Fatalf("conversation.New: %v", err)
	}
	waStore, err := openWhatsAppStore(ctx, j.store, logger)
	if err != nil {
		t.Fatalf("open whatsapp store: %v", err)
	}
	j.clock = bottest.NewClock(time.Now())
	j.fake = whatsapptest.NewClient(j.clock)
	j.adapter = whatsapp.NewWithClient(whatsapp.Config{
		Handler: engine,
		Logger:  logger,
		Now:     j.clock.Now,
		Sleep:   j.clock.Sleep,
	}, j.fake, waStore)
	j.deliverer = &scheduler.Deliverer{
		Store: j.store, Sender: j.adapter, Channels: []bot.Channel{bot.WhatsApp}, Logger: logger,
	}

	// The session logs in before the customer writes, so no message counts as backlog.
	j.adapter.HandleEvent(&events.Connected{})
	return j
}

// fund gives the customer a wallet with paise in it before their first message.
func (j *waJourney) fund(t *testing.T, phone string, paise int64) models.User {
	t.Helper()
	ctx := context.Background()
	user, err := j.store.EnsureUser(ctx, models.ChannelWhatsApp, phone, phone, whatsapptest.PushName)
	if err != nil {
		t.Fatalf("EnsureUser: %v", err)
	}
	if _, err := j.store.AdjustWallet(ctx, models.WalletChange{
		UserID: user.ID, AmountPaise: paise, Kind: models.LedgerCredit, Note: "test",
	}); err != nil {
		t.Fatalf("AdjustWallet: %v", err)
	}
	return user
}

// say hands the adapter a text message from phone and waits until its replies are sent. It
// returns the texts sent while it waited.
func (j *waJourney) say(phone, text string) []string {
	before := len(j.fake.Sent())
	j.adapter.HandleEvent(whatsapptest.TextMessage(whatsapptest.FromPerson(whatsapptest.PhoneJID(phone), j.clock.Now()), text))
	j.adapter.Wait()
	return j.fake.SentTexts()[before:]
}

func TestWhatsAppJourneyThroughEngine(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			ctx := context.Background()
			j := startWhatsAppJourney(t, engine.NewDatabase(t))
			user := j.fund(t, waCustomerPhone, 50000)

			wantWelcome := []string{
				"This is a simulation: recharges go to a built-in test server and no real money moves.",
				"Welcome, Asha! I recharge prepaid mobiles and DTH connections from your wallet.\n" +
					"Wallet balance: ₹500\n\nSend a 10-digit mobile number to start, or choose below.\n\n" +
					"1. Mobile recharge\n2. DTH recharge\n3. Repeat last\n4. Balance\n5. History",
			}
			if diff := cmp.Diff(wantWelcome, j.say(waCustomerPhone, "hi")); diff != "" {
				t.Fatalf("replies to hi (-want +got):\n%s", diff)
			}
			detected := j.say(waCustomerPhone, "9876543210")
			wantDetected := "9876543210 is on Airtel · Nagaland. Is that right?\n\n" +
				"1. Show plans\n2. Type amount\n3. Change operator\n4. Change circle\n5. Cancel"
			if len(detected) != 1 || detected[0] != wantDetected {
				t.Fatalf("replies to the number = %q, want exactly %q", detected, wantDetected)
			}
			if got := j.say(waCustomerPhone, "2"); len(got) != 1 || !strings.Contains(got[0], "Type the amount in rupees") {
				t.Fatalf("replies to 2 (Type amount) = %q, want the amount prompt", got)
			}
			confirm := j.say(waCustomerPhone, "199")
			if len(confirm) != 1 || !strings.HasSuffix(confirm[0], "\n\n1. Pay ₹199\n2. Back\n3. Cancel") {
				t.Fatalf("replies to 199 = %q, want the confirmation with numbered options", confirm)
			}
			paid := j.say(waCustomerPhone, "1")
			if len(paid) != 1 || !strings.Contains(paid[0], "being processed") {
				t.Fatalf("replies to 1 (Pay) = %q, want one processing notice", paid)
			}

			sent, err := j.deliverer.DeliverDue(ctx)
			if err != nil {
				t.Fatalf("DeliverDue: %v", err)
			}
			again, err := j.deliverer.DeliverDue(ctx)
			if err != nil {
				t.Fatalf("second DeliverDue: %v", err)
			}
			if sent != 1 || again != 0 {
				t.Errorf("outbox delivered %d then %d messages, want 1 then 0", sent, again)
			}

			texts := j.fake.SentTexts()
			results := 0
			for _, text := range texts {
				if strings.Contains(text, "Recharge successful") {
					results++
				}
			}
			if results != 1 {
				t.Errorf("the result arrived %d times, want once; sent:\n%s", results, strings.Join(texts, "\n---\n"))
			}
			if last := texts[len(texts)-1]; !strings.HasPrefix(last, "✅ Recharge successful: ₹199 to 9876543210 (Airtel).") {
				t.Errorf("last message = %q, want the success result", last)
			}
			for _, m := range j.fake.Sent() {
				if m.To != whatsapptest.PhoneJID(waCustomerPhone) {
					t.Errorf("a message went to %s, want only the customer", bot.Mask(m.To.User))
				}
			}

			order, err := j.store.LastOrder(ctx, user.ID)
			if err != nil {
				t.Fatalf("LastOrder: %v", err)
			}
			if order.Status != models.StatusSuccess || order.AmountPaise != 19900 {
				t.Errorf("order = %s for %d paise, want success for 19900", order.Status, order.AmountPaise)
			}
			if calls := j.sim.RechargeCalls(strconv.FormatInt(order.ID, 10)); calls != 1 {
				t.Errorf("recharge calls for the order = %d, want 1", calls)
			}

			balance, err := j.store.Balance(ctx, user.ID)
			if err != nil {
				t.Fatalf("Balance: %v", err)
			}
			ledger, err := j.store.LedgerSum(ctx, user.ID)
			if err != nil {
				t.Fatalf("LedgerSum: %v", err)
			}
			if balance != 50000-19900 {
				t.Errorf("balance = %d paise, want %d", balance, 50000-19900)
			}
			if balance != ledger {
				t.Errorf("balance = %d paise but the ledger sums to %d", balance, ledger)
			}

			logs := j.logs.String()
			if !strings.Contains(logs, "Order placed") || !strings.Contains(logs, "Outbox message sent") {
				t.Errorf("the log lacks the order and the delivery, so the check below would prove nothing:\n%s", logs)
			}
			for i, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, "9876543210") {
					t.Errorf("log line %d contains the full number: %s", i+1, strings.ReplaceAll(line, "9876543210", "<number>"))
				}
			}
		})
	}
}
