package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/console"
	"github.com/rechargebot/rechargebot/conversation"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

func init() {
	commands["console"] = command{
		summary: "chat with the bot in this terminal; with no KWIKAPI_API_KEY against the built-in simulator",
		run:     runConsole,
	}
}

// Console defaults.
const (
	defaultConsoleBalance = "1000"
	// consoleDrainTimeout bounds the wait at the end of the input for queued notifications.
	consoleDrainTimeout = 5 * time.Second
	// consoleResolveEvery is how often the console looks for pending orders to check. The
	// resolver itself spaces the checks of one order by PENDING_CHECK_INTERVAL.
	consoleResolveEvery = 5 * time.Second
	// consolePasteWindow joins lines that reach a terminal this close together into one
	// message: a paste arrives at once, while a person cannot press Enter twice that fast.
	consolePasteWindow = 100 * time.Millisecond
)

// consoleFlags are the command line of the console subcommand.
type consoleFlags struct {
	role       models.Role
	balance    int64
	balanceSet bool
	name       string
	logFile    string
}

func parseConsoleFlags(env *environment, args []string) (consoleFlags, error) {
	flags := flag.NewFlagSet("console", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	as := flags.String("as", "customer", "chat as a customer, an agent (bulk recharges) or an admin (customer|agent|admin)")
	balance := flags.String("balance", defaultConsoleBalance, "simulation only: top the demo wallet up to this many rupees")
	name := flags.String("name", "Demo", "your display name in the chat")
	logFile := flags.String("log-file", "", "append logs to this file instead of standard error")
	flags.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: rechargebot console [--as customer|agent|admin] [--balance RUPEES] [--name NAME] [--log-file PATH]")
		fmt.Fprintln(env.stderr, "Chats with the bot in this terminal, one message per line; type an option's number to pick it.")
		fmt.Fprintln(env.stderr, "Uses the SQLite file in DATA_DIR. With no KWIKAPI_API_KEY it runs the built-in KwikAPI")
		fmt.Fprintln(env.stderr, "simulator with a demo wallet; otherwise it talks to KWIKAPI_BASE_URL and spends real money.")
		fmt.Fprintln(env.stderr, "Piped input is read to its end, so a session can be scripted.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return consoleFlags{}, err
		}
		return consoleFlags{}, errUsage
	}

	out := consoleFlags{role: models.Role(*as), name: *name, logFile: *logFile}
	flags.Visit(func(f *flag.Flag) { out.balanceSet = out.balanceSet || f.Name == "balance" })
	fail := func(format string, a ...any) (consoleFlags, error) {
		fmt.Fprintf(env.stderr, "rechargebot console: "+format+"\n", a...)
		return consoleFlags{}, errUsage
	}
	switch {
	case flags.NArg() > 0:
		return fail("unexpected argument %q", flags.Arg(0))
	case !out.role.Valid():
		return fail("--as %q is invalid: use customer, agent or admin", *as)
	}
	paise, err := kwik.ParsePaise(*balance)
	if err != nil || paise < 0 {
		return fail("--balance %q is invalid: use rupees such as 1000 or 250.50", *balance)
	}
	out.balance = paise
	return out, nil
}

// runConsole chats with the engine through standard input and output. Logs go to standard
// error or --log-file, never into the chat.
func runConsole(ctx context.Context, env *environment, args []string) error {
	flags, err := parseConsoleFlags(env, args)
	if err != nil {
		return err
	}
	if flags.balanceSet && !env.cfg.Simulated() {
		fmt.Fprintln(env.stderr, "rechargebot console: --balance works only with the simulator (no KWIKAPI_API_KEY)")
		return errUsage
	}

	logOut, closeLog, err := consoleLogOutput(env, flags.logFile)
	if err != nil {
		return err
	}
	defer closeLog()
	logger := newLogger(env.cfg, logOut)

	store, err := models.Open(ctx, models.Options{DataDir: env.cfg.DataDir, Logger: logger})
	if err != nil {
		return err
	}
	defer store.Close()

	client, stopKwik, err := openKwik(env.cfg, store, logger)
	if err != nil {
		return err
	}
	defer stopKwik()

	if err := syncConsoleCatalog(ctx, store, client, logger); err != nil {
		return err
	}

	interactive := isTerminal(env.stdin)
	prompt, pasteWindow := "", time.Duration(0)
	if interactive {
		prompt, pasteWindow = "> ", consolePasteWindow
	}
	deliverer := &scheduler.Deliverer{
		Store: store, Channels: []bot.Channel{bot.Console}, Logger: logger,
		Backoff: scheduler.ExponentialBackoff(time.Second, time.Minute),
	}
	chat := console.New(console.Options{
		In: env.stdin, Out: env.stdout, Name: flags.name, Prompt: prompt, Echo: !interactive,
		PasteWindow: pasteWindow, Logger: logger,
		// The result of a recharge is in the outbox by the time its reply prints. Delivering it
		// before the next line keeps the chat in order.
		AfterMessage: func(ctx context.Context) {
			if _, err := deliverer.DeliverDue(ctx); err != nil {
				logger.Warn("Delivering notifications failed", "error", err)
			}
		},
	})
	deliverer.Sender = chat
	if err := prepareConsoleUser(ctx, env, store, chat.Chat(), flags); err != nil {
		return err
	}

	return chatInConsole(ctx, env, store, client, chat, deliverer, flags, logger)
}

