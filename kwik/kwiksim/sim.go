// Package kwiksim simulates the KwikAPI v2 recharge aggregator for tests and the offline demo.
//
// It speaks the wire shapes of the real API, variants included: amounts sometimes as JSON
// strings and sometimes as numbers, "STATUS" beside "status", wrapped and bare replies. Use it
// in-process with httptest.NewServer(sim.Handler()) or standalone with
// `rechargebot sandbox --addr 127.0.0.1:PORT`. It is safe for concurrent use.
//
// Its catalog lists prepaid operators 1 Airtel, 3 Idea, 8 Reliance Jio and 21 Vodafone (Vi)
// among others. DTH operators are 23 Airtel DTH, 24 Big TV, 25 Dish TV, 26 Sun Direct, 27 Tata
// Sky (Tata Play) and 28 Videocon D2H. Postpaid, electricity and gas billers and every
// documented circle complete it. It serves plans and, for Airtel and Vi, R-offers. A recharge debits the merchant
// balance by the charged amount, and a failure or refund credits it back. The simulator checks
// the API key, rejects a reused order_id and enforces the daily call limits per India day of
// the injected clock.
//
// A mobile number's operator follows its second digit (0–1 Vi, 2 Idea, 3–5 Jio, 6–9 Airtel)
// and its circle its third to fifth digits. Unless Script sets a scenario, the last four
// digits of the number (or DTH subscriber id) choose the outcome:
//
//	ends in   recharge.php                           later status.php / transactions.php
//	0001      FAILED "Transaction Failed"            FAILURE
//	0002      PENDING                                PENDING twice, then SUCCESS
//	0003      PENDING                                PENDING twice, then FAILURE
//	0004      SUCCESS                                REFUND (balance credited back)
//	0005      no reply until the client gives up     SUCCESS
//	0006      HTTP 500                               SUCCESS
//	0007      HTTP 200 with an HTML page             SUCCESS
//	0008      FAILED, error_code 101 (insufficient)  FAILURE
//	0009      SUCCESS; detect reports a ported number on another operator
//	other     SUCCESS                                SUCCESS
//
// So 9876543210 (Airtel) and 9123456780 (Vi) recharge at once, 9876500002 shows a pending
// recharge settle, and 9876500009 is an Airtel-prefix number ported to Jio.
package kwiksim

