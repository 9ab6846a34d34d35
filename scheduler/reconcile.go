package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// TransactionLister reads KwikAPI's recent transactions. *kwik.Client implements it.
type TransactionLister interface {
	Transactions(ctx context.Context) ([]kwik.Transaction, error)
}

// Defaults of the Reconciler settings.
const (
	DefaultReconcileEvery  = 24 * time.Hour
	DefaultReconcilePeriod = 24 * time.Hour
	// maxReconciledOrders bounds the orders read for one comparison, the newest first. KwikAPI
	// lists only its last 100 transactions, so older orders cannot be compared anyway.
	maxReconciledOrders = 1000
	// maxListedDifferences is the number of differences an alert lists one by one.
	maxListedDifferences = 20
)

// Reconciler compares our orders of the last Period with KwikAPI's recent transactions and
// alerts admins about every difference of status or amount. Before comparing, it lets the
// resolver apply the list, so that orders KwikAPI has settled since are not reported and a
// refund after a success is credited.
type Reconciler struct {
	Store *models.Store
	Kwik  TransactionLister
	// Resolver, when set, applies the transaction list before the comparison.
	Resolver *Resolver
	Alerts   *Alerts
	// Now is the clock. Nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Period is how far back our orders are compared. Zero means DefaultReconcilePeriod.
	Period time.Duration
	// Every is the time between two reconciliations. Zero means DefaultReconcileEvery.
	Every time.Duration
}

// Difference is one disagreement between an order of ours and KwikAPI's record of it.
type Difference struct {
	OrderID int64
	// Ours is the order's status, empty for a transaction whose order we do not have.
	Ours      models.OrderStatus
	OursPaise int64
	// Theirs is KwikAPI's status, empty when KwikAPI does not list the order.
	Theirs      kwik.Status
	TheirsPaise int64
	Number      string
}

// ReconcileReport is the result of one reconciliation.
type ReconcileReport struct {
	// Compared counts our orders that KwikAPI's list reaches back to.
	Compared int
	// Uncovered counts our orders of the period older than KwikAPI's oldest listed transaction.
	Uncovered   int
	Differences []Difference
}

// Reconcile compares once and raises the "reconcile" alert when anything differs. A
// transactions call the budget does not allow is an error, so that the job retries.
func (r *Reconciler) Reconcile(ctx context.Context) (ReconcileReport, error) {
	txs, err := r.Kwik.Transactions(ctx)
	if err != nil {
		return ReconcileReport{}, fmt.Errorf("reconcile with kwikapi: %w", err)
	}
	if r.Resolver != nil {
		if err := r.Resolver.ApplyTransactions(ctx, txs); err != nil {
			return ReconcileReport{}, fmt.Errorf("reconcile with kwikapi: %w", err)
		}
	}

	now := r.now()
	since := now.Add(-positiveOr(r.Period, DefaultReconcilePeriod))
	orders, err := r.Store.OrdersPlacedSince(ctx, since, maxReconciledOrders)
	if err != nil {
		return ReconcileReport{}, fmt.Errorf("reconcile with kwikapi: %w", err)
	}
	report := compareOrders(orders, newTransactionList(txs), since)

	for _, d := range report.Differences {
		r.logger().Warn("Order differs from KwikAPI", "order_id", d.OrderID, "ours", d.Ours, "theirs", d.Theirs,
			"ours_paise", d.OursPaise, "theirs_paise", d.TheirsPaise)
	}
	r.logger().Info("Reconciliation done", "compared", report.Compared, "uncovered", report.Uncovered,
		"differences", len(report.Differences))
	if len(report.Differences) == 0 {
		return report, nil
	}
	alert := Alert{Key: "reconcile", Text: reconcileAlert(report)}
	return report, r.Alerts.Raise(ctx, alert)
}

// Job returns the periodic reconciliation for a Runner. A failed run, such as one out of
// transactions budget, is retried after an hour.
func (r *Reconciler) Job() Job {
	return Job{
		Name: "reconcile", Every: positiveOr(r.Every, DefaultReconcileEvery), RetryAfter: time.Hour,
		Run: func(ctx context.Context) error {
			_, err := r.Reconcile(ctx)
			return err
		},
	}
}

// compareOrders lists the differences between the orders placed since a time and the
// transaction list. Orders still open on our side are skipped, because the resolver settles
// them. An order the list does not reach back to is counted as uncovered, not as a difference.
// A listed transaction dated after since whose order id we never placed is a difference.
func compareOrders(orders []models.Order, list transactionList, since time.Time) ReconcileReport {
	var report ReconcileReport
	ours := make(map[int64]bool, len(orders))
	for _, o := range orders {
		ours[o.ID] = true
		tx, listed := list.byOrder[o.ID]
		if !listed && !list.covers(o.CreatedAt) {
			report.Uncovered++
			continue
		}
		report.Compared++
		if d, differs := compareOrder(o, tx, listed); differs {
			report.Differences = append(report.Differences, d)
		}
	}

	for id, tx := range list.byOrder {
		if !ours[id] && tx.Date.After(since.Add(clockSkew)) {
			report.Differences = append(report.Differences, Difference{
				OrderID: id, Theirs: tx.Status, TheirsPaise: tx.AmountPaise, Number: tx.Number,
			})
		}
	}
	slices.SortFunc(report.Differences, func(a, b Difference) int { return cmp.Compare(a.OrderID, b.OrderID) })
	return report
}

// compareOrder reports whether order o and its transaction disagree.
func compareOrder(o models.Order, tx kwik.Transaction, listed bool) (Difference, bool) {
	d := Difference{OrderID: o.ID, Ours: o.Status, OursPaise: o.AmountPaise, Number: o.Number}
	if !listed {
		// KwikAPI never received it. Only a success on our side is then wrong, because the
		// resolver makes a failure of an order KwikAPI does not know, or keeps it open.
		return d, o.Status == models.StatusSuccess || o.Status == models.StatusRefunded
	}
	d.Theirs, d.TheirsPaise = tx.Status, tx.AmountPaise
	if tx.AmountPaise != o.AmountPaise {
		return d, true
	}

	switch o.Status {
	case models.StatusSuccess:
		return d, tx.Status != kwik.StatusSuccess
	case models.StatusFailure, models.StatusRefunded:
		return d, tx.Status == kwik.StatusSuccess || tx.Status == kwik.StatusPending
	default:
		// Open on our side: the resolver settles it from the same list.
		return d, false
	}
}

// reconcileAlert describes the differences for admins, masking the numbers.
func reconcileAlert(report ReconcileReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Reconciliation with KwikAPI found %d difference(s) among %d compared orders:",
		len(report.Differences), report.Compared)
	for i, d := range report.Differences {
		if i == maxListedDifferences {
			fmt.Fprintf(&b, "\n… and %d more, listed in the log.", len(report.Differences)-i)
			break
		}
		fmt.Fprintf(&b, "\n- order %d (%s): ours %s, KwikAPI %s", d.OrderID, bot.Mask(d.Number),
			describeSide(string(d.Ours), d.OursPaise, "no order"), describeSide(string(d.Theirs), d.TheirsPaise, "not listed"))
	}
	if report.Uncovered > 0 {
		fmt.Fprintf(&b, "\n%d older orders were not compared, because KwikAPI lists only its last 100 transactions.", report.Uncovered)
	}
	return b.String()
}

func describeSide(status string, paise int64, missing string) string {
	if status == "" {
		return missing
	}
	return status + " " + rupees(paise)
}

func (r *Reconciler) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Reconciler) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}
