package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// OutboxStore is the part of the store that outbox delivery needs. *models.Store implements it.
type OutboxStore interface {
	ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration, channels ...string) ([]models.OutboxMessage, error)
	MarkSent(ctx context.Context, id int64, now time.Time) error
	MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error
	MarkDead(ctx context.Context, id int64, errText string) error
	MarkUnreachable(ctx context.Context, channel, chatID string) error
}

// Defaults of a Deliverer.
const (
	DefaultDeliverEvery       = 5 * time.Second
	DefaultDeliverBatch       = 20
	DefaultDeliverMaxAttempts = 10
	DefaultDeliverLease       = 2 * time.Minute
	DefaultSendTimeout        = 30 * time.Second
)

// Deliverer sends the outbox: it claims due messages, sends each through Sender and records
// the result. A message is sent by one process at a time, because claims are leased. Delivery
// is at least once: a process that dies between a successful send and MarkSent leaves the
// message to be sent again after the lease.
//
// A send that fails with bot.ErrUnreachable marks the message dead and the chat unreachable,
// with no retry. Any other failure is retried after Backoff(attempt), until MaxAttempts.
type Deliverer struct {
	Store  OutboxStore
	Sender bot.Sender
	// Channels restricts delivery to the channels this process runs. Nil means every channel.
	Channels []bot.Channel
	// Now is the clock. Nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Backoff returns the wait before attempt+1 after attempt (1, 2, ...) failed. Nil means
	// ExponentialBackoff(10*time.Second, time.Hour).
	Backoff func(attempt int) time.Duration
	// MaxAttempts is the number of sends after which a message is given up. Zero means
	// DefaultDeliverMaxAttempts.
	MaxAttempts int
	// Lease is how long a claimed message is reserved for this process. It must exceed
	// SendTimeout. Zero means DefaultDeliverLease.
	Lease time.Duration
	// SendTimeout bounds one send. Zero means DefaultSendTimeout.
	SendTimeout time.Duration
	// Batch is the number of messages claimed at once. Zero means DefaultDeliverBatch.
	Batch int
	// Every is the time between two passes of Run when nothing wakes it. Zero means
	// DefaultDeliverEvery.
	Every time.Duration

	wakeOnce sync.Once
	wake     chan struct{}
}

// ExponentialBackoff returns a Backoff that waits base after the first failure and doubles the
// wait with each further failure, up to limit.
func ExponentialBackoff(base, limit time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		wait := base
		for i := 1; i < attempt && wait < limit; i++ {
			wait *= 2
		}
		return min(wait, limit)
	}
}

// Wake makes Run start a pass now instead of at its next tick. It does not block, because a
// wake-up already pending covers this one.
func (d *Deliverer) Wake() {
	select {
	case d.wakeChannel() <- struct{}{}:
	default:
	}
}

func (d *Deliverer) wakeChannel() chan struct{} {
	d.wakeOnce.Do(func() { d.wake = make(chan struct{}, 1) })
	return d.wake
}

// Run delivers due messages every Every, at once after Wake, and straight again after a full
// batch, until ctx ends. It returns nil when ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	ticker := time.NewTicker(durationOr(d.Every, DefaultDeliverEvery))
	defer ticker.Stop()

	d.logger().Info("Outbox delivery started")
	for {
		claimed, _, err := d.pass(ctx)
		if err != nil && ctx.Err() == nil {
			d.logger().Error("Outbox delivery failed", "error", err)
		}
		if err == nil && claimed == d.batch() {
			continue
		}

		select {
		case <-ctx.Done():
			d.logger().Info("Outbox delivery stopped")
			return nil
		case <-ticker.C:
		case <-d.wakeChannel():
		}
	}
}

// DeliverDue makes one pass: it claims up to Batch due messages and tries to send each once.
// It returns the number sent. A failed send is recorded on its message and is not an error.
// The error reports a failed claim or a result that could not be recorded.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	_, sent, err := d.pass(ctx)
	return sent, err
}

func (d *Deliverer) pass(ctx context.Context) (claimed, sent int, err error) {
	channels := make([]string, len(d.Channels))
	for i, channel := range d.Channels {
		channels[i] = string(channel)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, nil
	}
	// The claim runs to its end even when ctx ends meanwhile: a claim committed but reported
	// as cancelled would leave its messages leased, and late, until the lease runs out.
	msgs, err := d.Store.ClaimOutbox(context.WithoutCancel(ctx), d.now(), d.batch(),
		durationOr(d.Lease, DefaultDeliverLease), channels...)
	if err != nil {
		return 0, 0, err
	}

	var errs []error
	for _, msg := range msgs {
		if ctx.Err() != nil {
			// Shutting down: hand the rest back at once instead of leaving them leased.
			errs = append(errs, d.Store.MarkRetry(context.WithoutCancel(ctx), msg.ID, d.now(), "delivery stopped"))
			continue
		}
		ok, err := d.deliver(ctx, msg)
		if ok {
			sent++
		}
		errs = append(errs, err)
	}
	return len(msgs), sent, errors.Join(errs...)
}

