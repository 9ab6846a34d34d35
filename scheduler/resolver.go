package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// ResolverKwik is the part of the KwikAPI client the resolver calls. The client must spend
// its calls through a CallBudget (kwik.WithBeforeCall), which keeps them within the daily
// limits and spreads them over the day.
type ResolverKwik interface {
	Status(ctx context.Context, orderID string) (kwik.StatusResult, error)
	Transactions(ctx context.Context) ([]kwik.Transaction, error)
}

// Defaults of the Resolver settings.
const (
	DefaultCheckInterval = 45 * time.Second
	DefaultMaxChecks     = 5
	DefaultStuckInterval = time.Hour
	defaultBatchFrom     = 2
	defaultClaimLimit    = 100
	defaultLease         = 2 * time.Minute
)

// Resolver settles the orders whose outcome is not known yet: pending at KwikAPI, unknown
// after a timeout or a bad reply, and sending orders a crash left behind (due SendingGrace
// after they were placed). Each settlement goes through Store.RecordOutcome together with the
// customer's notice and any admin alert, so a final status and its messages are written in one
// transaction. Run ResolveDue periodically on one process; several resolvers sharing a
// PostgreSQL database claim different orders and never notify twice.
type Resolver struct {
	Store *models.Store
	Kwik  ResolverKwik
	// Alerts receives the admin alerts. Nil sends none.
	Alerts *Alerts
	// Now is the clock. Nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger

	// CheckInterval is the time between two checks of an order. Zero means DefaultCheckInterval.
	CheckInterval time.Duration
	// MaxChecks is the number of checks after which an order still pending becomes stuck.
	// Zero means DefaultMaxChecks.
	MaxChecks int
	// StuckInterval is the time between two checks of a stuck order. Zero means DefaultStuckInterval.
	StuckInterval time.Duration
	// BatchFrom is the number of due orders from which one transactions call is made before
	// any status call. Zero means 2.
	BatchFrom int
	// Ahead is how much earlier than due an order may be checked when it can share a
	// transaction list with other orders, so that their later checks line up. Zero means a
	// third of CheckInterval, so two checks of an order are at least two thirds of it apart.
	Ahead time.Duration
	// NotFoundGrace is the age after which a sending or unknown order that KwikAPI has no record
	// of is failed and refunded. Zero means models.SendingGrace.
	NotFoundGrace time.Duration
	// ClaimLimit is the maximum number of orders one pass claims. Zero means 100, the length of
	// KwikAPI's transaction list.
	ClaimLimit int
	// Lease is how long a claimed order stays with this resolver if the pass dies. Zero means two minutes.
	Lease time.Duration
}

// Pass counts what one ResolveDue did.
type Pass struct {
	// Claimed is the number of due orders this pass took.
	Claimed int
	// Settled counts the orders moved to a final status or to stuck, claimed or not.
	Settled int
	// Checked counts the claimed orders checked without learning a final status.
	Checked int
	// Deferred counts the claimed orders left unchecked because calls were not allowed.
	Deferred          int
	StatusCalls       int
	TransactionsCalls int
}

