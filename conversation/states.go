package conversation

import (
	"github.com/looplab/fsm"
)

// The conversation states, persisted as Session.State.
const (
	stateIdle               = "idle"
	stateAwaitingNumber     = "awaiting_number"
	stateConfirmingOperator = "confirming_operator"
	stateChoosingOperator   = "choosing_operator"
	stateChoosingCircle     = "choosing_circle"
	stateChoosingPlan       = "choosing_plan"
	stateEnteringAmount     = "entering_amount"
	stateConfirming         = "confirming"
	statePaying             = "paying"
	stateDone               = "done"
	stateChoosingDTH        = "choosing_dth_operator"
	stateAwaitingSubscriber = "awaiting_subscriber_id"
)

// allStates lists every state, for events that apply everywhere.
var allStates = []string{
	stateIdle, stateAwaitingNumber, stateConfirmingOperator, stateChoosingOperator,
	stateChoosingCircle, stateChoosingPlan, stateEnteringAmount, stateConfirming, statePaying,
	stateDone, stateChoosingDTH, stateAwaitingSubscriber,
}

// The events that move a conversation between states.
const (
	evStartMobile     = "start_mobile"     // /recharge
	evStartDTH        = "start_dth"        // /dth
	evDetected        = "detected"         // a number's operator and circle are known
	evDetectFailed    = "detect_failed"    // the user must pick the operator
	evAmountKnown     = "amount_known"     // number (or subscriber) and amount known: confirm
	evAmountInvalid   = "amount_invalid"   // number known, typed amount out of range
	evShowPlans       = "show_plans"       // operator and circle (or subscriber ID) settled
	evTypeAmount      = "type_amount"      // the user will type the amount
	evChangeOperator  = "change_operator"  // the detected operator is wrong
	evChangeCircle    = "change_circle"    // the detected circle is wrong
	evOperatorChosen  = "operator_chosen"  // now choose the circle
	evDTHChosen       = "dth_chosen"       // now type the subscriber ID
	evSubscriberKnown = "subscriber_known" // a valid subscriber ID
	evAmountChosen    = "amount_chosen"    // a plan picked or an amount typed
	evPay             = "pay"              // the user confirmed
	evPaid            = "paid"             // the order is placed and submitted
	evPayFailed       = "pay_failed"       // no order placed (short balance)
	evCancel          = "cancel"           // /cancel, idle expiry
	evBackPrefix      = "back_to_"         // + the destination state
)

// backs lists, for each state that "back" leaves, the states it may return to. Which one
// applies depends on how the user got there, recorded in the flow.
var backs = map[string][]string{
	stateAwaitingNumber:     {stateIdle},
	stateChoosingDTH:        {stateIdle},
	stateConfirmingOperator: {stateAwaitingNumber},
	stateChoosingOperator:   {stateConfirmingOperator, stateAwaitingNumber},
	stateChoosingCircle:     {stateChoosingOperator, stateConfirmingOperator},
	stateAwaitingSubscriber: {stateChoosingDTH},
	stateChoosingPlan:       {stateConfirmingOperator, stateAwaitingSubscriber, stateChoosingCircle},
	stateEnteringAmount:     {stateChoosingPlan, stateConfirmingOperator, stateAwaitingSubscriber, stateChoosingCircle},
	stateConfirming:         {stateChoosingPlan, stateEnteringAmount},
}

// transitions is the state machine. The engine picks an event from the user's input and the
// machine refuses any event that is not listed for the current state.
var transitions = buildTransitions()

func buildTransitions() fsm.Events {
	events := fsm.Events{
		{Name: evStartMobile, Src: allStates, Dst: stateAwaitingNumber},
		{Name: evStartDTH, Src: allStates, Dst: stateChoosingDTH},
		{Name: evDetected, Src: allStates, Dst: stateConfirmingOperator},
		{Name: evDetectFailed, Src: allStates, Dst: stateChoosingOperator},
		{Name: evAmountKnown, Src: allStates, Dst: stateConfirming},
		{Name: evAmountInvalid, Src: allStates, Dst: stateEnteringAmount},
		{Name: evCancel, Src: allStates, Dst: stateIdle},

		{Name: evChangeOperator, Src: []string{stateConfirmingOperator}, Dst: stateChoosingOperator},
		{Name: evChangeCircle, Src: []string{stateConfirmingOperator}, Dst: stateChoosingCircle},
		{Name: evOperatorChosen, Src: []string{stateChoosingOperator}, Dst: stateChoosingCircle},
		{Name: evShowPlans, Src: []string{stateConfirmingOperator, stateChoosingCircle, stateAwaitingSubscriber, stateEnteringAmount}, Dst: stateChoosingPlan},
		{Name: evTypeAmount, Src: []string{stateConfirmingOperator, stateChoosingPlan, stateAwaitingSubscriber}, Dst: stateEnteringAmount},
		{Name: evDTHChosen, Src: []string{stateChoosingDTH}, Dst: stateAwaitingSubscriber},
		{Name: evSubscriberKnown, Src: []string{stateAwaitingSubscriber}, Dst: stateChoosingPlan},
		{Name: evAmountChosen, Src: []string{stateChoosingPlan, stateEnteringAmount, stateConfirmingOperator}, Dst: stateConfirming},
		{Name: evPay, Src: []string{stateConfirming}, Dst: statePaying},
		{Name: evPaid, Src: []string{statePaying}, Dst: stateDone},
		{Name: evPayFailed, Src: []string{statePaying}, Dst: stateConfirming},
	}
	for from, targets := range backs {
		for _, to := range targets {
			events = append(events, fsm.EventDesc{Name: evBackPrefix + to, Src: []string{from}, Dst: to})
		}
	}
	return events
}

// newMachine rebuilds the state machine of one conversation at its persisted state. The
// machine has no callbacks: the engine runs each state's step after a transition.
func newMachine(state string) *fsm.FSM {
	if !knownState(state) {
		state = stateIdle
	}
	return fsm.NewFSM(state, transitions, nil)
}

func knownState(state string) bool {
	for _, s := range allStates {
		if s == state {
			return true
		}
	}
	return false
}