// chatInConsole runs the engine, the outbox delivery and the resolver until the input ends,
// then waits briefly for notifications still queued.
func chatInConsole(ctx context.Context, env *environment, store *models.Store, client *kwik.Client, chat *console.Console,
	deliverer *scheduler.Deliverer, flags consoleFlags, logger *slog.Logger) error {
	resolver := consoleResolver(&env.cfg, store, client, chat.Chat(), flags.role, logger)
	var admins []string
	if flags.role == models.RoleAdmin {
		admins = []string{chat.Chat().ID}
	}
	engine, err := conversation.New(conversation.Config{
		Store: store, Kwik: client, Logger: logger,
		IdleTimeout: env.cfg.SessionIdleTimeout, PendingCheckInterval: env.cfg.PendingCheckInterval,
		// No Notify: AfterMessage delivers what a message queued, and a Wake could let the
		// background pass print a result after the next message instead.
		AdminConsoleIDs: admins, Simulated: env.cfg.Simulated(),
		Sender: chat, Bulk: env.cfg.BulkConfig(), Limits: env.cfg.DailyLimits(),
		SyncCatalog: catalogSyncHook(store, client, logger),
	})
	if err != nil {
		return err
	}

	background, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if err := engine.ResumeBulkRuns(background); err != nil {
		logger.Warn("Resuming bulk runs failed", "error", err)
	}
	wg.Go(func() {
		<-background.Done()
		engine.WaitBulkRuns()
	})
	wg.Go(func() { deliverer.Run(background) })
	wg.Go(func() { resolveEvery(background, resolver, consoleResolveEvery, logger) })
	defer func() {
		stop()
		wg.Wait()
	}()

	err = chat.Run(ctx, engine)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if err == nil {
		drainConsoleOutbox(ctx, store, deliverer, consoleDrainTimeout)
	}
	return nil
}

// consoleResolver returns the resolver of the console's pending orders. An admin at the
// console also gets the alerts about stuck and refunded recharges.
func consoleResolver(cfg *Config, store *models.Store, client *kwik.Client, chat bot.ChatID, role models.Role,
	logger *slog.Logger) *scheduler.Resolver {
	resolver := &scheduler.Resolver{
		Store: store, Kwik: client, Logger: logger,
		CheckInterval: cfg.PendingCheckInterval, MaxChecks: cfg.PendingMaxChecks,
		StuckInterval: cfg.StuckCheckInterval,
	}
	if role == models.RoleAdmin {
		resolver.Alerts = &scheduler.Alerts{
			Store: store, Admins: []bot.ChatID{chat}, Window: cfg.AlertRepeatInterval,
			Secrets: nonEmpty(cfg.KwikAPIKey), Logger: logger,
		}
	}
	return resolver
}

// syncConsoleCatalog fills the catalog when it is empty or stale. A failed sync with a stored
// catalog only warns; without operators the console cannot take a recharge.
func syncConsoleCatalog(ctx context.Context, store *models.Store, client *kwik.Client, logger *slog.Logger) error {
	catalog := &scheduler.CatalogSync{Store: store, Client: client, Logger: logger}
	_, syncErr := catalog.SyncDue(ctx)

	ops, err := store.Operators(ctx, models.ServicePrepaid, true)
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		return fmt.Errorf("the operator catalog is empty and could not be fetched: %v", syncErr)
	}
	if syncErr != nil {
		logger.Warn("Catalog sync failed; using the stored catalog", "error", syncErr)
	}
	return nil
}

// prepareConsoleUser creates the console user with the role of --as and, against the
// simulator, tops the wallet up to --balance. It prints which KwikAPI the chat talks to.
func prepareConsoleUser(ctx context.Context, env *environment, store *models.Store, chat bot.ChatID, flags consoleFlags) error {
	user, err := store.EnsureUser(ctx, string(chat.Channel), chat.ID, chat.ID, flags.name)
	if err != nil {
		return err
	}
	if err := store.SetRole(ctx, user.ID, flags.role); err != nil {
		return err
	}

	if !env.cfg.Simulated() {
		fmt.Fprintf(env.stdout, "LIVE: recharges go to %s and spend real money. Chatting as %s; type /help, or end with Ctrl-D.\n\n",
			env.cfg.KwikAPIBaseURL, flags.role)
		return nil
	}

	balance, err := store.Balance(ctx, user.ID)
	if err != nil {
		return err
	}
	if balance < flags.balance {
		_, err := store.AdjustWallet(ctx, models.WalletChange{
			UserID: user.ID, AmountPaise: flags.balance - balance, Kind: models.LedgerCredit, Note: "console demo balance",
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "SIMULATION: recharges go to the built-in KwikAPI simulator; no real money moves.\n"+
		"Chatting as %s with a demo wallet. Send /start, then a number such as 9876543210; end with Ctrl-D.\n\n", flags.role)
	return nil
}

// resolveEvery settles pending and unknown orders until ctx ends.
func resolveEvery(ctx context.Context, resolver *scheduler.Resolver, every time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		if _, err := resolver.ResolveDue(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("Checking pending orders failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// drainConsoleOutbox waits up to timeout until no console message is waiting for delivery.
func drainConsoleOutbox(ctx context.Context, store *models.Store, deliverer *scheduler.Deliverer, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var waiting int64
		err := store.DB(ctx).Model(&models.OutboxMessage{}).
			Where("channel = ? AND sent_at IS NULL AND dead_at IS NULL", string(bot.Console)).
			Count(&waiting).Error
		if err != nil || waiting == 0 {
			return
		}
		deliverer.Wake()
		time.Sleep(50 * time.Millisecond)
	}
}

// consoleLogOutput returns where logs go: the file of --log-file, appended to, or standard error.
func consoleLogOutput(env *environment, path string) (io.Writer, func(), error) {
	if path == "" {
		return env.stderr, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log file: %w", err)
	}
	return f, func() { f.Close() }, nil
}

// isTerminal reports whether r is an interactive terminal rather than a pipe or a file.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
