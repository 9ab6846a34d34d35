// Package telegram connects a bot.Handler to Telegram through the Bot API
// (github.com/go-telegram/bot). It receives updates by long polling or by webhook, turns private
// messages, button presses and documents into bot.Inbound, renders bot.Outbound as messages with
// inline keyboards, and implements bot.Sender for messages outside a reply.
//
// Updates of one chat are handled one at a time in arrival order, a repeated update id is
// handled once, and a panic in the handler is answered with an apology. Sends respect Telegram's
// rate limits, wait out 429 answers, and report blocked users with bot.ErrUnreachable.
// The bot token never appears in errors or logs.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/rechargebot/rechargebot/bot"
)

// DefaultAPIURL is the public Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Defaults for the zero values of Config.
const (
	DefaultPollTimeout    = 50 * time.Second
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxFileBytes   = 2 << 20
	DefaultDrainTimeout   = 30 * time.Second
	DefaultMaxConcurrent  = 16
)

// Config configures an Adapter. Token and Handler are required; every other zero value takes
// the default named beside it.
type Config struct {
	Token string
	// APIURL is the Bot API server; DefaultAPIURL when empty. A self-hosted Bot API server or a
	// test fake works too.
	APIURL string
	// WebhookURL, when set, selects webhook mode: Run registers this URL with setWebhook and
	// updates arrive through WebhookHandler. Empty selects long polling.
	WebhookURL string
	// WebhookSecret is the secret_token Telegram sends in X-Telegram-Bot-Api-Secret-Token;
	// required with WebhookURL.
	WebhookSecret string

	// CustomerCommands is the command menu of every private chat (the default scope).
	CustomerCommands []bot.Command
	// AdminCommands is the command menu of the chats in AdminChatIDs.
	AdminCommands []bot.Command
	// AdminChatIDs are Telegram user ids in decimal; a private chat's id equals its user's id.
	AdminChatIDs []string

	Handler bot.Handler
	Logger  *slog.Logger // nil discards logs
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done; nil waits on a real timer. Rate limits, 429 retries
	// and polling back-off all wait through it, so tests can run on a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// HTTPClient makes the Bot API requests; nil means a client with no overall timeout, because
	// every request gets its own deadline (PollTimeout or RequestTimeout).
	HTTPClient *http.Client

	// PollTimeout is the long-polling timeout of getUpdates (DefaultPollTimeout), in whole seconds.
	PollTimeout time.Duration
	// RequestTimeout bounds every other Bot API request (DefaultRequestTimeout).
	RequestTimeout time.Duration
	// MaxFileBytes is the largest document downloaded for the handler (DefaultMaxFileBytes).
	MaxFileBytes int64
	// DrainTimeout bounds how long Run waits, after its context ends, for queued and running
	// updates to finish before cancelling them (DefaultDrainTimeout).
	DrainTimeout time.Duration
	// MaxConcurrent is how many chats are handled at the same time (DefaultMaxConcurrent).
	MaxConcurrent int

	// Received, when set, is called once per update with its kind: "text", "button",
	// "document", "rejected_document" (too large or not downloadable), "group", "unsupported"
	// or "duplicate".
	Received func(kind string)
	// Sent, when set, is called after each Bot API call that sends or edits a message, with the
	// method name and the call's error (nil on success).
	Sent func(method string, err error)
	// Unreachable, when set, is called when a reply fails because the user blocked the bot or
	// the chat is gone, so the caller can mark the chat unreachable. Send reports the same
	// condition through its error instead.
	Unreachable func(chat bot.ChatID)
}

// Adapter is one Telegram bot. Create it with New, start it with Run; Send may be called from
// any goroutine at any time.
type Adapter struct {
	cfg      Config
	api      *tgbot.Bot
	http     scrubbingClient
	log      *slog.Logger
	scrubber scrubber
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	admins   []int64
	limits   *limits
	dispatch *dispatcher
	hints    *hintCooldown

	mu        sync.Mutex
	username  string
	accepting bool
	health    health
}

// New validates cfg and builds the adapter without touching the network.
func New(cfg Config) (*Adapter, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	admins, err := parseChatIDs(cfg.AdminChatIDs)
	if err != nil {
		return nil, err
	}

	a := &Adapter{
		cfg:      cfg,
		scrubber: scrubber{token: cfg.Token},
		now:      cfg.Now,
		sleep:    cfg.Sleep,
		admins:   admins,
	}
	a.log = slog.New(scrubbingHandler{next: cfg.Logger.Handler(), scrubber: a.scrubber})
	a.http = scrubbingClient{client: cfg.HTTPClient, scrubber: a.scrubber}
	a.limits = newLimits(a.now, a.sleep)
	a.hints = newHintCooldown(a.now)
	a.dispatch = newDispatcher(cfg.MaxConcurrent, a.process)

	a.api, err = tgbot.New(cfg.Token,
		tgbot.WithSkipGetMe(),
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithHTTPClient(cfg.PollTimeout, a.http),
		tgbot.WithErrorsHandler(func(err error) {
			a.log.Error("Telegram library error", "error", a.scrubber.err(err))
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("create telegram bot: %w", a.scrubber.err(err))
	}
	return a, nil
}

func (c *Config) withDefaults() error {
	if strings.TrimSpace(c.Token) == "" {
		return errors.New("telegram: bot token is missing: set TELEGRAM_BOT_TOKEN to the token from BotFather")
	}
	if c.Handler == nil {
		return errors.New("telegram: handler is missing")
	}
	if c.WebhookURL != "" && c.WebhookSecret == "" {
		return errors.New("telegram: webhook secret is missing: set TELEGRAM_WEBHOOK_SECRET with TELEGRAM_WEBHOOK_URL")
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepTimer
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = DefaultPollTimeout
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	return nil
}

func parseChatIDs(ids []string) ([]int64, error) {
	parsed := make([]int64, 0, len(ids))
	for _, s := range ids {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("telegram: admin chat id %q is invalid: use the numeric Telegram user id", s)
		}
		parsed = append(parsed, id)
	}
	return parsed, nil
}

// sleepTimer waits d on a real timer, or until ctx is done.
func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run starts the bot: it reads the bot's username, sets the command menus, registers or removes
// the webhook, and then receives updates until ctx ends. It then stops taking updates, waits up
// to DrainTimeout for queued updates to be handled, and returns nil. It returns an error only
// when startup fails for a reason retrying cannot fix, such as a revoked token.
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.setHealth(err)
		return err
	}

	a.setAccepting(true)
	a.log.Info("Telegram bot started", "username", a.Username(), "mode", a.mode())

	var confirm func(handled int64)
	if a.cfg.WebhookURL == "" {
		confirm = a.poll(ctx)
	} else {
		<-ctx.Done()
	}

	a.setAccepting(false)
	drained := a.dispatch.drain(a.cfg.DrainTimeout)
	if confirm != nil {
		confirm(a.dispatch.oldestUnfinished())
	}
	a.log.Info("Telegram bot stopped", "drained", drained)
	return nil
}

func (a *Adapter) mode() string {
	if a.cfg.WebhookURL != "" {
		return "webhook"
	}
	return "polling"
}

// Username returns the bot's @username without the @, known once Run has started.
func (a *Adapter) Username() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.username
}

func (a *Adapter) setAccepting(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.accepting = on
	if on {
		a.health = health{up: true}
	} else {
		a.health.up = false
		a.health.err = errStopped
	}
}

func (a *Adapter) isAccepting() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.accepting
}
