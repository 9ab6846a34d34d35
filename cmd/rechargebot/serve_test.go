package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgmodels "github.com/go-telegram/bot/models"

	"github.com/rechargebot/rechargebot/bot/bottest"
	"github.com/rechargebot/rechargebot/bot/telegram/telegramtest"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
	"github.com/rechargebot/rechargebot/scheduler"
)

const (
	serveCustomer int64 = 7100001
	serveAdmin    int64 = 7109999
)

// serveHarness runs the whole service: the real engine and scheduler on the built-in KwikAPI
// simulator, with Telegram on the fake Bot API.
type serveHarness struct {
	svc    *service
	fake   *telegramtest.Server
	clock  *bottest.Clock
	logs   *serveLog
	cancel context.CancelFunc
	done   chan error
}

func startServeHarness(t *testing.T, db models.Options, vars map[string]string) *serveHarness {
	t.Helper()
	fake := telegramtest.New(t)
	env := map[string]string{
		"TELEGRAM_BOT_TOKEN": telegramtest.Token,
		"TELEGRAM_API_URL":   fake.URL,
		"HTTP_ADDR":          "127.0.0.1:0",
		"ADMIN_TELEGRAM_IDS": strconv.FormatInt(serveAdmin, 10),
		"DATA_DIR":           db.DataDir,
		"DATABASE_URL":       db.DatabaseURL,
	}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := LoadConfig(envFrom(env))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}

	h := &serveHarness{
		fake:  fake,
		clock: bottest.NewClock(time.Now()),
		logs:  &serveLog{},
		done:  make(chan error, 1),
	}
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := startService(t.Context(), cfg, logger, serviceOptions{
		TelegramNow: h.clock.Now, TelegramSleep: h.clock.Sleep, TelegramPollTimeout: time.Second,
	})
	if err != nil {
		t.Fatalf("startService: %v", err)
	}
	h.svc = svc

	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- svc.run(ctx) }()
	t.Cleanup(func() {
		h.stop(t)
		if t.Failed() {
			t.Logf("service log:\n%s", h.logs.String())
		}
	})
	return h
}

// stop sends the shutdown signal and waits for run to return.
func (h *serveHarness) stop(t *testing.T) error {
	t.Helper()
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("service did not stop within 30s of the shutdown signal")
		return nil
	}
}

func (h *serveHarness) url(path string) string { return "http://" + h.svc.http.Addr() + path }

