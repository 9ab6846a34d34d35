package conversation

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/rechargebot/rechargebot/bot"
)

// flow is the context of one conversation, stored as JSON in Session.Data between messages.
type flow struct {
	// Kind is models.KindMobile or models.KindDTH once a recharge has started.
	Kind string `json:"kind,omitempty"`
	// Number is the mobile number or DTH subscriber ID being recharged.
	Number       string `json:"number,omitempty"`
	OperatorID   string `json:"operator_id,omitempty"`
	OperatorName string `json:"operator_name,omitempty"`
	CircleCode   string `json:"circle_code,omitempty"`
	CircleName   string `json:"circle_name,omitempty"`
	// Detected is set when KwikAPI detected the operator, so "back" from a manual choice
	// returns to the detection.
	Detected bool `json:"detected,omitempty"`
	Ported   bool `json:"ported,omitempty"`

	// CircleFrom, AmountFrom and ConfirmFrom are the states that led to choosing_circle,
	// entering_amount and confirming, where "back" returns.
	CircleFrom  string `json:"circle_from,omitempty"`
	AmountFrom  string `json:"amount_from,omitempty"`
	ConfirmFrom string `json:"confirm_from,omitempty"`

	AmountPaise int64 `json:"amount_paise,omitempty"`
	// TypedPaise is the amount typed with the number ("9876543210 199") while the operator or
	// circle still has to be chosen by hand. Choosing the circle takes it to the confirmation.
	TypedPaise int64 `json:"typed_paise,omitempty"`
	// Plan describes the chosen plan; empty for a typed amount.
	Plan string `json:"plan,omitempty"`
	// Group is the plan group being browsed, from 1; 0 shows the list of groups.
	Group int `json:"group,omitempty"`
	// Page is the page of the list being browsed (plans, operators, circles, history), from 0.
	Page int `json:"page,omitempty"`

	// Token is the checkout token of the confirmation on screen. PlaceOrder refuses a token
	// twice, so one confirmation places at most one order.
	Token string `json:"token,omitempty"`
	// LastToken and LastOrderID are the latest checkout, to reply to a repeated Pay.
	LastToken   string `json:"last_token,omitempty"`
	LastOrderID int64  `json:"last_order_id,omitempty"`

	// Menu is the options of the latest reply that had any, so a typed "2" or label picks one.
	Menu []bot.Option `json:"menu,omitempty"`
	// Seen is when the user last wrote, for the idle timeout.
	Seen time.Time `json:"seen,omitzero"`
	// BulkInputSince is when /bulk asked for lines, so the next message is read as them; zero
	// when no lines are expected.
	BulkInputSince time.Time `json:"bulk_input_since,omitzero"`
}

// decodeFlow reads a session's Data; empty data is a fresh flow.
func decodeFlow(data string) (flow, error) {
	var f flow
	if data == "" {
		return f, nil
	}
	if err := json.Unmarshal([]byte(data), &f); err != nil {
		return flow{}, fmt.Errorf("decode session data: %w", err)
	}
	return f, nil
}

func (f flow) encode() (string, error) {
	data, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encode session data: %w", err)
	}
	return string(data), nil
}

// reset forgets the recharge in progress but keeps what outlives it: the latest checkout and
// the time the user last wrote.
func (f *flow) reset() {
	*f = flow{LastToken: f.LastToken, LastOrderID: f.LastOrderID, Seen: f.Seen}
}
