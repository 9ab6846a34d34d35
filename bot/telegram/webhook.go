package telegram

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// maxWebhookBody bounds one webhook request; a single update is a few kilobytes.
const maxWebhookBody = 1 << 20

// secretHeader carries the secret_token registered with setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookHandler returns the HTTP handler that receives updates in webhook mode. It answers
// 401 and changes nothing when the secret token header is missing or wrong, 503 while the bot
// is not running (Telegram then delivers the update again later), 400 for a body that is not an
// update, and 200 once the update is queued. It does not wait for the update to be handled.
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(a.serveWebhook)
}

func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: use POST", http.StatusMethodNotAllowed)
		return
	}
	if !a.validSecret(r.Header.Get(secretHeader)) {
		a.log.Warn("Rejected Telegram webhook request with a wrong secret token", "remote_addr", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if !a.isAccepting() {
		http.Error(w, "not accepting updates", http.StatusServiceUnavailable)
		return
	}

	var u models.Update
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWebhookBody)).Decode(&u)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil || u.ID == 0:
		http.Error(w, "body is not a Telegram update", http.StatusBadRequest)
		return
	}

	a.accept(&u)
	w.WriteHeader(http.StatusOK)
}

// validSecret compares in constant time, so response timing does not reveal the secret.
func (a *Adapter) validSecret(got string) bool {
	want := a.cfg.WebhookSecret
	if want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