// waitHealthy polls /healthz until it returns 200, which needs the catalog synced from the
// simulator and Telegram polling.
func (h *serveHarness) waitHealthy(t *testing.T) healthReport {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, report := h.health(t)
		if status == http.StatusOK {
			return report
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d after 20s: %+v", status, report)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *serveHarness) health(t *testing.T) (int, healthReport) {
	t.Helper()
	resp, err := http.Get(h.url("/healthz"))
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var report healthReport
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil {
		t.Fatalf("decode /healthz: %v", err)
	}
	return resp.StatusCode, report
}

func (h *serveHarness) metrics(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(h.url("/metrics"))
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func (h *serveHarness) fund(t *testing.T, user int64, paise int64) models.User {
	t.Helper()
	id := strconv.FormatInt(user, 10)
	u, err := h.svc.store.EnsureUser(context.Background(), "telegram", id, id, "Test")
	if err != nil {
		t.Fatalf("EnsureUser: %v", err)
	}
	if _, err := h.svc.store.AdjustWallet(context.Background(), models.WalletChange{
		UserID: u.ID, AmountPaise: paise, Kind: models.LedgerCredit, Note: "test",
	}); err != nil {
		t.Fatalf("AdjustWallet: %v", err)
	}
	return u
}

// say sends text from user and waits for a bot message containing want.
func (h *serveHarness) say(t *testing.T, user int64, text, want string) telegramtest.Message {
	t.Helper()
	h.fake.Push(h.fake.TextUpdate(user, text))
	return h.waitMessage(t, user, want)
}

// press taps the button whose label starts with label on message m and waits for a bot
// message containing want.
func (h *serveHarness) press(t *testing.T, user int64, m telegramtest.Message, label, want string) telegramtest.Message {
	t.Helper()
	for _, row := range m.Keyboard {
		for _, b := range row {
			if strings.HasPrefix(b.Text, label) {
				h.fake.Push(h.fake.ButtonUpdate(user, m.ID, b.Data))
				return h.waitMessage(t, user, want)
			}
		}
	}
	t.Fatalf("no button %q on message %q (keyboard %v)", label, m.Text, m.Keyboard)
	return telegramtest.Message{}
}

// waitMessage waits until a bot message in chat contains want and returns the newest such one.
func (h *serveHarness) waitMessage(t *testing.T, chat int64, want string) telegramtest.Message {
	t.Helper()
	var found telegramtest.Message
	h.fake.Wait(t, fmt.Sprintf("a message containing %q in chat %d", want, chat), func() bool {
		msgs := h.fake.Messages(chat)
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.Contains(msgs[i].Text, want) {
				found = msgs[i]
				return true
			}
		}
		return false
	})
	return found
}

func TestServeRechargeOverTelegram(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			h := startServeHarness(t, engine.NewDatabase(t), nil)
			h.waitHealthy(t)
			user := h.fund(t, serveCustomer, 50000)

			h.say(t, serveCustomer, "/start", "Welcome")
			confirm := h.say(t, serveCustomer, "9876543210 199", "Please confirm")
			h.fake.Fail("sendMessage", telegramtest.TooManyRequests(2))
			processing := h.press(t, serveCustomer, confirm, "Pay", "being processed")
			result := h.waitMessage(t, serveCustomer, "Recharge successful")
			if result.ID < processing.ID {
				t.Errorf("the result (message %d) arrived before the reply announcing it (message %d)", result.ID, processing.ID)
			}

			if n := len(h.fake.Calls("answerCallbackQuery")); n != 1 {
				t.Errorf("answerCallbackQuery called %d times, want 1", n)
			}
			order, err := h.svc.store.LastOrder(context.Background(), user.ID)
			if err != nil {
				t.Fatalf("LastOrder: %v", err)
			}
			if order.Status != models.StatusSuccess || order.AmountPaise != 19900 {
				t.Errorf("order = %s for %d paise, want success for 19900", order.Status, order.AmountPaise)
			}
			balance, _ := h.svc.store.Balance(context.Background(), user.ID)
			if balance != 50000-19900 {
				t.Errorf("balance = %d, want %d", balance, 50000-19900)
			}
			if !containsDuration(h.clock.Sleeps(), 2*time.Second) {
				t.Errorf("slept %v, want the 2s retry_after waited", h.clock.Sleeps())
			}

			metrics := h.metrics(t)
			for _, want := range []string{
				`rechargebot_messages_received_total{channel="telegram",kind="text"} 2`,
				`rechargebot_messages_received_total{channel="telegram",kind="button"} 1`,
				`rechargebot_messages_sent_total{channel="telegram",method="sendMessage",result="error"} 1`,
				`rechargebot_kwikapi_calls_total{endpoint="recharge",result="ok"} 1`,
				`rechargebot_orders{status="success"} 1`,
				`rechargebot_kwikapi_call_duration_seconds_count{endpoint="recharge"} 1`,
			} {
				if !strings.Contains(metrics, want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}

			if err := h.stop(t); err != nil {
				t.Errorf("run returned %v, want nil", err)
			}
			if logs := h.logs.String(); strings.Contains(logs, telegramtest.Token) || strings.Contains(logs, "9876543210") {
				t.Error("service log contains the bot token or the full phone number")
			}
		})
	}
}

func TestServePlanPagingEditsInPlace(t *testing.T) {
	h := startServeHarness(t, models.Options{DataDir: t.TempDir()}, nil)
	h.waitHealthy(t)
	h.fund(t, serveCustomer, 50000)

	detected := h.say(t, serveCustomer, "9876543210", "Is that right?")
	groups := h.press(t, serveCustomer, detected, "Show plans", "Choose a category")
	sentBefore := len(h.fake.Calls("sendMessage"))

	page1 := h.press(t, serveCustomer, groups, "Unlimited", "(1/")
	page2 := h.press(t, serveCustomer, page1, "More", "(2/")

	if page1.ID != groups.ID || page2.ID != groups.ID {
		t.Errorf("pages are messages %d and %d, want both edits of message %d", page1.ID, page2.ID, groups.ID)
	}
	if n := len(h.fake.Calls("sendMessage")) - sentBefore; n != 0 {
		t.Errorf("paging sent %d new messages, want 0", n)
	}
	if n := len(h.fake.Calls("editMessageText")); n < 2 {
		t.Errorf("editMessageText called %d times, want at least 2", n)
	}
}

