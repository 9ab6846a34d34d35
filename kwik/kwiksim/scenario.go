package kwiksim

import "strconv"

// Outcome is the simulator's handling of a recharge, or the end state of a scripted order.
type Outcome int

// Outcomes of a recharge.
const (
	// Success replies SUCCESS and debits the merchant balance.
	Success Outcome = iota
	// Failure replies FAILED ("Transaction Failed") and leaves the balance as it was.
	Failure
	// Pending replies PENDING and debits the balance. Status lookups show PENDING Checks times,
	// then Final (Success by default).
	Pending
	// Refund replies SUCCESS. Status lookups show SUCCESS Checks times, then REFUND, and the
	// balance is credited back.
	Refund
	// Hang records the order as Final, then holds the reply until the request's context ends.
	Hang
	// ServerError records the order as Final and replies HTTP 500.
	ServerError
	// HTML records the order as Final and replies HTTP 200 with an HTML page.
	HTML
	// InsufficientBalance replies FAILED with error_code 101, as when the merchant wallet is empty.
	InsufficientBalance
)

var outcomeNames = []string{"success", "failure", "pending", "refund", "hang", "server error", "HTML", "insufficient balance"}

func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Scenario scripts what the simulator does for one number.
type Scenario struct {
	Outcome Outcome
	// Final is the end state of an order behind a Pending, Hang, ServerError or HTML reply:
	// Success (the zero value), Failure or Refund.
	Final Outcome
	// Checks is how many lookups (status.php calls for the order, or transactions.php calls)
	// still show the first state: PENDING for Pending, SUCCESS for Refund.
	Checks int
	// Unrecorded, with Hang, ServerError or HTML, drops the order as if the request never reached
	// KwikAPI, so status.php then reports that the order is not found.
	Unrecorded bool
	// DetectAs and DetectCircle make operator_fetch_v2.php report this operator id and circle
	// code instead of the ones the number's prefix implies, as for a ported number.
	DetectAs     string
	DetectCircle string
	// Message replaces the message of a Failure reply.
	Message string
}

// magicScenario returns the scenario of an unscripted number from its last four digits, as the
// package comment lists them.
func magicScenario(number string) Scenario {
	if len(number) < 4 {
		return Scenario{}
	}
	switch number[len(number)-4:] {
	case "0001":
		return Scenario{Outcome: Failure}
	case "0002":
		return Scenario{Outcome: Pending, Checks: 2, Final: Success}
	case "0003":
		return Scenario{Outcome: Pending, Checks: 2, Final: Failure}
	case "0004":
		return Scenario{Outcome: Refund}
	case "0005":
		return Scenario{Outcome: Hang}
	case "0006":
		return Scenario{Outcome: ServerError}
	case "0007":
		return Scenario{Outcome: HTML}
	case "0008":
		return Scenario{Outcome: InsufficientBalance}
	case "0009":
		op, circle := prefixOperator(number), prefixCircle(number)
		return Scenario{DetectAs: portedOperator(op), DetectCircle: circle}
	}
	return Scenario{}
}

// prefixOperator returns the operator a 10-digit mobile number's second digit implies:
// 0–1 Vi, 2 Idea, 3–5 Jio, 6–9 Airtel.
func prefixOperator(number string) string {
	if len(number) < 2 {
		return OpAirtel
	}
	switch number[1] {
	case '0', '1':
		return OpVi
	case '2':
		return OpIdea
	case '3', '4', '5':
		return OpJio
	default:
		return OpAirtel
	}
}

// portedOperator returns where a number of operator op was ported to.
func portedOperator(op string) string {
	switch op {
	case OpAirtel:
		return OpJio
	case OpJio:
		return OpVi
	default:
		return OpAirtel
	}
}

// prefixCircle returns the circle a mobile number's third to fifth digits imply, as an index
// into the circle list; 98765xxxxx is in circle 765 mod 37.
func prefixCircle(number string) string {
	circles := defaultCircles()
	if len(number) < 5 {
		return circles[0].Code
	}
	n, err := strconv.Atoi(number[2:5])
	if err != nil {
		return circles[0].Code
	}
	return circles[n%len(circles)].Code
}
