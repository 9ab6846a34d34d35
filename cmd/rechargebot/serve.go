package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/telegram"
	"github.com/rechargebot/rechargebot/bot/whatsapp"
	"github.com/rechargebot/rechargebot/conversation"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

func init() {
	commands["serve"] = command{
		summary: "run the bot: the configured chat channels, the scheduler, and /healthz and /metrics on HTTP_ADDR",
		run:     runServe,
	}
}

// Service timing.
const (
	// resolverJobEvery is how often the scheduler looks for orders due a status check; each order's
	// own checks are spaced by PENDING_CHECK_INTERVAL.
	resolverJobEvery = 5 * time.Second
	// kwikWatchEvery is how often recorded KwikAPI failures are turned into admin alerts.
	kwikWatchEvery = time.Minute
	// deliverMaxAttempts is how often the outbox tries a message before giving up. With waits
	// doubling from 10 s to at most an hour, that is about two days of failed sends, so an
	// outage of the chat network delays results without losing them.
	deliverMaxAttempts = 60
	// bulkIdleAfter is how long a running bulk run may go without any change before another
	// process takes it over: far longer than a recharge call, so a live run is never idle
	// that long.
	bulkIdleAfter = 5 * time.Minute
	// maxCatalogAge is the catalog age past which /healthz reports unhealthy: two missed weekly
	// operator syncs and a day of slack.
	maxCatalogAge = 2*scheduler.DefaultOperatorsEvery + 24*time.Hour
	// drainMargin is added to KWIKAPI_RECHARGE_TIMEOUT for the time a channel may take, after
	// SIGTERM, to finish the messages it is handling, so a recharge in flight can complete.
	drainMargin = 10 * time.Second
	// stopMargin bounds the wait for a channel past its own drain time, and for the scheduler
	// and the final outbox pass.
	stopMargin = 10 * time.Second
)

// runServe runs the service until SIGTERM or SIGINT, then shuts it down cleanly.
func runServe(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	flags.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: rechargebot serve")
		fmt.Fprintln(env.stderr, "Runs Telegram (when TELEGRAM_BOT_TOKEN is set) and WhatsApp (when WHATSAPP_ENABLED=true),")
		fmt.Fprintln(env.stderr, "the scheduler, and an HTTP server on HTTP_ADDR with /healthz, /metrics and the Telegram")
		fmt.Fprintln(env.stderr, "webhook. SIGTERM stops taking messages, lets those in progress finish, and exits.")
	}
	if err := parseFlags(env, flags, args); err != nil {
		return err
	}

	if env.cfg.Simulated() && !env.cfg.KwikAPISimulator {
		return errors.New("KWIKAPI_API_KEY is empty: set it (or KWIKAPI_API_KEY_FILE) and KWIKAPI_BASE_URL for real recharges, " +
			"or set KWIKAPI_SIMULATOR=true to serve a demo on the built-in simulator")
	}
	logger := newLogger(env.cfg, env.stderr)
	svc, err := startService(ctx, env.cfg, logger, serviceOptions{})
	if err != nil {
		return err
	}
	return svc.run(ctx)
}

// serviceOptions adjust a service for tests; the zero value is production.
type serviceOptions struct {
	// TelegramNow and TelegramSleep replace the Telegram adapter's clock.
	TelegramNow   func() time.Time
	TelegramSleep func(ctx context.Context, d time.Duration) error
	// TelegramPollTimeout replaces the long-polling timeout when positive.
	TelegramPollTimeout time.Duration
}

// service is one running rechargebot process: the chat channels on the conversation engine,
// the scheduler jobs, outbox delivery, and the HTTP server.
type service struct {
	cfg       Config
	log       *slog.Logger
	store     *models.Store
	stopKwik  func()
	metrics   *metrics
	deliverer *scheduler.Deliverer
	runner    *scheduler.Runner
	engine    *conversation.Engine
	// telegram is the Telegram adapter, nil when Telegram is not configured.
	telegram *telegram.Adapter
	http     *httpServer
	channels []*channel
}

