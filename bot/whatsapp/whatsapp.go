// Package whatsapp serves the bot on WhatsApp as a linked device of one phone number, through
// go.mau.fi/whatsmeow, an unofficial client of the WhatsApp Web protocol. It turns one-to-one
// messages from people into bot.Inbound for a bot.Handler, renders bot.Outbound as plain
// WhatsApp text with numbered options, and implements bot.Sender for messages outside a reply.
// The device session lives in the product's database (see Store).
package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/rechargebot/rechargebot/bot"
)

// Defaults of Config.
const (
	DefaultMessagesPerMinute = 20
	DefaultMaxFileBytes      = 1 << 20
	DefaultNoticeInterval    = 10 * time.Minute
)

const (
	// maxPendingPerChat bounds the messages waiting for one chat; more are dropped, so one
	// sender flooding the bot cannot grow memory without limit.
	maxPendingPerChat = 20
	// typingRefresh is the interval between renewals of the typing indicator while the
	// handler runs, because WhatsApp apps hide an indicator that is not renewed (after
	// roughly 25 seconds, an estimate).
	typingRefresh = 10 * time.Second
	// backlogNoticeAge is the age past which a message that arrived while the bot was offline
	// gets no "please send it again" notice.
	backlogNoticeAge = 24 * time.Hour
)

// Errors of the adapter.
var (
	// ErrNotLinked reports that no WhatsApp device is linked yet.
	ErrNotLinked = errors.New("no WhatsApp device linked: run rechargebot whatsapp-login")
	// ErrStopped reports that the channel stopped because WhatsApp ended the session. The
	// wrapping error names the reason, and Config.Alert has received what to do.
	ErrStopped = errors.New("whatsapp channel stopped")
	// ErrAlreadyLinked reports that Login found a linked device and was not forced.
	ErrAlreadyLinked = errors.New("a WhatsApp device is already linked")
)

// Config configures the adapter.
type Config struct {
	// Handler receives each accepted message; required. Its replies go back to the same chat.
	Handler bot.Handler
	// Alert is called once when the channel stops for a reason an operator must fix, with a
	// text saying what happened and what to do. It may be nil.
	Alert func(ctx context.Context, text string)
	// MessagesPerMinute caps sent messages in any 60-second span; 0 means DefaultMessagesPerMinute.
	MessagesPerMinute int
	// MaxFileBytes is the largest document accepted from a user; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
	// NoticeInterval is the least time between two automatic notices of one kind to one chat;
	// 0 means DefaultNoticeInterval.
	NoticeInterval time.Duration
	Logger         *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx ends, for pacing and reconnect backoff; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Adapter is the WhatsApp channel. Run it with Run; Send may be called concurrently.
type Adapter struct {
	cfg     Config
	client  Client
	store   *Store
	log     *slog.Logger
	queues  *chatQueues
	pacer   *pacer
	notices *noticeLimiter

	// ctx is the lifetime of the jobs the adapter starts; cancel ends it when Run returns.
	ctx    context.Context
	cancel context.CancelFunc

	// signals carries connection events from whatsmeow's goroutines to Run.
	signals chan connectionSignal

	mu          sync.Mutex
	connectedAt time.Time // when the current session logged in; zero before
	stopErr     error     // reason the channel stopped; nil while it runs
}

var _ bot.Sender = (*Adapter)(nil)

// New builds the adapter on the device linked in s. It returns ErrNotLinked when no device is
// linked. Call Run to connect.
func New(ctx context.Context, s *Store, cfg Config) (*Adapter, error) {
	if cfg.Handler == nil {
		return nil, fmt.Errorf("new whatsapp adapter: Config.Handler is missing")
	}
	device, err := s.Container.GetFirstDevice(ctx)
	if err != nil {
		return nil, fmt.Errorf("new whatsapp adapter: load device: %w", err)
	}
	if device.ID == nil {
		return nil, ErrNotLinked
	}

	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cli := whatsmeow.NewClient(device, newWALogger(logger, "client"))
	// Run reconnects with its own capped backoff and stops for good on the events that need
	// an operator, which whatsmeow's built-in loop would retry.
	cli.EnableAutoReconnect = false

	a := NewWithClient(cfg, &whatsmeowClient{cli: cli}, s)
	cli.AddEventHandler(a.HandleEvent)
	return a, nil
}

// NewWithClient builds the adapter over c, for tests and for other transports; New remains
// the production path. Config.Handler must be set. Nothing reaches the adapter until the
// caller passes c's events to HandleEvent.
func NewWithClient(cfg Config, c Client, s *Store) *Adapter {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepContext
	}
	if cfg.MessagesPerMinute <= 0 {
		cfg.MessagesPerMinute = DefaultMessagesPerMinute
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.NoticeInterval <= 0 {
		cfg.NoticeInterval = DefaultNoticeInterval
	}

	ctx, cancel := context.WithCancel(context.Background())
	return &Adapter{
		cfg:     cfg,
		client:  c,
		store:   s,
		log:     cfg.Logger.With("channel", string(bot.WhatsApp)),
		queues:  newChatQueues(maxPendingPerChat),
		pacer:   newPacer(cfg.MessagesPerMinute, time.Minute, cfg.Now, cfg.Sleep),
		notices: newNoticeLimiter(cfg.NoticeInterval),
		ctx:     ctx,
		cancel:  cancel,
		signals: make(chan connectionSignal, 16),
	}
}

// Wait blocks until the adapter has handled every message passed to HandleEvent so far and
// sent its replies. Call it only while no events arrive, as tests do between two events.
func (a *Adapter) Wait() { a.queues.wait() }

// stopped returns the reason the channel stopped, or nil while it runs.
func (a *Adapter) stopped() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stopErr
}
