package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// errNotUnderstood is returned by a state's input handler for input it cannot use, so the
// engine tries the shortcuts that apply everywhere and then explains what to type.
var errNotUnderstood = errors.New("input not understood")

// maxChainedEvents bounds the events one message may fire; more means a loop in the steps.
const maxChainedEvents = 8

// turn is the handling of one message: the sender, the conversation as loaded, and the
// replies so far.
type turn struct {
	e       *Engine
	in      bot.Inbound
	user    models.User
	session models.Session
	machine *fsm.FSM
	flow    flow
	now     time.Time
	out     []bot.Outbound
	// moved is set when the state changed, so the menu of the old state no longer applies.
	moved bool
	// amountRejected is set when an amount was outside the operator's range, so the next
	// request for an amount starts with the range.
	amountRejected bool
	// repeatOf is the order /repeat offers again.
	repeatOf *models.Order
	// acted is set once the message moved money, placed an order or changed a role or a bulk
	// run, so its replies stand even when the session cannot be saved afterwards.
	acted bool
	// wake is set when the message queued outbox messages. The engine wakes the deliverer
	// as the last step of Handle, so the replies usually reach the chat before them.
	wake bool
}

func (e *Engine) loadTurn(ctx context.Context, in bot.Inbound, user models.User, key string) (*turn, error) {
	session, err := e.store.LoadSession(ctx, key)
	if errors.Is(err, models.ErrNotFound) {
		session = models.Session{Key: key, State: stateIdle}
	} else if err != nil {
		return nil, err
	}
	session.UserID = user.ID

	f, err := decodeFlow(session.Data)
	if err != nil {
		// A context this version cannot read must not lock the user out: start afresh.
		e.log.Warn("Discarding unreadable session data", "user_id", user.ID, "error", err)
		f, session.State = flow{}, stateIdle
	}
	return &turn{
		e: e, in: in, user: user, session: session, flow: f,
		machine: newMachine(session.State), now: e.now().UTC(),
	}, nil
}

func (t *turn) state() string { return t.machine.Current() }

// save writes the conversation back with the optimistic version check. The menu becomes the
// options of the last reply that had any. Replies without options keep the old menu, unless
// the state changed.
func (t *turn) save(ctx context.Context) error {
	menu := t.flow.Menu
	if t.moved {
		menu = nil
	}
	for _, out := range t.out {
		if len(out.Options) > 0 {
			menu = out.Options
		}
	}
	t.flow.Menu = menu

	data, err := t.flow.encode()
	if err != nil {
		return err
	}
	t.session.State = t.state()
	t.session.Data = data
	return t.e.store.SaveSession(ctx, &t.session)
}

// run handles the message: the idle timeout first, then a button, a typed option, a command,
// a shortcut or input for the current state.
func (t *turn) run(ctx context.Context) error {
	if t.expire() {
		idle := t.e.cfg.IdleTimeout
		t.say(msgExpired, vars{"Minutes": int(idle.Minutes()), "Seconds": int(idle.Seconds())})
	}
	t.flow.Seen = t.now

	data, text := t.in.Data, strings.TrimSpace(t.in.Text)
	if handled, err := t.takeBulkInput(ctx, data, text); handled {
		return err
	}
	if data == "" && text != "" {
		if opt, ok := matchOption(t.flow.Menu, text); ok {
			data = opt.Data
		}
	}
	switch {
	case data != "":
		return t.handleData(ctx, data)
	case text != "":
		return t.handleText(ctx, text)
	default:
		return t.hint()
	}
}

// expire returns an unfinished conversation that has been idle for longer than IdleTimeout to
// idle, and reports whether it did. A finished one returns to idle silently.
func (t *turn) expire() bool {
	state := t.state()
	if state == stateIdle || t.flow.Seen.IsZero() || t.now.Sub(t.flow.Seen) <= t.e.cfg.IdleTimeout {
		return false
	}
	t.flow.reset()
	t.flow.Menu = nil
	t.machine.SetState(stateIdle)
	t.moved = true
	return state != stateDone
}

func (t *turn) handleData(ctx context.Context, data string) error {
	if name, args, ok := parseCommand(data); ok {
		return t.command(ctx, name, args)
	}
	if token, ok := strings.CutPrefix(data, dataPay); ok && t.state() != stateConfirming {
		return t.payAgain(ctx, token)
	}

	err := t.input(ctx, input{data: data})
	if errors.Is(err, errNotUnderstood) {
		t.say(msgStaleButton, nil)
		return nil
	}
	return err
}

func (t *turn) handleText(ctx context.Context, text string) error {
	if name, args, ok := parseCommand(text); ok {
		return t.command(ctx, name, args)
	}
	if name, ok := wordCommands[strings.ToLower(text)]; ok {
		return t.command(ctx, name, "")
	}

	// A subscriber ID can look like a mobile number, so that state reads its input first.
	if t.state() == stateAwaitingSubscriber {
		if err := t.input(ctx, input{text: text}); !errors.Is(err, errNotUnderstood) {
			return err
		}
	}
	if number, amount, ok := parseNumberAmount(text); ok {
		return t.startMobile(ctx, number, amount)
	}
	if number, ok := parseMobile(text); ok {
		return t.startMobile(ctx, number, 0)
	}

	if t.state() != stateAwaitingSubscriber {
		err := t.input(ctx, input{text: text})
		if !errors.Is(err, errNotUnderstood) {
			return err
		}
	}
	if started, err := t.startSaved(ctx, text); started || err != nil {
		return err
	}
	return t.hint()
}