// channel is one chat channel the service runs.
type channel struct {
	name bot.Channel
	run  func(ctx context.Context) error
	// healthy, when set, reports trouble while run is still running.
	healthy func() error

	mu       sync.Mutex
	finished bool
	err      error
}

// state returns nil while the channel runs and is healthy, and the reason otherwise.
func (c *channel) state() error {
	c.mu.Lock()
	finished, err := c.finished, c.err
	c.mu.Unlock()
	switch {
	case finished && err != nil:
		return err
	case finished:
		return errors.New("stopped")
	case c.healthy != nil:
		return c.healthy()
	default:
		return nil
	}
}

func (c *channel) finish(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finished, c.err = true, err
}

// startService opens the store and the KwikAPI client, builds the engine, the channels and
// the scheduler, and binds HTTP_ADDR. Nothing takes messages until run.
func startService(ctx context.Context, cfg Config, logger *slog.Logger, opts serviceOptions) (svc *service, err error) {
	store, err := models.Open(ctx, cfg.storeOptions(logger))
	if err != nil {
		return nil, err
	}
	svc = &service{cfg: cfg, log: logger, store: store, stopKwik: func() {}}
	// A failed start returns nil, which overwrites the named result, so the cleanup keeps its
	// own reference to the half-built service.
	started := svc
	defer func() {
		if err != nil {
			started.close()
		}
	}()

	svc.metrics = newMetrics(store, time.Now, logger)
	alerts := &scheduler.Alerts{
		Store:   store,
		Admins:  scheduler.AdminChats(cfg.AdminTelegramIDs, cfg.AdminWhatsAppNumbers),
		Window:  cfg.AlertRepeatInterval,
		Secrets: nonEmpty(cfg.KwikAPIKey, cfg.TelegramBotToken),
		Logger:  logger,
	}
	watch := &scheduler.KwikWatch{Alerts: alerts, TimeoutRun: cfg.AlertTimeoutRun}
	client, stopKwik, err := openKwik(cfg, store, logger, kwik.WithObserver(func(ep kwik.Endpoint, took time.Duration, err error) {
		svc.metrics.observeKwik(ep, took, err)
		watch.Observe(ep, took, err)
	}))
	if err != nil {
		return nil, err
	}
	svc.stopKwik = stopKwik

	svc.deliverer = &scheduler.Deliverer{
		Store: store, Logger: logger, Backoff: scheduler.ExponentialBackoff(10*time.Second, time.Hour),
		MaxAttempts: deliverMaxAttempts,
	}
	// The engine sends bulk progress through senders, which the channels below fill in.
	senders := bot.Senders{}
	engine, err := conversation.New(conversation.Config{
		Store: store, Kwik: client, Logger: logger,
		IdleTimeout: cfg.SessionIdleTimeout, PendingCheckInterval: cfg.PendingCheckInterval,
		AdminTelegramIDs: cfg.AdminTelegramIDs, AdminWhatsAppNumbers: cfg.AdminWhatsAppNumbers,
		Simulated: cfg.Simulated(), Notify: svc.deliverer.Wake,
		Sender: senders, Bulk: cfg.BulkConfig(), Limits: cfg.ChatLimits(),
		SyncCatalog: catalogSyncHook(store, client, logger),
		RoleChanged: svc.updateCommandMenu,
	})
	if err != nil {
		return nil, err
	}
	svc.engine = engine
	handler := svc.metrics.countingHandler(engine)

	var webhook *telegram.Adapter
	if cfg.TelegramBotToken != "" {
		tg, err := svc.newTelegram(handler, opts)
		if err != nil {
			return nil, err
		}
		senders[bot.Telegram] = tg
		svc.telegram = tg
		svc.channels = append(svc.channels, &channel{name: bot.Telegram, run: tg.Run, healthy: tg.Healthy})
		if cfg.TelegramWebhookURL != "" {
			webhook = tg
		}
	}
	if cfg.WhatsAppEnabled {
		wa, err := svc.newWhatsApp(ctx, handler, alerts)
		if err != nil {
			return nil, err
		}
		senders[bot.WhatsApp] = wa
		svc.channels = append(svc.channels, &channel{name: bot.WhatsApp, run: wa.Run, healthy: healthOf(wa)})
	}
	svc.deliverer.Sender = senders
	for _, ch := range svc.channels {
		svc.deliverer.Channels = append(svc.deliverer.Channels, ch.name)
	}

	svc.runner = svc.newRunner(client, alerts, watch)
	if err := svc.listen(webhook); err != nil {
		return nil, err
	}
	return svc, nil
}

