package kwiksim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// OrderRecord is the simulator's view of one recorded order.
type OrderRecord struct {
	OrderID      string
	TrxID        string
	Number       string
	OperatorID   string
	CircleCode   string
	AmountPaise  int64
	ChargedPaise int64
	Status       kwik.Status
	OperatorRef  string
	Created      time.Time
	// Lookups counts the status.php and transactions.php replies that showed the order.
	Lookups int
}

type order struct {
	OrderRecord
	provider string
	scenario Scenario
	// closingPaise is the merchant balance right after the order was placed.
	closingPaise int64
	// refundDue is set on a SUCCESS that turns into REFUND after scenario.Checks lookups.
	refundDue bool
	credited  bool
}

func (o *order) record() OrderRecord { return o.OrderRecord }

// rechargeReply is what handleRecharge sends once the order is decided.
type rechargeReply struct {
	fault  Outcome
	faulty bool
	body   map[string]any
}

func (s *Simulator) handleRecharge(w http.ResponseWriter, r *http.Request, form url.Values) {
	s.mu.Lock()
	s.rechargeCalls[form.Get("order_id")]++
	reply := s.placeOrder(form)
	s.mu.Unlock()

	if reply.faulty {
		writeFault(w, r, reply.fault)
		return
	}
	writeJSON(w, http.StatusOK, reply.body)
}

func invalidParams(detail string) rechargeReply {
	return rechargeReply{body: map[string]any{
		"status": "FAILED", "error_code": "147", "message": "Invalid Parameters", "error_message": detail,
	}}
}

// placeOrder validates a recharge, records the order and moves the balance; the caller holds s.mu.
func (s *Simulator) placeOrder(form url.Values) rechargeReply {
	orderID, number := form.Get("order_id"), form.Get("number")
	if !allDigits(orderID) || len(orderID) > 14 {
		return invalidParams("order_id must be numeric, at most 14 digits")
	}
	if _, exists := s.orders[orderID]; exists {
		return rechargeReply{body: map[string]any{"status": "FAILED", "message": "Duplicate order_id"}}
	}

	i := s.operatorIndex(form.Get("opid"))
	if i < 0 {
		return invalidParams("unknown opid")
	}
	op := s.operators[i]
	if err := checkNumber(op, number); err != "" {
		return invalidParams(err)
	}
	amount, err := kwik.ParsePaise(form.Get("amount"))
	if err != nil || amount < op.MinPaise || amount > op.MaxPaise {
		return invalidParams(fmt.Sprintf("amount must be between %s and %s",
			kwik.FormatAmount(op.MinPaise), kwik.FormatAmount(op.MaxPaise)))
	}
	circle := form.Get("state_code")
	if circle != "" && !s.knownCircle(circle) {
		return invalidParams("unknown state_code")
	}
	if !op.live() {
		return rechargeReply{body: map[string]any{
			"status": "FAILED", "message": "Operator is temporarily unavailable", "order_id": orderID,
		}}
	}

	sc, ok := s.scripts[number]
	if !ok {
		sc = magicScenario(number)
	}
	o := &order{
		OrderRecord: OrderRecord{
			OrderID: orderID, TrxID: s.newTrxID(), Number: number, OperatorID: op.ID, CircleCode: circle,
			AmountPaise: amount, ChargedPaise: op.charged(amount), Created: s.now().UTC(),
		},
		provider: op.Provider,
		scenario: sc,
	}
	return s.decide(o)
}

// decide applies the scenario to a new order; the caller holds s.mu.
func (s *Simulator) decide(o *order) rechargeReply {
	sc := o.scenario
	if sc.Outcome == InsufficientBalance || s.balance < o.ChargedPaise {
		o.Status = kwik.StatusFailure
		o.credited = true
		s.record(o)
		return rechargeReply{body: map[string]any{
			"status": "FAILED", "message": "Transaction Failed", "order_id": o.OrderID,
			"error_code": "101", "error_message": "Insufficient Balance",
		}}
	}

	switch sc.Outcome {
	case Hang, ServerError, HTML:
		if !sc.Unrecorded {
			s.debit(o)
			s.start(o, sc.Final)
			s.record(o)
		}
		return rechargeReply{fault: sc.Outcome, faulty: true}
	case Failure:
		o.Status = kwik.StatusFailure
		o.credited = true
		s.record(o)
		message := sc.Message
		if message == "" {
			message = "Transaction Failed"
		}
		return rechargeReply{body: map[string]any{"status": "FAILED", "message": message, "order_id": o.OrderID}}
	case Pending:
		s.debit(o)
		o.Status = kwik.StatusPending
		s.record(o)
		return rechargeReply{body: map[string]any{
			"status": "PENDING", "message": "Transaction is in pending state", "order_id": o.OrderID,
		}}
	case Refund:
		s.debit(o)
		s.start(o, Refund)
	default:
		s.debit(o)
		s.start(o, Success)
	}
	s.record(o)
	return rechargeReply{body: s.successBody(o)}
}

// successBody alternates amounts between strings and JSON numbers from one order to the next.
func (s *Simulator) successBody(o *order) map[string]any {
	body := map[string]any{
		"status": "SUCCESS", "order_id": o.OrderID, "opr_id": o.OperatorRef,
		"balance": kwik.FormatAmount(o.closingPaise), "number": o.Number, "provider": o.provider,
		"amount": kwik.FormatAmount(o.AmountPaise), "charged_amount": kwik.FormatAmount(o.ChargedPaise),
		"message": "SUCCESS",
	}
	if len(s.history)%2 == 0 {
		body["balance"], body["charged_amount"] = number(o.closingPaise), number(o.ChargedPaise)
	}
	return body
}