func TestServeAgentCommandMenus(t *testing.T) {
	const agentAtStart = 777001
	db := models.Options{DataDir: t.TempDir()}
	seed := modelstest.Open(t, db)
	agent, err := seed.EnsureUser(context.Background(), models.ChannelTelegram, "777001", "777001", "Agent")
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.SetRole(context.Background(), agent.ID, models.RoleAgent); err != nil {
		t.Fatal(err)
	}
	seed.Close()

	h := startServeHarness(t, db, nil)
	h.waitHealthy(t)
	menuOf := func(chat int64) string { return commandNames(h.fake.Commands(fmt.Sprintf("chat:%d", chat))) }
	h.fake.Wait(t, "the agent menu of an agent known at start", func() bool {
		return strings.Contains(menuOf(agentAtStart), "bulk")
	})

	h.say(t, serveCustomer, "/start", "Welcome")
	h.say(t, serveAdmin, fmt.Sprintf("/grant %d", serveCustomer), "agent")
	h.fake.Wait(t, "the agent menu after /grant", func() bool {
		return strings.Contains(menuOf(serveCustomer), "bulk")
	})
	if menu := menuOf(serveCustomer); strings.Contains(menu, "credit") {
		t.Errorf("agent menu = %s, want no admin commands", menu)
	}

	h.say(t, serveAdmin, fmt.Sprintf("/revoke %d", serveCustomer), "customer")
	h.fake.Wait(t, "the customer menu after /revoke", func() bool {
		menu := menuOf(serveCustomer)
		return strings.Contains(menu, "start") && !strings.Contains(menu, "bulk")
	})
}

func TestServeFailedRechargeAlertsAdmin(t *testing.T) {
	h := startServeHarness(t, models.Options{DataDir: t.TempDir()}, nil)
	h.waitHealthy(t)
	user := h.fund(t, serveCustomer, 50000)

	confirm := h.say(t, serveCustomer, "9876500001 199", "Please confirm")
	h.press(t, serveCustomer, confirm, "Pay", "being processed")
	h.waitMessage(t, serveCustomer, "Recharge failed")

	alert := h.waitMessage(t, serveAdmin, "******0001")
	if strings.Contains(alert.Text, "9876500001") {
		t.Errorf("admin alert shows the full number: %q", alert.Text)
	}
	if want := fmt.Sprintf("user #%d", user.ID); !strings.Contains(alert.Text, want) {
		t.Errorf("admin alert %q does not name %s, which /user accepts", alert.Text, want)
	}
	balance, _ := h.svc.store.Balance(context.Background(), user.ID)
	if balance != 50000 {
		t.Errorf("balance = %d, want 50000 after the refund", balance)
	}
}

func TestServeSetsRoleCommandMenus(t *testing.T) {
	h := startServeHarness(t, models.Options{DataDir: t.TempDir()}, nil)
	h.waitHealthy(t)

	customer := commandNames(h.fake.Commands("default"))
	admin := commandNames(h.fake.Commands(fmt.Sprintf("chat:%d", serveAdmin)))
	if !strings.Contains(customer, "start") || strings.Contains(customer, "credit") {
		t.Errorf("customer menu = %s, want /start and no admin commands", customer)
	}
	if len(admin) <= len(customer) {
		t.Errorf("admin menu = %s, want more commands than the customer menu %s", admin, customer)
	}
}