// newTelegram builds the Telegram adapter with the role command menus and the metrics hooks.
func (s *service) newTelegram(handler bot.Handler, opts serviceOptions) (*telegram.Adapter, error) {
	cfg := s.cfg
	return telegram.New(telegram.Config{
		Token:            cfg.TelegramBotToken,
		APIURL:           cfg.TelegramAPIURL,
		WebhookURL:       cfg.TelegramWebhookURL,
		WebhookSecret:    cfg.TelegramWebhookSecret,
		CustomerCommands: conversation.Commands(models.RoleCustomer),
		AdminCommands:    conversation.Commands(models.RoleAdmin),
		AdminChatIDs:     cfg.AdminTelegramIDs,
		Handler:          handler,
		Logger:           s.log.With("channel", string(bot.Telegram)),
		Now:              opts.TelegramNow,
		Sleep:            opts.TelegramSleep,
		PollTimeout:      opts.TelegramPollTimeout,
		DrainTimeout:     cfg.KwikAPIRechargeTimeout + drainMargin,
		Received:         s.metrics.receivedOn(bot.Telegram),
		Sent:             s.metrics.sentOn(bot.Telegram),
		Unreachable: func(chat bot.ChatID) {
			if err := s.store.MarkUnreachable(context.Background(), string(chat.Channel), chat.ID); err != nil {
				s.log.Warn("Mark chat unreachable failed", "chat", chat.String(), "error", err)
			}
		},
	})
}

// newWhatsApp builds the WhatsApp adapter on the device linked with whatsapp-login. Its stop
// alerts go to the admins.
func (s *service) newWhatsApp(ctx context.Context, handler bot.Handler, alerts *scheduler.Alerts) (*whatsapp.Adapter, error) {
	waStore, err := openWhatsAppStore(ctx, s.store, s.log)
	if err != nil {
		return nil, err
	}
	return whatsapp.New(ctx, waStore, whatsapp.Config{
		Handler: handler,
		Logger:  s.log,
		Alert: func(ctx context.Context, text string) {
			if err := alerts.Raise(ctx, scheduler.Alert{Key: "whatsapp-stopped", Text: text}); err != nil {
				s.log.Error("Raise WhatsApp alert failed", "error", err)
			}
		},
	})
}

// healthOf returns the adapter's Healthy method when it has one.
func healthOf(adapter any) func() error {
	if h, ok := adapter.(interface{ Healthy() error }); ok {
		return h.Healthy
	}
	return nil
}

// newRunner builds the periodic jobs. They run on the process holding the store's leadership.
func (s *service) newRunner(client *kwik.Client, alerts *scheduler.Alerts, watch *scheduler.KwikWatch) *scheduler.Runner {
	cfg := s.cfg
	catalog := &scheduler.CatalogSync{Store: s.store, Client: client, Logger: s.log}
	resolver := &scheduler.Resolver{
		Store: s.store, Kwik: client, Alerts: alerts, Logger: s.log,
		CheckInterval: cfg.PendingCheckInterval, MaxChecks: cfg.PendingMaxChecks, StuckInterval: cfg.StuckCheckInterval,
	}
	balance := &scheduler.BalanceCheck{
		Kwik: client, Alerts: alerts, ThresholdPaise: cfg.LowBalancePaise(), Every: cfg.BalanceCheckInterval, Logger: s.log,
	}
	reconciler := &scheduler.Reconciler{
		Store: s.store, Kwik: client, Resolver: resolver, Alerts: alerts, Logger: s.log, Every: cfg.ReconcileInterval,
	}

	return &scheduler.Runner{
		Leader: s.store,
		Logger: s.log,
		Jobs: []scheduler.Job{
			catalog.Job(),
			{Name: "resolver", Every: resolverJobEvery, Run: func(ctx context.Context) error {
				_, err := resolver.ResolveDue(ctx)
				return err
			}},
			balance.Job(),
			reconciler.Job(),
			watch.Job(kwikWatchEvery),
			{Name: "bulk-takeover", Every: time.Minute, Run: func(ctx context.Context) error {
				return s.engine.ResumeIdleBulkRuns(ctx, bulkIdleAfter)
			}},
		},
		OnError: func(ctx context.Context, job string, err error) {
			s.metrics.countError("scheduler")
			alerts.JobFailed(ctx, job, err)
		},
	}
}