// ResolveDue claims the orders due for a check and settles as many as it can. When at least
// BatchFrom orders are due it reads one transaction list, then calls status.php for the orders
// the list leaves open. A single order gets a status call, or the list when status calls are
// out of budget.
// Orders left without a check because the budget or KwikAPI refused the calls are put off
// until calls are allowed again, without counting a check. Errors of single orders are
// logged and returned joined; their lease expires and they are tried again.
func (r *Resolver) ResolveDue(ctx context.Context) (Pass, error) {
	now := r.now()
	orders, err := r.Store.ClaimOrdersDueBy(ctx, now, now.Add(r.ahead()), r.claimLimit(), r.lease())
	if err != nil {
		return Pass{}, fmt.Errorf("resolve orders: %w", err)
	}
	p := &pass{r: r, now: now}
	orders = p.dropEarly(ctx, orders)
	p.stats.Claimed = len(orders)
	if len(orders) == 0 {
		return p.stats, errors.Join(p.errs...)
	}

	rest := orders
	batched := len(orders) >= r.batchFrom()
	if batched {
		rest = p.viaTransactions(ctx, rest)
	}
	rest = p.viaStatus(ctx, rest)
	if len(rest) > 0 && !batched && p.stopped == nil {
		rest = p.viaTransactions(ctx, rest)
	}
	p.putOff(ctx, rest)

	r.logger().Debug("Resolver pass done", "claimed", p.stats.Claimed, "settled", p.stats.Settled,
		"checked", p.stats.Checked, "deferred", p.stats.Deferred,
		"status_calls", p.stats.StatusCalls, "transactions_calls", p.stats.TransactionsCalls)
	return p.stats, errors.Join(p.errs...)
}

// Job returns the periodic ResolveDue for a Runner, every third of the check interval, so
// that an order is checked at most that long after it is due.
func (r *Resolver) Job() Job {
	return Job{Name: "resolver", Every: r.ahead(), Run: func(ctx context.Context) error {
		_, err := r.ResolveDue(ctx)
		return err
	}}
}

// ApplyTransactions settles the open orders that KwikAPI's transaction list txs reports
// final, and refunds the successful orders it reports refunded, as a ResolveDue pass does with
// the list it reads. It counts no check. The error joins the failures of single orders.
func (r *Resolver) ApplyTransactions(ctx context.Context, txs []kwik.Transaction) error {
	p := &pass{r: r, now: r.now()}
	p.applyUnclaimed(ctx, newTransactionList(txs), nil)
	return errors.Join(p.errs...)
}

// pass is the state of one ResolveDue.
type pass struct {
	r     *Resolver
	now   time.Time
	stats Pass
	// stopped is the error that ends every further call in this pass: rejected key, rate
	// limit, or the end of the context.
	stopped error
	// retryAt is the earliest time a budget that rejected a call allows calls again.
	retryAt time.Time
	errs    []error
}

// kwikRecord is KwikAPI's report on one order, from status.php or from its transaction list.
type kwikRecord struct {
	status       kwik.Status
	operatorRef  string
	chargedPaise int64
	message      string
	// notFound is set when KwikAPI has no record of the order.
	notFound bool
	source   string
}

// dropEarly releases the claimed orders that are not due yet unless the pass has enough
// orders for a transaction list: an early check pays only when it shares a call.
func (p *pass) dropEarly(ctx context.Context, orders []models.Order) []models.Order {
	if len(orders) >= p.r.batchFrom() {
		return orders
	}
	due := orders[:0]
	for _, o := range orders {
		if o.NextCheckAt == nil || !o.NextCheckAt.After(p.now) {
			due = append(due, o)
			continue
		}
		if err := p.r.Store.NoteCheck(ctx, o.ID, o.Checks, *o.NextCheckAt); err != nil {
			p.fail(err)
		}
	}
	return due
}

// viaStatus calls status.php for each order in turn and returns the orders left unchecked
// because calls stopped being allowed.
func (p *pass) viaStatus(ctx context.Context, orders []models.Order) []models.Order {
	for i, o := range orders {
		if p.stopped != nil {
			return orders[i:]
		}
		res, err := p.r.Kwik.Status(ctx, strconv.FormatInt(o.ID, 10))
		switch {
		case err == nil:
			p.stats.StatusCalls++
			p.apply(ctx, o, statusRecord(res), true)
		case errors.Is(err, kwik.ErrOrderNotFound):
			p.stats.StatusCalls++
			p.apply(ctx, o, kwikRecord{notFound: true, source: "status"}, true)
		case p.callRejected(ctx, kwik.EndpointStatus, err):
			return orders[i:]
		default:
			p.stats.StatusCalls++
			p.r.logger().Warn("Order status check failed", "order_id", o.ID, "error", err)
			p.checkAgain(ctx, o, o.Status, "status check failed: "+p.r.Alerts.Scrub(err.Error()))
		}
	}
	return nil
}