// start sets the state an order begins in for an outcome that has already moved the money.
func (s *Simulator) start(o *order, final Outcome) {
	switch final {
	case Failure:
		s.settle(o, kwik.StatusFailure)
	case Refund:
		o.Status = kwik.StatusSuccess
		o.OperatorRef = operatorRef(o)
		o.refundDue = true
	default:
		o.Status = kwik.StatusSuccess
		o.OperatorRef = operatorRef(o)
	}
}

func (s *Simulator) debit(o *order) {
	s.balance -= o.ChargedPaise
	o.closingPaise = s.balance
}

func (s *Simulator) record(o *order) {
	if o.closingPaise == 0 {
		o.closingPaise = s.balance
	}
	s.orders[o.OrderID] = o
	s.history = append(s.history, o)
}

// settle moves an order to a final state, crediting the balance back once for a failure or refund.
func (s *Simulator) settle(o *order, status kwik.Status) {
	o.Status = status
	o.refundDue = false
	if (status == kwik.StatusFailure || status == kwik.StatusRefund) && !o.credited {
		s.balance += o.ChargedPaise
		o.credited = true
	}
	if status == kwik.StatusSuccess && o.OperatorRef == "" {
		o.OperatorRef = operatorRef(o)
	}
}

// lookUp counts one status or transactions reply showing the order. Once the scenario's Checks
// are used up, it applies the next step. The caller holds s.mu.
func (s *Simulator) lookUp(o *order) {
	o.Lookups++
	if o.Lookups <= o.scenario.Checks {
		return
	}
	switch {
	case o.Status == kwik.StatusPending:
		switch o.scenario.Final {
		case Failure:
			s.settle(o, kwik.StatusFailure)
		case Refund:
			s.settle(o, kwik.StatusRefund)
		default:
			s.settle(o, kwik.StatusSuccess)
		}
	case o.refundDue:
		s.settle(o, kwik.StatusRefund)
	}
}

// operatorRef makes an operator reference like "AIR2412201219430132" from the provider, the
// order's India time and its transaction id.
func operatorRef(o *order) string {
	prefix := strings.ToUpper(strings.ReplaceAll(o.provider, " ", ""))
	prefix = (prefix + "XXX")[:3]
	suffix := o.TrxID[max(len(o.TrxID)-4, 0):]
	return prefix + o.Created.In(kwik.India()).Format("060102150405") + suffix
}

func checkNumber(op Operator, number string) string {
	if !allDigits(number) {
		return "number must be digits"
	}
	switch op.Service {
	case ServicePrepaid, ServicePostpaid:
		if !validMobile(number) {
			return "number must be a 10-digit mobile number"
		}
	default:
		if len(number) < 6 || len(number) > 20 {
			return "number must be 6 to 20 digits"
		}
	}
	return ""
}

func (s *Simulator) knownCircle(code string) bool {
	for _, c := range s.circles {
		if c.Code == code {
			return true
		}
	}
	return false
}

func indiaDate(t time.Time) string { return t.In(kwik.India()).Format("2006-01-02 15:04:05") }

func (s *Simulator) handleStatus(w http.ResponseWriter, form url.Values) {
	s.mu.Lock()
	o, ok := s.orders[form.Get("order_id")]
	if !ok {
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "status": "FAILED", "message": "Order not found"})
		return
	}
	s.lookUp(o)
	fields := map[string]any{
		"order_id": o.OrderID, "operator_ref": o.TrxID, "opr_id": o.OperatorRef,
		"status": string(o.Status), "number": o.Number, "amount": kwik.FormatAmount(o.AmountPaise),
		"charged_amount": kwik.FormatAmount(o.ChargedPaise), "closing_balance": kwik.FormatAmount(o.closingPaise),
		"date": indiaDate(o.Created),
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"response": fields})
}

// handleBalance alternates between the current wrapped shape and the older flat one.
func (s *Simulator) handleBalance(w http.ResponseWriter) {
	s.mu.Lock()
	balance, calls := s.balance, s.calls[kwik.EndpointBalance]
	s.mu.Unlock()

	if calls%2 == 1 {
		writeJSON(w, http.StatusOK, map[string]any{
			"response": map[string]any{"balance": kwik.FormatAmount(balance), "plan_credit": "1"},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "SUCCESS", "balance": number(balance), "currency": "INR"})
}

// maxTransactions is how many recent transactions transactions.php lists.
const maxTransactions = 100

func (s *Simulator) handleTransactions(w http.ResponseWriter) {
	s.mu.Lock()
	items := make([]map[string]any, 0, min(len(s.history), maxTransactions))
	for i := len(s.history) - 1; i >= 0 && len(items) < maxTransactions; i-- {
		o := s.history[i]
		s.lookUp(o)
		status := string(o.Status)
		if o.Status == kwik.StatusFailure {
			status = "FAILED"
		}
		items = append(items, map[string]any{
			"trx_id": o.TrxID, "your_id": o.OrderID, "number": o.Number, "number2": nil,
			"ref_id": o.OperatorRef, "amount": kwik.FormatAmount(o.AmountPaise),
			"charged_amount": kwik.FormatAmount(o.ChargedPaise), "date": indiaDate(o.Created),
			"status": status, "service": o.provider,
		})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, items)
}