// listen binds HTTP_ADDR with /healthz, /metrics and, in webhook mode, the Telegram webhook.
func (s *service) listen(webhook *telegram.Adapter) error {
	health := healthChecks{
		Ping: func(ctx context.Context) error {
			db, err := s.store.SQLDB()
			if err != nil {
				return err
			}
			return db.PingContext(ctx)
		},
		CatalogSyncedAt: s.catalogSyncedAt,
		MaxCatalogAge:   maxCatalogAge,
		Channels:        s.channelStates,
		Scrub:           secretScrubber(s.cfg),
		Logger:          s.log,
	}

	var hook http.Handler
	path := ""
	if webhook != nil {
		var err error
		if path, err = webhookPath(s.cfg.TelegramWebhookURL); err != nil {
			return err
		}
		hook = webhook.WebhookHandler()
	}
	server, err := listenHTTP(s.cfg.HTTPAddr, newMux(health, s.metrics.handler(), path, hook), s.log)
	if err != nil {
		return err
	}
	s.http = server
	return nil
}

// catalogSyncedAt returns the oldest last success among the catalog parts a recharge needs:
// the Prepaid and DTH operator lists and the circles. It is zero when one was never synced.
func (s *service) catalogSyncedAt(ctx context.Context) (time.Time, error) {
	states, err := s.store.SyncStates(ctx)
	if err != nil {
		return time.Time{}, err
	}
	success := map[string]time.Time{}
	for _, st := range states {
		if st.LastSuccessAt != nil {
			success[st.Part] = *st.LastSuccessAt
		}
	}

	var oldest time.Time
	for _, part := range []string{scheduler.PartOperators(models.ServicePrepaid), scheduler.PartOperators(models.ServiceDTH), scheduler.PartCircles} {
		at, ok := success[part]
		if !ok {
			return time.Time{}, nil
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return oldest, nil
}

func (s *service) channelStates() map[string]error {
	states := make(map[string]error, len(s.channels))
	for _, ch := range s.channels {
		states[string(ch.name)] = ch.state()
	}
	return states
}

// run serves until ctx ends, then shuts down. The channels stop taking messages and finish the
// ones in progress, bounded by KWIKAPI_RECHARGE_TIMEOUT plus a margin. Then the outbox gets one
// last delivery pass, the scheduler stops, and the HTTP server closes last.
func (s *service) run(ctx context.Context) error {
	defer s.close()

	go s.http.serve()
	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var jobs sync.WaitGroup
	jobs.Go(func() { s.runner.Run(background) })
	if err := s.engine.ResumeBulkRuns(background); err != nil {
		s.log.Error("Resuming bulk runs failed; they resume at the next start", "error", err)
	}
	jobs.Go(func() {
		<-background.Done()
		s.engine.WaitBulkRuns()
	})
	if len(s.channels) > 0 {
		jobs.Go(func() { s.deliverer.Run(background) })
	} else {
		s.log.Warn("No chat channel configured: set TELEGRAM_BOT_TOKEN or WHATSAPP_ENABLED=true")
	}

	jobs.Go(func() { s.setAgentMenus(background) })

	var channels sync.WaitGroup
	for _, ch := range s.channels {
		channels.Go(func() {
			err := ch.run(ctx)
			if err != nil {
				s.log.Error("Chat channel stopped", "channel", string(ch.name), "error", err)
			}
			ch.finish(err)
		})
	}
	s.log.Info("Service started", "http_addr", s.http.Addr(), "channels", channelNames(s.channelStates()), "simulated", s.cfg.Simulated())

	<-ctx.Done()
	s.log.Info("Shutting down: no new messages are taken")
	s.engine.Drain()

	// The channels and the bulk runs finish their recharges in flight side by side.
	deadline := time.Now().Add(s.cfg.KwikAPIRechargeTimeout + drainMargin + stopMargin)
	var bulk sync.WaitGroup
	bulk.Go(s.engine.WaitBulkRuns)
	if !waitGroup(&channels, time.Until(deadline)) {
		s.log.Warn("Chat channels did not stop in time; exiting anyway")
	}
	if !waitGroup(&bulk, time.Until(deadline)) {
		s.log.Warn("Bulk runs did not stop in time; their orders in flight are settled by the resolver")
	}
	if len(s.channels) > 0 {
		s.finalDelivery()
	}
	stopBackground()
	if !waitGroup(&jobs, stopMargin) {
		s.log.Warn("Scheduler did not stop in time; exiting anyway")
	}
	s.http.shutdown()
	s.log.Info("Service stopped")
	return nil
}

// setAgentMenus gives every agent's Telegram chat the agent command menu, because the adapter
// sets only the customer default and the configured admins' menus.
func (s *service) setAgentMenus(ctx context.Context) {
	if s.telegram == nil {
		return
	}
	agents, err := s.store.IdentitiesWithRole(ctx, string(bot.Telegram), models.RoleAgent)
	if err != nil {
		s.log.Warn("Listing agents for their command menus failed", "error", err)
		return
	}
	for _, identity := range agents {
		s.updateCommandMenu(ctx, identity.UserID, models.RoleAgent)
	}
}

// updateCommandMenu sets the Telegram command menu of a user's chats to what role may use.
// A failure is logged: the menu is a convenience, and /help lists the same commands.
func (s *service) updateCommandMenu(ctx context.Context, userID int64, role models.Role) {
	if s.telegram == nil {
		return
	}
	identities, err := s.store.Identities(ctx, userID)
	if err != nil {
		s.log.Warn("Listing a user's chats for the command menu failed", "user_id", userID, "error", err)
		return
	}
	for _, identity := range identities {
		if identity.Channel != string(bot.Telegram) {
			continue
		}
		chat := bot.ChatID{Channel: bot.Telegram, ID: identity.ChatID}
		if err := s.telegram.SetChatCommands(ctx, chat, conversation.Commands(role)); err != nil {
			s.log.Warn("Set command menu failed", "user_id", userID, "role", role, "chat", chat.String(), "error", err)
		}
	}
}

// finalDelivery sends the notices written by the last messages handled. What it cannot send
// stays in the outbox for the next start.
func (s *service) finalDelivery() {
	ctx, cancel := context.WithTimeout(context.Background(), stopMargin)
	defer cancel()
	if _, err := s.deliverer.DeliverDue(ctx); err != nil {
		s.log.Warn("Final outbox delivery failed; the messages wait for the next start", "error", err)
	}
}

// close releases the KwikAPI simulator and the store.
func (s *service) close() {
	s.stopKwik()
	if err := s.store.Close(); err != nil {
		s.log.Warn("Close store failed", "error", err)
	}
}

// waitGroup waits for wg up to timeout and reports whether it finished.
func waitGroup(wg *sync.WaitGroup, timeout time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		// With no time left the timer fires at once; a group already done still counts.
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
}

// secretScrubber returns a function that removes the configured secrets from a text.
func secretScrubber(cfg Config) func(string) string {
	secrets := nonEmpty(cfg.KwikAPIKey, cfg.TelegramBotToken, cfg.TelegramWebhookSecret, cfg.DatabaseURL)
	if u, err := url.Parse(cfg.DatabaseURL); err == nil && u.User != nil {
		if password, ok := u.User.Password(); ok {
			secrets = append(secrets, nonEmpty(password)...)
		}
	}
	return func(text string) string {
		for _, secret := range secrets {
			text = strings.ReplaceAll(text, secret, "<secret>")
		}
		return text
	}
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