import (
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// Defaults of Options.
const (
	DefaultAPIKey       = "sim-key"
	DefaultBalancePaise = 100_000_00
	DefaultPageSize     = 20
)

// Options configures a Simulator.
type Options struct {
	// APIKey is the accepted api_key; empty means DefaultAPIKey.
	APIKey string
	// BalancePaise is the starting merchant balance; zero means DefaultBalancePaise
	// (₹1,00,000). Use SetBalance for an empty wallet.
	BalancePaise int64
	// Now is the clock of order dates and of the daily limits' India day; nil means time.Now.
	Now func() time.Time
	// Limits overrides kwik.DailyLimits per endpoint; a value of zero or less removes the limit.
	Limits map[kwik.Endpoint]int
	// Latency delays every reply, ending early when the request's context ends.
	Latency time.Duration
	// PageSize is the number of billers per operator_codes.php page; zero means DefaultPageSize.
	PageSize int
	// Logger receives a line per request at debug level; nil discards.
	Logger *slog.Logger
}

// Simulator is a simulated KwikAPI account.
type Simulator struct {
	key      string
	now      func() time.Time
	latency  time.Duration
	pageSize int
	logger   *slog.Logger

	mu            sync.Mutex
	limits        map[kwik.Endpoint]int
	operators     []Operator
	circles       []Circle
	balance       int64
	scripts       map[string]Scenario
	faults        map[kwik.Endpoint][]Outcome
	orders        map[string]*order
	history       []*order
	calls         map[kwik.Endpoint]int
	rechargeCalls map[string]int
	used          map[kwik.Endpoint]int
	usedDay       string
	nextTrx       int64
}

// New returns a simulator with the default catalog.
func New(opts Options) *Simulator {
	s := &Simulator{
		key:           opts.APIKey,
		now:           opts.Now,
		latency:       opts.Latency,
		pageSize:      opts.PageSize,
		logger:        opts.Logger,
		limits:        kwik.DailyLimits(),
		operators:     defaultOperators(),
		circles:       defaultCircles(),
		balance:       opts.BalancePaise,
		scripts:       map[string]Scenario{},
		faults:        map[kwik.Endpoint][]Outcome{},
		orders:        map[string]*order{},
		calls:         map[kwik.Endpoint]int{},
		rechargeCalls: map[string]int{},
		used:          map[kwik.Endpoint]int{},
		nextTrx:       2439956,
	}
	if s.key == "" {
		s.key = DefaultAPIKey
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.balance == 0 {
		s.balance = DefaultBalancePaise
	}
	if s.pageSize <= 0 {
		s.pageSize = DefaultPageSize
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	for ep, limit := range opts.Limits {
		if limit <= 0 {
			delete(s.limits, ep)
		} else {
			s.limits[ep] = limit
		}
	}
	return s
}

// APIKey returns the api_key the simulator accepts.
func (s *Simulator) APIKey() string { return s.key }

// Script sets the scenario of a number, replacing its magic-number default.
func (s *Simulator) Script(number string, sc Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[number] = sc
}

// FailNext makes the next n calls of an endpoint fail with ServerError, HTML or Hang, before
// the key or the limits are checked. It ignores other outcomes. Use it to test retries.
func (s *Simulator) FailNext(ep kwik.Endpoint, n int, o Outcome) {
	if o != ServerError && o != HTML && o != Hang {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[ep] = append(s.faults[ep], o)
	}
}

// Operator returns a biller of the catalog.
func (s *Simulator) Operator(id string) (Operator, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.operatorIndex(id)
	if i < 0 {
		return Operator{}, false
	}
	return s.operators[i], true
}

// Operators returns the whole catalog in id order.
func (s *Simulator) Operators() []Operator {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.operators)
}

// SetOperator adds a biller or replaces the one with the same id, for example to change its
// amounts or to deactivate it.
func (s *Simulator) SetOperator(op Operator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.operatorIndex(op.ID); i >= 0 {
		s.operators[i] = op
		return
	}
	s.operators = append(s.operators, op)
	slices.SortStableFunc(s.operators, func(a, b Operator) int { return idNumber(a.ID) - idNumber(b.ID) })
}

// RemoveOperator drops a biller from the catalog.
func (s *Simulator) RemoveOperator(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.operatorIndex(id); i >= 0 {
		s.operators = slices.Delete(s.operators, i, i+1)
	}
}

func (s *Simulator) operatorIndex(id string) int {
	return slices.IndexFunc(s.operators, func(op Operator) bool { return op.ID == id })
}

// Circles returns the circle list.
func (s *Simulator) Circles() []Circle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.circles)
}

// Balance returns the merchant balance in paise.
func (s *Simulator) Balance() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance
}

// SetBalance sets the merchant balance in paise.
func (s *Simulator) SetBalance(paise int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.balance = paise
}

// Calls returns how many requests an endpoint received, rejected ones included.
func (s *Simulator) Calls(ep kwik.Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[ep]
}

// RechargeCalls returns how many recharge.php requests carried the order id, duplicates included.
func (s *Simulator) RechargeCalls(orderID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rechargeCalls[orderID]
}

// TotalRecharges returns how many orders the simulator recorded; rejected requests
// (bad key, bad parameters, duplicate order id, unavailable operator) are not orders.
func (s *Simulator) TotalRecharges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.history)
}

// Order returns the simulator's record of an order.
func (s *Simulator) Order(orderID string) (OrderRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return OrderRecord{}, false
	}
	return o.record(), true
}

// Orders returns every recorded order, oldest first.
func (s *Simulator) Orders() []OrderRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrderRecord, 0, len(s.history))
	for _, o := range s.history {
		out = append(out, o.record())
	}
	return out
}

// Handler returns the HTTP handler serving the /api/v2/ endpoints.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, ep := range kwik.Endpoints() {
		route, _ := ep.Route()
		mux.Handle(route.Path, s.endpointHandler(ep, route))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": "FAILED", "message": "Unknown API endpoint"})
	})
	return mux
}

// indiaDay returns the India calendar day of t, the unit of KwikAPI's daily limits.
func indiaDay(t time.Time) string {
	return t.In(kwik.India()).Format("2006-01-02")
}

// newTrxID returns KwikAPI's next transaction id; the caller holds s.mu.
func (s *Simulator) newTrxID() string {
	s.nextTrx++
	return strconv.FormatInt(s.nextTrx, 10)
}
