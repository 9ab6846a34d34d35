package conversation

import "context"

// input is a message as a state sees it: the data of a chosen option, or typed text.
type input struct {
	data string
	text string
}

// stateSpec is the behaviour of one state. enter runs when the state is entered, usually to
// ask the user something, and may return the next event. input handles a message in the
// state and returns the event to fire, "" to stay, or errNotUnderstood. hint is the reply
// that says what the state expects.
type stateSpec struct {
	enter func(ctx context.Context, t *turn) (string, error)
	input func(ctx context.Context, t *turn, in input) (string, error)
	hint  msgKey
	// hintVars fills the hint's template, for hints that name the operator.
	hintVars func(t *turn) vars
}

// Option data. Commands ("/cancel") are data too; these are the others, each under 64 bytes.
const (
	dataPay            = "pay:" // + checkout token
	dataOperator       = "op:"  // + operator id
	dataCircle         = "ci:"  // + circle code
	dataGroup          = "g:"   // + plan group, from 1
	dataPlan           = "p:"   // + group:index:paise
	dataMore           = "more"
	dataShowPlans      = "plans"
	dataTypeAmount     = "amount"
	dataChangeOperator = "chop"
	dataChangeCircle   = "chci"
)

// states holds the behaviour of every state. It is filled in init because the steps refer
// back to it through turn.fire.
var states map[string]stateSpec

func init() {
	states = map[string]stateSpec{
		stateIdle:               {input: inputIdle, hint: msgHintIdle},
		stateDone:               {input: inputIdle, hint: msgHintIdle},
		stateAwaitingNumber:     {enter: enterAwaitingNumber, input: inputAwaitingNumber, hint: msgHintNumber},
		stateConfirmingOperator: {enter: enterConfirmingOperator, input: inputConfirmingOperator, hint: msgHintConfirmOp},
		stateChoosingOperator:   {enter: enterChoosingOperator, input: inputChoosingOperator, hint: msgHintOperator},
		stateChoosingCircle:     {enter: enterChoosingCircle, input: inputChoosingCircle, hint: msgHintCircle},
		stateChoosingPlan:       {enter: enterChoosingPlan, input: inputChoosingPlan, hint: msgHintPlan},
		stateEnteringAmount:     {enter: enterEnteringAmount, input: inputEnteringAmount, hint: msgBadAmount},
		stateConfirming:         {enter: enterConfirming, input: inputConfirming, hint: msgHintConfirm},
		statePaying:             {enter: enterPaying, hint: msgHintIdle},
		stateChoosingDTH:        {enter: enterChoosingDTH, input: inputChoosingDTH, hint: msgHintOperator},
		stateAwaitingSubscriber: {enter: enterAwaitingSubscriber, input: inputAwaitingSubscriber, hint: msgBadSubscriber, hintVars: subscriberVars},
	}
}

// inputIdle understands nothing beyond the shortcuts and commands the engine tries anyway.
func inputIdle(context.Context, *turn, input) (string, error) { return "", errNotUnderstood }