func TestServeHealthReport(t *testing.T) {
	h := startServeHarness(t, models.Options{DataDir: t.TempDir()}, nil)
	report := h.waitHealthy(t)

	if report.Status != "ok" || report.Database == nil || !report.Database.OK {
		t.Errorf("report = %+v, want ok with the database up", report)
	}
	if report.Catalog == nil || !report.Catalog.OK || report.Catalog.SyncedAt == nil {
		t.Errorf("catalog = %+v, want synced", report.Catalog)
	}
	if tg, ok := report.Channels["telegram"]; !ok || !tg.OK {
		t.Errorf("channels = %+v, want telegram up", report.Channels)
	}

	h.fake.Close() // Telegram becomes unreachable; getUpdates starts failing
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, report := h.health(t)
		if status == http.StatusServiceUnavailable {
			if tg := report.Channels["telegram"]; tg.OK || strings.Contains(tg.Error, telegramtest.Token) {
				t.Errorf("telegram health = %+v, want down without the token", tg)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d with Telegram down", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeWebhookRejectsWrongSecret(t *testing.T) {
	h := startServeHarness(t, models.Options{DataDir: t.TempDir()}, map[string]string{
		"TELEGRAM_WEBHOOK_URL":    "https://bot.example.test/tg/hook",
		"TELEGRAM_WEBHOOK_SECRET": "right-secret",
	})
	h.waitHealthy(t)
	if url, secret := h.fake.Webhook(); url != "https://bot.example.test/tg/hook" || secret != "right-secret" {
		t.Errorf("setWebhook got %q %q", url, secret)
	}

	update := h.fake.TextUpdate(serveCustomer, "/start")
	body, _ := json.Marshal(update)
	post := func(secret string) int {
		req, _ := http.NewRequest(http.MethodPost, h.url("/tg/hook"), strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST webhook: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if code := post("wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d, want 401", code)
	}
	if _, err := h.svc.store.FindUser(context.Background(), "tg:"+strconv.FormatInt(serveCustomer, 10)); err == nil {
		t.Error("a rejected webhook request created the user")
	}
	if code := post("right-secret"); code != http.StatusOK {
		t.Errorf("right secret: status %d, want 200", code)
	}
	h.waitMessage(t, serveCustomer, "Welcome")
}

func TestServeStopsOnSignal(t *testing.T) {
	h := startServeHarness(t, models.Options{DataDir: t.TempDir()}, nil)
	h.waitHealthy(t)

	started := time.Now()
	if err := h.stop(t); err != nil {
		t.Errorf("run returned %v, want nil", err)
	}
	if took := time.Since(started); took > 10*time.Second {
		t.Errorf("shutdown took %v with nothing in flight", took)
	}
	if !strings.Contains(h.logs.String(), "Service stopped") {
		t.Error("log lacks the stop line")
	}
}

func commandNames(cmds []tgmodels.BotCommand) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Command
	}
	return strings.Join(names, ",")
}

func containsDuration(ds []time.Duration, want time.Duration) bool {
	for _, d := range ds {
		if d == want {
			return true
		}
	}
	return false
}

// serveLog collects the service log; the service writes it from many goroutines.
type serveLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *serveLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *serveLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeBusyPortFailsCleanly(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	var stderr strings.Builder
	code := run(t.Context(), []string{"serve"}, envFrom(map[string]string{
		"HTTP_ADDR": busy.Addr().String(), "DATA_DIR": t.TempDir(), "KWIKAPI_SIMULATOR": "true",
	}), nil, io.Discard, &stderr)

	if code != 1 {
		t.Errorf("exit status = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), busy.Addr().String()) {
		t.Errorf("stderr does not name the busy address:\n%s", stderr.String())
	}
}

func TestServeWithoutKeyNeedsSimulatorOptIn(t *testing.T) {
	dir := t.TempDir()
	var stderr strings.Builder
	code := run(t.Context(), []string{"serve"}, envFrom(map[string]string{
		"DATA_DIR": dir, "TELEGRAM_BOT_TOKEN": "123:secret-token",
	}), nil, io.Discard, &stderr)

	if code != 1 {
		t.Errorf("exit status = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "KWIKAPI_SIMULATOR=true") {
		t.Errorf("stderr does not say how to opt in to the simulator:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "rechargebot.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve opened the database before refusing to start: %v", err)
	}
}

func TestOutboxRetriesForAboutTwoDays(t *testing.T) {
	backoff := scheduler.ExponentialBackoff(10*time.Second, time.Hour)
	var total time.Duration
	for attempt := 1; attempt < deliverMaxAttempts; attempt++ {
		total += backoff(attempt)
	}
	if total < 48*time.Hour || total > 56*time.Hour {
		t.Errorf("the outbox gives a message up after %v of retries, want about two days as the README says", total)
	}
}