// input hands the message to the current state's handler and fires the event it returns.
func (t *turn) input(ctx context.Context, in input) error {
	spec := states[t.state()]
	if spec.input == nil {
		return errNotUnderstood
	}
	event, err := spec.input(ctx, t, in)
	if err != nil || event == "" {
		return err
	}
	return t.fire(ctx, event)
}

// hint replies with what the current state expects.
func (t *turn) hint() error {
	spec := states[t.state()]
	key, v := spec.hint, vars(nil)
	if key == "" {
		key = msgHintIdle
	}
	if spec.hintVars != nil {
		v = spec.hintVars(t)
	}
	t.say(key, v)
	return nil
}

// fire moves the state machine by event and runs the step of each state entered. A step may
// return the next event, as the payment step does with its outcome.
func (t *turn) fire(ctx context.Context, event string) error {
	for range maxChainedEvents {
		from := t.state()
		err := t.machine.Event(ctx, event)
		var same fsm.NoTransitionError
		if err != nil && !errors.As(err, &same) {
			return fmt.Errorf("fire %s in state %s: %w", event, from, err)
		}
		t.moved = true

		step := states[t.state()].enter
		if step == nil {
			return nil
		}
		event, err = step(ctx, t)
		if err != nil || event == "" {
			return err
		}
	}
	return fmt.Errorf("fire %s: more than %d chained events", event, maxChainedEvents)
}

// back returns to the previous step of the flow, or replies that there is none.
func (t *turn) back(ctx context.Context) error {
	if t.state() == stateChoosingPlan && t.flow.Group > 0 {
		t.flow.Group, t.flow.Page = 0, 0
		return t.showPlans(ctx)
	}
	target := backTarget(t.state(), t.flow)
	if target == "" {
		if t.state() == statePaying {
			return t.cancel(ctx)
		}
		t.say(msgNothingToGoBack, nil)
		return nil
	}
	if target == stateIdle {
		t.say(msgStartOver, nil)
	}
	return t.fire(ctx, evBackPrefix+target)
}

// backTarget returns the state that "back" leads to from state, or "" where there is none.
func backTarget(state string, f flow) string {
	switch state {
	case stateAwaitingNumber, stateChoosingDTH:
		return stateIdle
	case stateConfirmingOperator:
		return stateAwaitingNumber
	case stateChoosingOperator:
		if f.Detected {
			return stateConfirmingOperator
		}
		return stateAwaitingNumber
	case stateChoosingCircle:
		if f.CircleFrom == stateChoosingOperator {
			return stateChoosingOperator
		}
		return stateConfirmingOperator
	case stateAwaitingSubscriber:
		return stateChoosingDTH
	case stateChoosingPlan:
		if f.Kind == models.KindDTH {
			return stateAwaitingSubscriber
		}
		return stateConfirmingOperator
	case stateEnteringAmount:
		if f.AmountFrom != "" {
			return f.AmountFrom
		}
		if f.Kind == models.KindDTH {
			return stateAwaitingSubscriber
		}
		return stateConfirmingOperator
	case stateConfirming:
		if f.ConfirmFrom == stateChoosingPlan {
			return stateChoosingPlan
		}
		return stateEnteringAmount
	}
	return ""
}

// cancel abandons the recharge in progress. A payment already placed cannot be cancelled.
func (t *turn) cancel(ctx context.Context) error {
	switch t.state() {
	case stateIdle, stateDone:
		t.say(msgNothingToCancel, nil)
		return nil
	case statePaying:
		t.say(msgPayingNoCancel, vars{"OrderID": t.flow.LastOrderID})
	default:
		t.say(msgCancelled, nil)
	}
	t.flow.reset()
	return t.fire(ctx, evCancel)
}

// say adds a reply rendered from the catalogue.
func (t *turn) say(key msgKey, v vars) {
	t.out = append(t.out, bot.Outbound{Text: t.text(key, v)})
}

// ask adds a reply with options.
func (t *turn) ask(key msgKey, v vars, options ...bot.Option) {
	t.out = append(t.out, bot.Outbound{Text: t.text(key, v), Options: options})
}

// replaceMenu turns the reply into an edit of the message whose button was pressed, so paging
// through a list replaces one message instead of stacking new ones. Typed input, and a turn
// with more than one reply, still get new messages; adapters that cannot edit send new ones.
func (t *turn) replaceMenu() {
	if t.in.Data == "" || t.in.MessageRef == "" || len(t.out) != 1 {
		return
	}
	t.out[0].Edit = t.in.MessageRef
}

func (t *turn) text(key msgKey, v vars) string { return t.e.texts.render(key, v) }

// option builds an option whose label comes from the catalogue.
func (t *turn) option(key msgKey, data string, v vars) bot.Option {
	return bot.Option{Label: t.text(key, v), Data: data}
}
