// Package conversation is the chat side of the recharge bot. A per-user state machine takes a
// customer from a mobile number or DTH subscriber ID to a paid recharge. The package also owns
// the commands (/balance, /history, /credit …), the chat texts, and the checkout that places an
// order and submits it to KwikAPI once. It does not depend on Telegram or WhatsApp: adapters
// hand it a bot.Inbound and render the bot.Outbound replies.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// Defaults of Config.
const (
	DefaultIdleTimeout          = 15 * time.Minute
	DefaultPendingCheckInterval = 45 * time.Second
	DefaultPlanCacheAge         = 10 * time.Minute
	DefaultMaxConcurrent        = 16
)

// Config configures an Engine. Store and Kwik are required.
type Config struct {
	Store Store
	Kwik  KwikAPI
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// IdleTimeout ends an unfinished conversation when the user comes back after it;
	// zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// PendingCheckInterval is how long after a pending or unknown recharge result the resolver
	// first checks the order; zero means DefaultPendingCheckInterval.
	PendingCheckInterval time.Duration
	// PlanCacheAge is how long a fetched plan list is reused; zero means DefaultPlanCacheAge.
	PlanCacheAge time.Duration

	// AdminTelegramIDs are Telegram user ids, AdminWhatsAppNumbers phone numbers with the
	// country code, and AdminConsoleIDs console user names of the admins. Admins get the admin
	// role when they write and receive alerts about failed recharges.
	AdminTelegramIDs     []string
	AdminWhatsAppNumbers []string
	AdminConsoleIDs      []string

	// Simulated adds a note to the welcome text that recharges go to the simulator.
	Simulated bool
	// Notify is called after a message was added to the outbox, so that it is delivered at
	// once rather than at the next poll. It must not block. Nil disables it.
	Notify func()
	// Language selects the catalogue of chat texts; empty means "en".
	Language string
	// MaxConcurrent bounds the messages handled at once, and with them the database
	// connections held (two each on PostgreSQL: the chat's advisory lock and the queries).
	// Zero means DefaultMaxConcurrent.
	MaxConcurrent int
	// Sender sends and edits the progress message of bulk runs; nil means a run reports only
	// its summary, through the outbox.
	Sender bot.Sender
	// SyncCatalog refreshes the catalog now, for /sync, and returns the names of the parts it
	// refreshed; the error joins the failures of the others. When it is nil, /sync replies
	// that it is unavailable.
	SyncCatalog func(ctx context.Context) (synced []string, err error)
	// RoleChanged is called after an admin changes a user's role, so a channel can update that
	// user's command menu; nil means nothing is done.
	RoleChanged func(ctx context.Context, userID int64, role models.Role)
	// Bulk configures agents' bulk runs; zero fields take the defaults.
	Bulk BulkConfig
	// Limits caps each user's daily spending and message rate; the zero value sets no limit.
	Limits LimitsConfig
}

// Engine handles chat messages. It is safe for concurrent use: messages of one chat are
// handled one at a time, in arrival order, under a store lock on the chat's session key.
type Engine struct {
	store  Store
	kwik   KwikAPI
	now    func() time.Time
	log    *slog.Logger
	texts  texts
	admins []bot.ChatID
	cfg    Config
	// queue and slots order the work: a message first waits for its chat's earlier messages,
	// then for one of MaxConcurrent slots, then takes the store's lock on the chat.
	queue chatQueue
	slots chan struct{}
	// ops holds bulk runs, admin commands and limits.
	ops *operations
	// draining is set by Drain: the process is stopping and takes no new payment.
	draining atomic.Bool
}

// Drain makes the engine refuse new payments and bulk confirmations for the rest of its life,
// telling the user to try again shortly. Bulk runs stop starting lines and stay running for the
// next process. Every other message is handled as before. A stopping process calls it first, so
// that the messages still queued end quickly and the recharges already sent finish in time.
func (e *Engine) Drain() {
	// Under the bulk runner's lock, so that no run starts after Drain returns and a
	// WaitBulkRuns that follows covers every run.
	e.ops.bulk.mu.Lock()
	already := e.draining.Swap(true)
	e.ops.bulk.mu.Unlock()
	if !already {
		e.log.Info("Draining: new payments are refused until the restart")
	}
}

// New returns an Engine, or an error naming what is missing or invalid in cfg.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Kwik == nil {
		return nil, errors.New("new conversation engine: Store and Kwik are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.PendingCheckInterval <= 0 {
		cfg.PendingCheckInterval = DefaultPendingCheckInterval
	}
	if cfg.PlanCacheAge <= 0 {
		cfg.PlanCacheAge = DefaultPlanCacheAge
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	catalog, ok := catalogs[cfg.Language]
	if !ok {
		return nil, fmt.Errorf("new conversation engine: no chat texts in language %q", cfg.Language)
	}
	compiled, err := compile(catalog)
	if err != nil {
		return nil, fmt.Errorf("new conversation engine: %w", err)
	}

	e := &Engine{
		store: cfg.Store, kwik: cfg.Kwik, now: cfg.Now, log: cfg.Logger,
		texts: compiled, admins: adminChats(cfg), cfg: cfg,
		slots: make(chan struct{}, cfg.MaxConcurrent),
	}
	if err := e.extend(); err != nil {
		return nil, fmt.Errorf("new conversation engine: %w", err)
	}
	return e, nil
}