// viaTransactions settles the orders found in KwikAPI's recent transaction list and returns
// the rest. The list also settles open orders that are not due yet and applies refunds of
// orders that had succeeded.
func (p *pass) viaTransactions(ctx context.Context, orders []models.Order) []models.Order {
	if p.stopped != nil {
		return orders
	}
	txs, err := p.r.Kwik.Transactions(ctx)
	if err != nil {
		if !p.callRejected(ctx, kwik.EndpointTransactions, err) {
			p.r.logger().Warn("Transaction list failed; checking orders one by one", "error", err)
		}
		return orders
	}
	p.stats.TransactionsCalls++

	list := newTransactionList(txs)
	claimed := make(map[int64]bool, len(orders))
	var rest []models.Order
	for _, o := range orders {
		claimed[o.ID] = true
		tx, found := list.byOrder[o.ID]
		switch {
		case found:
			p.apply(ctx, o, transactionRecord(tx), true)
		case list.covers(o.CreatedAt) && (o.Status == models.StatusSending || o.Status == models.StatusUnknown):
			p.apply(ctx, o, kwikRecord{notFound: true, source: "transactions"}, true)
		default:
			rest = append(rest, o)
		}
	}
	p.applyUnclaimed(ctx, list, claimed)
	return rest
}

// applyUnclaimed settles the listed orders this pass did not claim: open orders with a final
// status, and successful orders that KwikAPI refunded. RecordOutcome makes this safe while
// another resolver holds the order, because a status it already stored changes nothing.
func (p *pass) applyUnclaimed(ctx context.Context, list transactionList, claimed map[int64]bool) {
	var ids []int64
	for id, tx := range list.byOrder {
		if !claimed[id] && finalAtKwik(tx.Status) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	orders, err := p.r.Store.OrdersByID(ctx, ids)
	if err != nil {
		p.fail(fmt.Errorf("load listed orders: %w", err))
		return
	}
	for _, o := range orders {
		tx := list.byOrder[o.ID]
		settleable := o.Status == models.StatusPending || o.Status == models.StatusUnknown ||
			o.Status == models.StatusStuck ||
			(o.Status == models.StatusSending && !p.now.Before(o.CreatedAt.Add(models.SendingGrace)))
		refunded := o.Status == models.StatusSuccess && tx.Status == kwik.StatusRefund
		if settleable || refunded {
			p.apply(ctx, o, transactionRecord(tx), false)
		}
	}
}

// callRejected handles an error that means the call was not made or must not be repeated
// in this pass: a used-up budget, a rejected key, a rate limit, the end of the context. It
// reports whether err was one of them.
func (p *pass) callRejected(ctx context.Context, ep kwik.Endpoint, err error) bool {
	if at, ok := RetryTime(err); ok {
		if p.retryAt.IsZero() || at.Before(p.retryAt) {
			p.retryAt = at
		}
		p.r.logger().Info("KwikAPI call budget used; orders wait", "endpoint", ep, "retry_at", at, "error", err)
		return true
	}
	switch {
	case ctx.Err() != nil:
		p.stopped = ctx.Err()
	case errors.Is(err, kwik.ErrAuth):
		p.stopped = err
		p.r.logger().Error("KwikAPI rejected the API key", "endpoint", ep, "error", err)
		p.raise(ctx, Alert{Key: "kwik-auth", Text: authAlert(p.r.Alerts.Scrub(err.Error()))})
	case errors.Is(err, kwik.ErrRateLimited):
		p.stopped = err
		p.r.logger().Warn("KwikAPI rate limit hit; orders wait", "endpoint", ep, "error", err)
	default:
		return false
	}
	return true
}

// putOff releases orders that got no check in this pass until calls are allowed again,
// without counting a check.
func (p *pass) putOff(ctx context.Context, orders []models.Order) {
	if len(orders) == 0 {
		return
	}
	next := p.now.Add(p.r.checkInterval())
	if p.retryAt.After(next) {
		next = p.retryAt
	}
	for _, o := range orders {
		if err := p.r.Store.NoteCheck(ctx, o.ID, o.Checks, next); err != nil {
			p.fail(err)
			continue
		}
		p.stats.Deferred++
	}
	p.r.logger().Info("Order checks put off", "orders", len(orders), "next_check_at", next)
}

// apply acts on KwikAPI's record of order o. claimed is set when this pass holds the order's
// lease, which a record without a final status must release with a counted check.
func (p *pass) apply(ctx context.Context, o models.Order, rec kwikRecord, claimed bool) {
	switch {
	case rec.notFound:
		p.applyNotFound(ctx, o, rec, claimed)
	case rec.status == kwik.StatusSuccess:
		p.settle(ctx, o, models.StatusSuccess, rec)
	case rec.status == kwik.StatusFailure:
		p.settle(ctx, o, models.StatusFailure, rec)
	case rec.status == kwik.StatusRefund && o.Status == models.StatusSuccess:
		p.settle(ctx, o, models.StatusRefunded, rec)
	case rec.status == kwik.StatusRefund:
		// Money returned before any success: for the customer the recharge failed.
		p.settle(ctx, o, models.StatusFailure, rec)
	case claimed:
		seen := o.Status
		if rec.status == kwik.StatusPending && o.Status != models.StatusStuck {
			seen = models.StatusPending
		}
		p.checkAgain(ctx, o, seen, fmt.Sprintf("%s reports %s", rec.source, rec.status))
	}
}

// applyNotFound fails and refunds a sending or unknown order KwikAPI has no record of once it
// is older than the grace period. A younger unknown order is checked again without counting
// the check, so that it cannot become stuck before the grace period ends. An order KwikAPI
// once reported pending is checked again as usual.
func (p *pass) applyNotFound(ctx context.Context, o models.Order, rec kwikRecord, claimed bool) {
	unsent := o.Status == models.StatusSending || o.Status == models.StatusUnknown
	graceEnds := o.CreatedAt.Add(p.r.notFoundGrace())
	switch {
	case unsent && !p.now.Before(graceEnds):
		rec.message = "KwikAPI has no record of the order"
		p.settle(ctx, o, models.StatusFailure, rec)
	case !claimed:
	case unsent:
		next := p.now.Add(p.r.checkInterval())
		if graceEnds.Before(next) {
			next = graceEnds
		}
		if err := p.r.Store.NoteCheck(ctx, o.ID, o.Checks, next); err != nil {
			p.fail(err)
			return
		}
		p.stats.Checked++
	default:
		p.checkAgain(ctx, o, o.Status, rec.source+" has no record of the order")
	}
}

// checkAgain counts a check that did not settle order o and schedules the next one. seen is
// the status the check found (sending becomes unknown once checked). After MaxChecks the
// order becomes stuck, and a stuck order is checked every StuckInterval.
func (p *pass) checkAgain(ctx context.Context, o models.Order, seen models.OrderStatus, note string) {
	checks := o.Checks + 1
	if seen == models.StatusSending {
		seen = models.StatusUnknown
	}
	if o.Status == models.StatusStuck {
		seen = models.StatusStuck
	} else if checks >= p.r.maxChecks() {
		p.markStuck(ctx, o, checks, seen, note)
		return
	}

	next := p.now.Add(p.r.checkInterval())
	if seen == models.StatusStuck {
		next = p.now.Add(p.r.stuckInterval())
	}
	if err := p.r.Store.NoteCheck(ctx, o.ID, checks, next); err != nil {
		p.fail(err)
		return
	}
	if seen != o.Status {
		p.record(ctx, o, models.Outcome{Status: seen, NextCheckAt: &next, Note: note})
	}
	p.stats.Checked++
}

// markStuck moves an order still unsettled after its last regular check to stuck, with a
// notice to the customer that it takes longer and an alert asking admins to follow it up.
func (p *pass) markStuck(ctx context.Context, o models.Order, checks int, seen models.OrderStatus, note string) {
	next := p.now.Add(p.r.stuckInterval())
	if err := p.r.Store.NoteCheck(ctx, o.ID, checks, next); err != nil {
		p.fail(err)
		return
	}
	if seen != o.Status {
		if _, ok := p.record(ctx, o, models.Outcome{Status: seen, NextCheckAt: &next, Note: note}); !ok {
			return
		}
	}

	alert := Alert{Key: "stuck:" + strconv.FormatInt(o.ID, 10), Text: stuckAlert(o, checks, p.r.stuckInterval()), Once: true}
	out := models.Outcome{Status: models.StatusStuck, NextCheckAt: &next,
		Note: fmt.Sprintf("unsettled after %d checks: %s", checks, note)}
	p.recordWithMessages(ctx, o, out, delayedNotice(o), &alert)
}

// settle stores a final status from KwikAPI's record, with the customer's notice and the
// admin alert the status calls for.
func (p *pass) settle(ctx context.Context, o models.Order, status models.OrderStatus, rec kwikRecord) {
	if o.Status == status {
		return
	}
	out := models.Outcome{Status: status, OperatorRef: rec.operatorRef, ChargedPaise: rec.chargedPaise,
		Message: rec.message, Note: "settled by " + rec.source}
	view := o
	if rec.operatorRef != "" {
		view.OperatorRef = rec.operatorRef
	}

	var notice string
	var alert *Alert
	id := strconv.FormatInt(o.ID, 10)
	switch status {
	case models.StatusSuccess:
		notice = successNotice(view)
	case models.StatusFailure:
		notice = failureNotice(view)
		text := failedAlert(view, rec.message)
		if rec.notFound {
			text = unknownToKwikAlert(view)
		}
		alert = &Alert{Key: alertKey("recharge-failed", o.OperatorID, rec.message), Text: text}
	case models.StatusRefunded:
		notice = reversedNotice(view)
		alert = &Alert{Key: "reversed:" + id, Text: reversedAlert(view), Once: true}
	}
	if o.Status == models.StatusStuck {
		alert = &Alert{Key: "unstuck:" + id, Text: unstuckAlert(view, status, rec.message), Once: true}
	}
	p.recordWithMessages(ctx, o, out, notice, alert)
}

// recordWithMessages stores the outcome together with the customer's notice and the alert.
func (p *pass) recordWithMessages(ctx context.Context, o models.Order, out models.Outcome, notice string, alert *Alert) {
	var msgs []models.OutboxMessage
	if notice != "" {
		rows, err := p.r.notice(ctx, o, notice, out.Status)
		if err != nil {
			p.fail(err)
			return
		}
		msgs = append(msgs, rows...)
	}
	if alert != nil {
		rows, err := p.r.Alerts.Prepare(ctx, *alert)
		if err != nil {
			p.fail(err)
			return
		}
		msgs = append(msgs, rows...)
	}
	if _, ok := p.record(ctx, o, out, msgs...); ok {
		p.stats.Settled++
	}
}

// record calls RecordOutcome and reports whether it changed the order. A move another
// process made first is not an error: the order is already past this outcome.
func (p *pass) record(ctx context.Context, o models.Order, out models.Outcome, msgs ...models.OutboxMessage) (models.Order, bool) {
	stored, changed, err := p.r.Store.RecordOutcome(ctx, o.ID, out, msgs...)
	switch {
	case errors.Is(err, models.ErrInvalidTransition):
		p.r.logger().Info("Order already settled elsewhere", "order_id", o.ID, "outcome", out.Status, "error", err)
		return stored, false
	case err != nil:
		p.fail(err)
		return stored, false
	}
	if changed {
		p.r.logger().Info("Order status changed", "order_id", o.ID, "from", o.Status, "to", out.Status,
			"user_id", o.UserID, "amount_paise", o.AmountPaise, "note", out.Note)
	}
	return stored, changed
}

func (p *pass) raise(ctx context.Context, alert Alert) {
	if p.r.Alerts == nil {
		return
	}
	if err := p.r.Alerts.Raise(ctx, alert); err != nil {
		p.fail(err)
	}
}

func (p *pass) fail(err error) {
	p.r.logger().Error("Resolver step failed", "error", err)
	p.errs = append(p.errs, err)
}

func statusRecord(res kwik.StatusResult) kwikRecord {
	return kwikRecord{status: res.Status, operatorRef: res.OperatorRef, chargedPaise: res.ChargedPaise,
		message: res.Message, source: "status"}
}

func transactionRecord(tx kwik.Transaction) kwikRecord {
	return kwikRecord{status: tx.Status, operatorRef: tx.RefID, chargedPaise: tx.ChargedPaise, source: "transactions"}
}

func finalAtKwik(s kwik.Status) bool {
	return s == kwik.StatusSuccess || s == kwik.StatusFailure || s == kwik.StatusRefund
}

// notice returns the outbox row of a customer notice about order o reaching status, for the
// chat the order was placed from or else the user's first reachable chat. A notice about an
// open status is interim, so the result drops it if it is still unsent. The dedupe key
// "order:<id>:<status>" keeps a second notice of the same kind out of the outbox. It returns
// no row, and logs, when the user has no chat.
func (r *Resolver) notice(ctx context.Context, o models.Order, text string, status models.OrderStatus) ([]models.OutboxMessage, error) {
	channel, chatID := o.ChatChannel, o.ChatID
	if chatID == "" {
		identities, err := r.Store.Identities(ctx, o.UserID)
		if err != nil {
			return nil, fmt.Errorf("find chat of user %d: %w", o.UserID, err)
		}
		for _, identity := range identities {
			if !identity.Unreachable && identity.ChatID != "" {
				channel, chatID = identity.Channel, identity.ChatID
				break
			}
		}
	}
	if chatID == "" {
		r.logger().Warn("Order owner has no chat to notify", "order_id", o.ID, "user_id", o.UserID)
		return nil, nil
	}

	key := fmt.Sprintf("order:%d:%s", o.ID, status)
	kind := models.OutboxNotice
	if !status.Final() {
		kind = models.OutboxInterim
	}
	return []models.OutboxMessage{{
		Channel: channel, ChatID: chatID, Text: text, Kind: kind, DedupeKey: &key, OrderID: &o.ID,
	}}, nil
}

func (r *Resolver) checkInterval() time.Duration {
	return positiveOr(r.CheckInterval, DefaultCheckInterval)
}
func (r *Resolver) stuckInterval() time.Duration {
	return positiveOr(r.StuckInterval, DefaultStuckInterval)
}
func (r *Resolver) notFoundGrace() time.Duration {
	return positiveOr(r.NotFoundGrace, models.SendingGrace)
}
func (r *Resolver) lease() time.Duration { return positiveOr(r.Lease, defaultLease) }
func (r *Resolver) ahead() time.Duration { return positiveOr(r.Ahead, r.checkInterval()/3) }

func (r *Resolver) maxChecks() int  { return positiveOr(r.MaxChecks, DefaultMaxChecks) }
func (r *Resolver) batchFrom() int  { return positiveOr(r.BatchFrom, defaultBatchFrom) }
func (r *Resolver) claimLimit() int { return positiveOr(r.ClaimLimit, defaultClaimLimit) }

func (r *Resolver) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Resolver) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// positiveOr returns v, or def when v is zero or negative.
func positiveOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