// deliver sends one claimed message and records the result. It reports whether the message
// was sent. The error is a failure to record the result.
func (d *Deliverer) deliver(ctx context.Context, msg models.OutboxMessage) (bool, error) {
	to := bot.ChatID{Channel: bot.Channel(msg.Channel), ID: msg.ChatID}
	log := d.logger().With("message_id", msg.ID, "chat", to.String(), "attempt", msg.Attempts, "kind", msg.Kind)
	// A send under way finishes and its result is recorded even when ctx ends, because a send
	// cut short may still have reached the chat, and retrying it would repeat the message.
	record := context.WithoutCancel(ctx)

	out, err := outbound(msg)
	if err != nil {
		log.Error("Outbox message is malformed, giving up", "error", err)
		return false, d.Store.MarkDead(record, msg.ID, err.Error())
	}

	sendCtx, cancel := context.WithTimeout(record, durationOr(d.SendTimeout, DefaultSendTimeout))
	_, err = d.Sender.Send(sendCtx, to, out)
	cancel()

	switch {
	case err == nil:
		log.Debug("Outbox message sent")
		return true, d.Store.MarkSent(record, msg.ID, d.now())

	case errors.Is(err, bot.ErrUnreachable):
		errText := maskChat(err.Error(), msg.ChatID)
		log.Warn("Chat unreachable, giving up on message", "error", errText)
		return false, errors.Join(
			d.Store.MarkDead(record, msg.ID, errText),
			d.Store.MarkUnreachable(record, msg.Channel, msg.ChatID),
		)

	case msg.Attempts >= d.maxAttempts():
		errText := maskChat(err.Error(), msg.ChatID)
		log.Error("Outbox message failed too often, giving up", "error", errText)
		return false, d.Store.MarkDead(record, msg.ID, errText)

	default:
		errText := maskChat(err.Error(), msg.ChatID)
		next := d.now().Add(d.backoff(msg.Attempts))
		log.Warn("Outbox send failed, will retry", "error", errText, "retry_at", next)
		return false, d.Store.MarkRetry(record, msg.ID, next, errText)
	}
}

// outbound converts a stored message into the chat-neutral form a Sender takes.
func outbound(msg models.OutboxMessage) (bot.Outbound, error) {
	out := bot.Outbound{Text: msg.Text}

	if msg.Options != "" {
		var options []struct {
			Label string `json:"label"`
			Data  string `json:"data"`
		}
		if err := json.Unmarshal([]byte(msg.Options), &options); err != nil {
			return bot.Outbound{}, fmt.Errorf("decode options of message %d: %w", msg.ID, err)
		}
		for _, option := range options {
			out.Options = append(out.Options, bot.Option{Label: option.Label, Data: option.Data})
		}
	}

	if msg.DocumentName != "" {
		out.Document = &bot.File{Name: msg.DocumentName, MIME: documentType(msg.DocumentName), Data: msg.DocumentData}
	}
	return out, nil
}

// documentTypes are the MIME types of the documents the service sends. They are fixed here
// because mime.TypeByExtension depends on the host's mime.types files for most extensions.
var documentTypes = map[string]string{
	".csv":  "text/csv",
	".pdf":  "application/pdf",
	".txt":  "text/plain; charset=utf-8",
	".json": "application/json",
}

func documentType(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if mimeType, ok := documentTypes[ext]; ok {
		return mimeType
	}
	if mimeType := mime.TypeByExtension(ext); mimeType != "" {
		return mimeType
	}
	return "application/octet-stream"
}

// maskChat hides the chat id inside an error text, because a WhatsApp chat id is a phone number
// and the text goes into logs and the outbox table.
func maskChat(text, chatID string) string {
	if len(chatID) > 4 {
		text = strings.ReplaceAll(text, chatID, bot.Mask(chatID))
	}
	return text
}

func (d *Deliverer) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *Deliverer) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d *Deliverer) backoff(attempt int) time.Duration {
	if d.Backoff == nil {
		return ExponentialBackoff(10*time.Second, time.Hour)(attempt)
	}
	return d.Backoff(attempt)
}

func (d *Deliverer) batch() int {
	if d.Batch <= 0 {
		return DefaultDeliverBatch
	}
	return d.Batch
}

func (d *Deliverer) maxAttempts() int {
	if d.MaxAttempts <= 0 {
		return DefaultDeliverMaxAttempts
	}
	return d.MaxAttempts
}

// durationOr returns value, or fallback when value is not positive.
func durationOr(value, fallback time.Duration) time.Duration {
	if value <= 0 {
		return fallback
	}
	return value
}