// adminChats returns the chats of the configured admins, where alerts go.
func adminChats(cfg Config) []bot.ChatID {
	var chats []bot.ChatID
	for _, id := range cfg.AdminTelegramIDs {
		if id = strings.TrimSpace(id); id != "" {
			chats = append(chats, bot.ChatID{Channel: bot.Telegram, ID: id})
		}
	}
	for _, number := range cfg.AdminWhatsAppNumbers {
		if number = models.NormalizePhone(number); number != "" {
			chats = append(chats, bot.ChatID{Channel: bot.WhatsApp, ID: number})
		}
	}
	for _, id := range cfg.AdminConsoleIDs {
		if id = strings.TrimSpace(id); id != "" {
			chats = append(chats, bot.ChatID{Channel: bot.Console, ID: id})
		}
	}
	return chats
}

// isAdmin reports whether the sender of in is a configured admin.
func (e *Engine) isAdmin(in bot.Inbound) bool {
	sender := in.UserID
	if in.Chat.Channel == bot.WhatsApp {
		sender = models.NormalizePhone(sender)
	}
	for _, admin := range e.admins {
		if admin.Channel == in.Chat.Channel && admin.ID == sender {
			return true
		}
	}
	return false
}

// Handle runs one message through the sender's conversation and returns the replies. Errors
// inside the conversation are logged and become a reply. Handle returns an error only when the
// inbound lacks a chat or a sender, when ctx ends while the message waits for its turn, or when
// the store cannot lock the chat.
func (e *Engine) Handle(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
	if in.Chat.Channel == "" || in.Chat.ID == "" || in.UserID == "" {
		return nil, errors.New("handle message: missing chat or sender")
	}
	in = cleanInbound(in)
	if out, limited := e.limitRate(in); limited {
		return out, nil
	}

	key := sessionKey(in)
	done, err := e.queue.wait(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("handle message: %w", err)
	}
	defer done()
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-ctx.Done():
		return nil, fmt.Errorf("handle message: %w", ctx.Err())
	}

	user, err := e.ensureUser(ctx, in)
	if err != nil {
		e.log.Error("Loading the sender failed", "chat", in.Chat.String(), "error", err)
		return e.internalError(), nil
	}
	unlock, err := e.store.LockKey(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("handle message of user %d: %w", user.ID, err)
	}
	defer unlock()

	t, err := e.loadTurn(ctx, in, user, key)
	if err != nil {
		e.log.Error("Loading the conversation failed", "user_id", user.ID, "error", err)
		return e.internalError(), nil
	}
	defer func() {
		if t.wake {
			e.notify()
		}
	}()

	if err := t.run(ctx); err != nil {
		e.log.Error("Handling a message failed", "user_id", user.ID, "state", t.state(), "error", err)
		return e.internalError(), nil
	}

	if err := t.save(ctx); err != nil {
		if errors.Is(err, models.ErrVersionConflict) && t.acted {
			// Asking to send it again would repeat what was done: the replies describe it.
			e.log.Warn("Conversation changed while handling a message; its action stands", "user_id", user.ID)
			return t.out, nil
		}
		if errors.Is(err, models.ErrVersionConflict) {
			e.log.Warn("Conversation changed while handling a message", "user_id", user.ID)
			return []bot.Outbound{{Text: e.texts.render(msgRetryMessage, nil)}}, nil
		}
		e.log.Error("Saving the conversation failed", "user_id", user.ID, "error", err)
		return e.internalError(), nil
	}
	return t.out, nil
}

// ensureUser returns the sender's user and gives configured admins the admin role. A role
// set by an admin command is never taken away here.
func (e *Engine) ensureUser(ctx context.Context, in bot.Inbound) (models.User, error) {
	user, err := e.store.EnsureUser(ctx, string(in.Chat.Channel), in.UserID, in.Chat.ID, in.DisplayName)
	if err != nil {
		return models.User{}, err
	}
	if user.Role != models.RoleAdmin && e.isAdmin(in) {
		if err := e.store.SetRole(ctx, user.ID, models.RoleAdmin); err != nil {
			return models.User{}, err
		}
		user.Role = models.RoleAdmin
		e.log.Info("Gave a configured admin the admin role", "user_id", user.ID)
	}
	return user, nil
}

// sessionKey names the conversation of the sender in its chat: "telegram:123", or with the
// sender appended in a chat shared by several users.
func sessionKey(in bot.Inbound) string {
	key := string(in.Chat.Channel) + ":" + in.Chat.ID
	if in.UserID != in.Chat.ID {
		key += ":" + in.UserID
	}
	return key
}

func (e *Engine) internalError() []bot.Outbound {
	return []bot.Outbound{{Text: e.texts.render(msgInternalError, nil)}}
}

// notify wakes the outbox deliverer for a message just queued.
func (e *Engine) notify() {
	if e.cfg.Notify != nil {
		e.cfg.Notify()
	}
}
