package scheduler

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// AlertStore is the part of the store that alerts need. *models.Store implements it.
type AlertStore interface {
	ShouldAlert(ctx context.Context, key string, window time.Duration) (send bool, heldBack int, err error)
	Enqueue(ctx context.Context, msgs ...models.OutboxMessage) error
}

// DefaultAlertWindow is how long an alert key stays quiet after an alert with it went out.
const DefaultAlertWindow = time.Hour

// Alerts writes admin alerts into the outbox, one message per admin chat. An alert key names
// what the alert is about. Within Window only the first alert with a key goes out, and the
// next one after the window states how many were held back.
type Alerts struct {
	Store AlertStore
	// Admins are the chats that receive alerts. AdminChats builds them from the configuration.
	Admins []bot.ChatID
	// Window is the quiet time of an alert key. Zero means DefaultAlertWindow.
	Window time.Duration
	// Secrets are removed from any free text, such as an error message, before it goes into an
	// alert: the KwikAPI key, the bot token.
	Secrets []string
	Logger  *slog.Logger
}

// Alert is one admin alert.
type Alert struct {
	// Key names the subject, such as "low-balance" or "stuck:<order id>". Alerts with the same
	// key within the window are held back.
	Key  string
	Text string
	// Once marks a key that names one event, such as one order becoming stuck. Its outbox rows
	// get a dedupe key, so the alert is never written twice, even after the window.
	Once bool
}

// AdminChats returns the alert chats of the configured admins: each Telegram user id is also
// the id of the private chat with the bot, and each WhatsApp number is used as digits only.
// Blank entries are skipped.
func AdminChats(telegramIDs, whatsAppNumbers []string) []bot.ChatID {
	var chats []bot.ChatID
	for _, id := range telegramIDs {
		if id = strings.TrimSpace(id); id != "" {
			chats = append(chats, bot.ChatID{Channel: bot.Telegram, ID: id})
		}
	}
	for _, number := range whatsAppNumbers {
		if digits := onlyDigits(number); digits != "" {
			chats = append(chats, bot.ChatID{Channel: bot.WhatsApp, ID: digits})
		}
	}
	return chats
}

// Prepare returns the outbox rows of an alert, one per admin chat, for the caller to write in
// the transaction of the change the alert reports. It returns no rows when the key is held
// back or no admin is configured. A held-back count from earlier alerts is added to the text.
func (a *Alerts) Prepare(ctx context.Context, alert Alert) ([]models.OutboxMessage, error) {
	if a == nil || len(a.Admins) == 0 {
		return nil, nil
	}
	send, heldBack, err := a.Store.ShouldAlert(ctx, alert.Key, a.window())
	if err != nil {
		return nil, fmt.Errorf("check alert %s: %w", alert.Key, err)
	}
	if !send {
		a.logger().Info("Alert held back", "alert", alert.Key)
		return nil, nil
	}

	text := alert.Text + heldBackSuffix(heldBack)
	msgs := make([]models.OutboxMessage, 0, len(a.Admins))
	for _, chat := range a.Admins {
		msg := models.OutboxMessage{
			Channel: string(chat.Channel), ChatID: chat.ID, Text: text, Kind: models.OutboxAlert,
		}
		if alert.Once {
			key := "alert:" + alertKey(alert.Key, string(chat.Channel), chat.ID)
			msg.DedupeKey = &key
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Raise writes an alert that reports no stored change, such as a low KwikAPI balance, into
// the outbox at once.
func (a *Alerts) Raise(ctx context.Context, alert Alert) error {
	msgs, err := a.Prepare(ctx, alert)
	if err != nil || len(msgs) == 0 {
		return err
	}
	if err := a.Store.Enqueue(ctx, msgs...); err != nil {
		return fmt.Errorf("raise alert %s: %w", alert.Key, err)
	}
	a.logger().Info("Alert raised", "alert", alert.Key, "chats", len(msgs))
	return nil
}

// JobFailed alerts admins that a periodic job failed, and fits Runner.OnError. Failures of one
// job share a key, so a job failing every minute alerts once an hour.
func (a *Alerts) JobFailed(ctx context.Context, job string, err error) {
	alert := Alert{Key: "job-failed:" + job, Text: jobFailedAlert(job, a.Scrub(err.Error()))}
	if err := a.Raise(ctx, alert); err != nil {
		a.logger().Error("Job failure alert failed", "job", job, "error", err)
	}
}

// Scrub prepares free text such as an error message for an alert: it removes the secrets,
// masks phone numbers and cuts long text.
func (a *Alerts) Scrub(text string) string {
	if a == nil {
		return scrub(text, nil)
	}
	return scrub(text, a.Secrets)
}

func (a *Alerts) window() time.Duration {
	if a.Window <= 0 {
		return DefaultAlertWindow
	}
	return a.Window
}

func (a *Alerts) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

// maxAlertKey is the length of the alert keys alertKey returns. The store keeps alert keys
// and outbox dedupe keys in columns of 128 bytes.
const maxAlertKey = 96

// alertKey joins parts with ":" into a key of at most maxAlertKey bytes. A longer key keeps
// its start and ends with a hash of the whole, so different long keys stay different.
func alertKey(parts ...string) string {
	key := strings.Join(parts, ":")
	if len(key) <= maxAlertKey {
		return key
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	sum := fmt.Sprintf("%016x", h.Sum64())
	return strings.ToValidUTF8(key[:maxAlertKey-len(sum)-1], "") + ":" + sum
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
