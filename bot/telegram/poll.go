package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// maxPollBody bounds one getUpdates response: at most 100 updates of a few kilobytes each.
const maxPollBody = 16 << 20

// poll receives updates with getUpdates until ctx ends and hands each to the dispatcher. The
// library's own polling loop is not used because it cannot confirm, at shutdown, exactly the
// updates that were handled. poll returns a function that confirms every update below handled,
// so Telegram does not deliver them again after a restart.
func (a *Adapter) poll(ctx context.Context) (confirm func(handled int64)) {
	var offset int64
	delay := time.Duration(0)

	for ctx.Err() == nil {
		if delay > 0 {
			if a.sleep(ctx, delay) != nil {
				break
			}
		}

		updates, err := a.getUpdates(ctx, offset, a.cfg.PollTimeout)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			delay = min(max(2*delay, 100*time.Millisecond), maxRetryDelay)
			a.setHealth(err)
			a.log.Warn("Telegram getUpdates failed, retrying", "retry_in", delay, "error", err)
			continue
		}
		delay = 0
		a.setHealth(nil)

		for _, u := range updates {
			offset = max(offset, u.ID+1)
			a.accept(u)
		}
	}

	return func(handled int64) {
		next := offset
		if handled != 0 {
			next = min(next, handled)
		}
		if next == 0 {
			return
		}
		// The run context is over; confirming needs a context of its own.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.RequestTimeout)
		defer cancel()
		if _, err := a.getUpdates(ctx, next, 0); err != nil {
			a.log.Warn("Confirm Telegram updates failed; they may be delivered again", "offset", next, "error", err)
		}
	}
}

type getUpdatesRequest struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit,omitempty"`
	Timeout        int      `json:"timeout"`
	AllowedUpdates []string `json:"allowed_updates"`
}

type getUpdatesResponse struct {
	OK          bool             `json:"ok"`
	Result      []*models.Update `json:"result"`
	ErrorCode   int              `json:"error_code"`
	Description string           `json:"description"`
}

// getUpdates makes one getUpdates call. Updates below offset are confirmed by it.
func (a *Adapter) getUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]*models.Update, error) {
	body, err := json.Marshal(getUpdatesRequest{
		Offset:         offset,
		Timeout:        int(timeout / time.Second),
		AllowedUpdates: allowedUpdates,
	})
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, timeout+a.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.APIURL+"/bot"+a.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", a.scrubber.err(err))
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()

	var r getUpdatesResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxPollBody)).Decode(&r); err != nil {
		return nil, fmt.Errorf("getUpdates: decode response (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		return nil, fmt.Errorf("getUpdates: error %d: %s", r.ErrorCode, a.scrubber.text(r.Description))
	}
	return r.Result, nil
}
