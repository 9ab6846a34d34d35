package conversation

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// racingStore fails the next SaveSession with a version conflict once armed, as when another
// process sharing the database saved the same conversation first.
type racingStore struct {
	*models.Store
	armed atomic.Bool
}

func (s *racingStore) SaveSession(ctx context.Context, session *models.Session) error {
	if s.armed.CompareAndSwap(true, false) {
		return models.ErrVersionConflict
	}
	return s.Store.SaveSession(ctx, session)
}

func TestVersionConflictReplies(t *testing.T) {
	c := newClock()
	modelstest.Each(t, c.Now, func(t *testing.T, s *models.Store) {
		c.Set(testStart)
		racing := &racingStore{Store: s}
		h := newHarness(t, s, c, func(cfg *Config) { cfg.Store = racing })
		h.fund(customerID, 50_000)

		out := h.send(customerID, "9876543210 199")
		racing.armed.Store(true)
		out = h.press(customerID, optionData(t, out, "Pay"))
		wantText(t, out, "is being processed")
		if strings.Contains(text(out), "crossed") {
			t.Errorf("a paid confirmation was asked to be sent again:\n%s", text(out))
		}
		if n := len(h.orders(customerID)); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}

		racing.armed.Store(true)
		out = h.send(customerID, "9876543211")
		wantText(t, out, "crossed with another one")
	})
}
