package scheduler

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestReconcileFindsDifferences(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		reconciler := &Reconciler{Store: s, Kwik: h.client, Resolver: h.resolver, Alerts: h.alerts, Now: clock.Now}

		agreed := h.checkout(testNumber(20), kwiksim.Scenario{})
		clock.Advance(time.Hour)

		// We recorded a success that KwikAPI reports as a failure.
		failedThere := h.placeOrder(testNumber(21))
		h.sim.Script(failedThere.Number, kwiksim.Scenario{Outcome: kwiksim.Failure})
		h.sendRecharge(failedThere)
		h.record(failedThere.ID, models.StatusSuccess)

		// KwikAPI charged another amount than the order's.
		otherAmount := h.placeOrder(testNumber(22))
		_, err := h.client.Recharge(h.ctx, kwik.RechargeRequest{
			OrderID: strconv.FormatInt(otherAmount.ID, 10), Number: otherAmount.Number,
			OperatorID: otherAmount.OperatorID, AmountPaise: 149_00,
		})
		if err != nil {
			t.Fatalf("recharge: %v", err)
		}
		h.record(otherAmount.ID, models.StatusSuccess)

		// We recorded a success for a recharge KwikAPI never received.
		neverSent := h.placeOrder(testNumber(23))
		h.record(neverSent.ID, models.StatusSuccess)

		// A refund after success is applied, not reported.
		refunded := h.checkout(testNumber(24), kwiksim.Scenario{Outcome: kwiksim.Refund})

		// A transaction of the account that is no order of ours.
		_, err = h.client.Recharge(h.ctx, kwik.RechargeRequest{OrderID: "77001", Number: testNumber(25), OperatorID: "1", AmountPaise: 10_00})
		if err != nil {
			t.Fatalf("recharge: %v", err)
		}

		report, err := reconciler.Reconcile(h.ctx)
		if err != nil {
			t.Fatalf("Reconcile: %v", err)
		}

		differing := map[int64]bool{}
		for _, d := range report.Differences {
			differing[d.OrderID] = true
		}
		for name, id := range map[string]int64{
			"failed at KwikAPI": failedThere.ID, "other amount": otherAmount.ID,
			"never sent": neverSent.ID, "foreign": 77001,
		} {
			if !differing[id] {
				t.Errorf("difference %s (order %d) not reported", name, id)
			}
		}
		if differing[agreed.ID] || differing[refunded.ID] {
			t.Errorf("differences %+v include an order that agrees", report.Differences)
		}
		if len(report.Differences) != 4 {
			t.Errorf("differences = %+v, want 4", report.Differences)
		}
		if got := h.order(refunded.ID); got.Status != models.StatusRefunded {
			t.Errorf("order refunded at KwikAPI is %s, want refunded", got.Status)
		}

		alerts := h.adminAlerts()
		var reconcileAlerts []string
		for _, a := range alerts {
			if strings.HasPrefix(a.Text, "Reconciliation") {
				reconcileAlerts = append(reconcileAlerts, a.Text)
			}
		}
		if len(reconcileAlerts) != 1 || !strings.Contains(reconcileAlerts[0], "found 4 difference") {
			t.Fatalf("reconciliation alerts = %q, want one listing 4 differences", reconcileAlerts)
		}
		if !strings.Contains(reconcileAlerts[0], "KwikAPI FAILURE ₹199") || !strings.Contains(reconcileAlerts[0], "KwikAPI SUCCESS ₹149") {
			t.Errorf("alert %q lacks the status or amount differences", reconcileAlerts[0])
		}
		h.checkNoLeaks(testNumber(21), testNumber(22), testNumber(23), testNumber(25))
		if calls := h.sim.Calls(kwik.EndpointTransactions); calls != 1 {
			t.Errorf("transactions calls = %d, want 1", calls)
		}
	})
}

func TestReconcileCleanRaisesNothing(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		reconciler := &Reconciler{Store: s, Kwik: h.client, Resolver: h.resolver, Alerts: h.alerts, Now: clock.Now}
		h.checkout(testNumber(30), kwiksim.Scenario{})
		clock.Advance(time.Hour)
		h.checkout(testNumber(31), kwiksim.Scenario{})
		h.checkout(testNumber(32), kwiksim.Scenario{Outcome: kwiksim.Failure})
		h.checkout(testNumber(33), kwiksim.Scenario{Outcome: kwiksim.Pending, Checks: 3})

		report, err := reconciler.Reconcile(h.ctx)
		if err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if len(report.Differences) != 0 {
			t.Errorf("differences = %+v, want none", report.Differences)
		}
		if report.Compared != 4 || report.Uncovered != 0 {
			t.Errorf("compared %d and uncovered %d orders, want 4 and 0", report.Compared, report.Uncovered)
		}
		if alerts := h.adminAlerts(); len(alerts) != 0 {
			t.Errorf("alerts = %d, want 0", len(alerts))
		}
	})
}

func TestReconcileOutOfBudgetFails(t *testing.T) {
	clock := noonInIndia()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		clock.t = indiaTime(12, 0)
		h := newResolverHarness(t, s, clock)
		reconciler := &Reconciler{Store: s, Kwik: h.client, Alerts: h.alerts, Now: clock.Now}
		for range hourlyAllowance(48, clock.Now()) {
			if err := s.SpendCall(h.ctx, string(kwik.EndpointTransactions), 0); err != nil {
				t.Fatalf("spend transactions call: %v", err)
			}
		}

		if _, err := reconciler.Reconcile(h.ctx); err == nil {
			t.Errorf("Reconcile with the allowance used = nil, want an error so the job retries")
		}
		if calls := h.sim.Calls(kwik.EndpointTransactions); calls != 0 {
			t.Errorf("transactions calls = %d, want 0", calls)
		}
	})
}

// record stores a status for an order directly, as a wrong or hand-made record would be.
func (h *resolverHarness) record(id int64, status models.OrderStatus) {
	h.t.Helper()
	if _, _, err := h.store.RecordOutcome(h.ctx, id, models.Outcome{Status: status, Note: "test"}); err != nil {
		h.t.Fatalf("record %s for order %d: %v", status, id, err)
	}
}

func TestCompareOrdersSkipsUncovered(t *testing.T) {
	listed := time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)
	list := newTransactionList([]kwik.Transaction{
		{OrderID: "26120400000001", Status: kwik.StatusSuccess, AmountPaise: 199_00, Date: listed},
	})
	orders := []models.Order{
		{ID: 26120400000001, Status: models.StatusSuccess, AmountPaise: 199_00, CreatedAt: listed},
		// Placed before the oldest listed transaction, so its absence proves nothing.
		{ID: 26120400000002, Status: models.StatusSuccess, AmountPaise: 199_00, CreatedAt: listed.Add(-time.Hour)},
		// Placed well after it and missing: KwikAPI never received it.
		{ID: 26120400000003, Status: models.StatusSuccess, AmountPaise: 199_00, CreatedAt: listed.Add(time.Hour)},
	}

	report := compareOrders(orders, list, listed.Add(-24*time.Hour))

	if report.Compared != 2 || report.Uncovered != 1 {
		t.Errorf("compared %d and uncovered %d, want 2 and 1", report.Compared, report.Uncovered)
	}
	if len(report.Differences) != 1 || report.Differences[0].OrderID != 26120400000003 {
		t.Errorf("differences = %+v, want only the missing order placed after the oldest transaction", report.Differences)
	}
}
