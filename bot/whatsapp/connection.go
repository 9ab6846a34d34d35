package whatsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// connectionSignal is a change of the connection, passed from the event handler to Run.
type connectionSignal int

const (
	signalConnected connectionSignal = iota + 1
	signalDisconnected
	signalStopped
)

// Reconnect backoff: the first retry waits about two seconds, then each wait doubles up to
// five minutes. A session that logs in resets it.
const (
	reconnectInitial = 2 * time.Second
	reconnectMax     = 5 * time.Minute
)

func newReconnectBackoff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = reconnectInitial
	b.MaxInterval = reconnectMax
	b.Multiplier = 2
	b.RandomizationFactor = 0.1
	b.Reset()
	return b
}

// Run connects to WhatsApp and serves until ctx ends, reconnecting with backoff when the
// connection drops. It returns nil when ctx ends, and an error wrapping ErrStopped when
// WhatsApp ends the session for good (logged out, session replaced, client outdated,
// temporary ban); Config.Alert has then been called. On return it disconnects and waits for
// the messages in hand, whose replies may be lost.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.shutdown()

	retry := newReconnectBackoff()
	for {
		if err := a.stopped(); err != nil {
			return err
		}
		a.drainSignals()

		if err := a.client.Connect(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			a.log.Warn("WhatsApp connect failed", "error", scrubError(err))
		} else {
			a.log.Info("WhatsApp connection opened")
			if err := a.awaitDisconnect(ctx, retry); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
		}

		delay := retry.NextBackOff()
		a.log.Info("reconnecting to WhatsApp", "after", delay)
		if err := a.cfg.Sleep(ctx, delay); err != nil {
			return nil
		}
	}
}

// awaitDisconnect waits until the connection drops (nil) or the channel stops (its error).
// It returns nil when ctx ends. A session that logs in resets retry.
func (a *Adapter) awaitDisconnect(ctx context.Context, retry *backoff.ExponentialBackOff) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case sig := <-a.signals:
			switch sig {
			case signalConnected:
				retry.Reset()
			case signalDisconnected:
				a.log.Warn("WhatsApp connection lost")
				return nil
			case signalStopped:
				return a.stopped()
			}
		}
	}
}

// drainSignals drops signals about a connection that is gone. A stop is kept in stopErr.
func (a *Adapter) drainSignals() {
	for {
		select {
		case <-a.signals:
		default:
			return
		}
	}
}

// signal passes sig to Run without blocking whatsmeow's event goroutine. A full buffer drops
// it; Run checks stopErr before every connect, so a stop is never lost.
func (a *Adapter) signal(sig connectionSignal) {
	select {
	case a.signals <- sig:
	default:
		a.log.Warn("WhatsApp connection signal dropped", "signal", int(sig))
	}
}

func (a *Adapter) shutdown() {
	a.cancel()
	a.client.Disconnect()
	a.queues.wait()
}

// handleConnected records the login time, which separates live messages from backlog, and
// marks the bot online so that WhatsApp shows its typing indicator.
func (a *Adapter) handleConnected() {
	a.mu.Lock()
	a.connectedAt = a.cfg.Now()
	a.mu.Unlock()
	a.log.Info("WhatsApp session logged in")

	if err := a.client.SendPresence(a.ctx, types.PresenceAvailable); err != nil {
		a.log.Debug("WhatsApp presence not sent", "error", scrubError(err))
	}
	a.signal(signalConnected)
}

// stop ends the channel for a reason an operator must fix. It records the reason, signals
// Run and sends the alert. Only the first call has an effect.
func (a *Adapter) stop(reason, alert string) {
	a.mu.Lock()
	if a.stopErr != nil {
		a.mu.Unlock()
		return
	}
	a.stopErr = fmt.Errorf("%w: %s", ErrStopped, reason)
	a.mu.Unlock()

	a.log.Error("WhatsApp channel stopped", "reason", reason)
	a.signal(signalStopped)
	if a.cfg.Alert != nil {
		a.cfg.Alert(a.ctx, alert)
	}
}

func (a *Adapter) handleLoggedOut(evt *events.LoggedOut) {
	reason := "device unlinked"
	if evt.OnConnect {
		reason = evt.Reason.String()
	}
	a.stop("logged out: "+reason, fmt.Sprintf("WhatsApp logged the bot's linked device out (%s), so the "+
		"WhatsApp channel has stopped. Link the number again with `rechargebot whatsapp-login`, then "+
		"restart rechargebot.", reason))
}

func (a *Adapter) handleStreamReplaced() {
	a.stop("session replaced", "Another program connected with the bot's WhatsApp session, so this one "+
		"has stopped. Make sure only one rechargebot instance runs with WHATSAPP_ENABLED=true, then "+
		"restart it.")
}

func (a *Adapter) handleClientOutdated() {
	a.stop("client outdated", "WhatsApp rejected the bot's client version as outdated, so the WhatsApp "+
		"channel has stopped. Upgrade rechargebot to a build with a newer go.mau.fi/whatsmeow, then "+
		"restart it.")
}

func (a *Adapter) handleTemporaryBan(evt *events.TemporaryBan) {
	ends := "at a time WhatsApp did not say"
	if evt.Expire > 0 {
		ends = "in " + evt.Expire.String()
	}
	a.stop("temporarily banned: "+evt.Code.String(), fmt.Sprintf("WhatsApp temporarily banned the bot's "+
		"number (%s), so the WhatsApp channel has stopped. The ban ends %s. Lower "+
		"WHATSAPP_MESSAGES_PER_MINUTE and restart rechargebot after the ban ends.", evt.Code.String(), ends))
}

// handleConnectFailure retries a failure whatsmeow does not name. whatsmeow expects no
// reconnect after one and emits no Disconnected event, so the signal comes from here.
func (a *Adapter) handleConnectFailure(evt *events.ConnectFailure) {
	a.log.Error("WhatsApp refused the connection", "reason", evt.Reason.String(), "message", scrubLog(evt.Message))
	a.signal(signalDisconnected)
}
