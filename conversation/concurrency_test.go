package conversation

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

// concurrentUsers is how many users recharge at the same time in TestManyUsersRecharge.
const concurrentUsers = 200

// TestManyUsersRecharge has many users recharge at once, each number ending in a suffix that
// makes the simulator succeed, fail, stay pending or time out. Afterwards every order has an
// outcome, the resolver settles the open ones, each balance equals its ledger and none is
// negative, and recharge.php was called once per order.
func TestManyUsersRecharge(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 200 concurrent conversations")
	}
	suffixes := []string{"3210", "3211", "0001", "0002", "3212", "0005", "3213", "0006", "3214", "3215"}

	eachEngine(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		users := make([]string, concurrentUsers)
		for i := range users {
			users[i] = fmt.Sprintf("%d", 10000+i)
			h.fund(users[i], 100000)
		}

		var wg sync.WaitGroup
		for i, user := range users {
			number := fmt.Sprintf("98765%01d", i%10) + suffixes[i%len(suffixes)]
			wg.Go(func() {
				if err := recharge(h, user, number); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()

		orders, err := h.store.OrdersByStatus(ctx, []models.OrderStatus{
			models.StatusSending, models.StatusSuccess, models.StatusFailure, models.StatusPending,
			models.StatusUnknown, models.StatusStuck, models.StatusRefunded,
		}, 10*concurrentUsers)
		if err != nil {
			t.Fatal(err)
		}
		if len(orders) != concurrentUsers {
			t.Fatalf("orders = %d, want %d", len(orders), concurrentUsers)
		}
		for _, o := range orders {
			if o.Status == models.StatusSending {
				t.Errorf("order %d is still sending", o.ID)
			}
			if n := h.sim.RechargeCalls(itoa(o.ID)); n != 1 {
				t.Errorf("order %d: recharge calls = %d, want 1", o.ID, n)
			}
		}
		if n := h.sim.Calls(kwik.EndpointRecharge); n != concurrentUsers {
			t.Errorf("recharge.php calls = %d, want %d", n, concurrentUsers)
		}

		settleAll(t, h)
		for _, user := range users {
			h.wantLedgerMatches(user)
			if b := h.balance(user); b < 0 {
				t.Errorf("user %s balance %d is negative", user, b)
			}
		}
	})
}

// recharge runs one user's conversation from number and amount to Pay.
func recharge(h *harness, user, number string) error {
	ctx := context.Background()
	out, err := h.engine.Handle(ctx, inbound(user, number+" 199"))
	if err != nil {
		return fmt.Errorf("user %s: %w", user, err)
	}
	pay := ""
	for _, o := range out {
		for _, opt := range o.Options {
			if len(opt.Data) > len(dataPay) && opt.Data[:len(dataPay)] == dataPay {
				pay = opt.Data
			}
		}
	}
	if pay == "" {
		return fmt.Errorf("user %s: no Pay option in %q", user, text(out))
	}
	in := inbound(user, "")
	in.Data = pay
	out, err = h.engine.Handle(ctx, in)
	if err != nil {
		return fmt.Errorf("user %s: %w", user, err)
	}
	if len(out) == 0 {
		return fmt.Errorf("user %s: no reply to Pay", user)
	}
	return nil
}

// settleAll runs the resolver, moving the clock past each check interval, until no order is
// open, and fails if some stay open.
func settleAll(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	resolver := &scheduler.Resolver{Store: h.store, Kwik: h.client, Now: h.clock.Now}
	open := []models.OrderStatus{models.StatusSending, models.StatusPending, models.StatusUnknown, models.StatusStuck}
	for range 10 {
		h.clock.Advance(time.Minute)
		if _, err := resolver.ResolveDue(ctx); err != nil {
			t.Fatalf("resolve: %v", err)
		}
		left, err := h.store.OrdersByStatus(ctx, open, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
	}
	left, _ := h.store.OrdersByStatus(ctx, open, 1000)
	t.Errorf("%d orders still open after the resolver ran", len(left))
}
