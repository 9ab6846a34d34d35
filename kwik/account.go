package kwik

import (
	"context"
	"time"
)

// Transaction is one entry of KwikAPI's recent transactions.
type Transaction struct {
	TrxID string
	// OrderID is our order id (KwikAPI's your_id).
	OrderID      string
	Number       string
	RefID        string
	Service      string
	Status       Status
	AmountPaise  int64
	ChargedPaise int64
	// Date is in UTC; zero when the entry has none.
	Date time.Time
}

// Balance returns the merchant's KwikAPI wallet balance in paise.
func (c *Client) Balance(ctx context.Context) (int64, error) {
	var out int64
	err := c.read(ctx, request{ep: EndpointBalance}, into(&out, decodeBalance))
	return out, err
}

// decodeBalance reads {"response": {"balance": ...}} or the older flat {"balance": ...}.
func decodeBalance(body []byte) (int64, error) {
	o, err := replyObject(body, "status", "STATUS")
	if err != nil {
		return 0, err
	}
	fields := o
	if inner, ok := o.child("response", "data"); ok {
		if err := checkReply(inner, "status", "STATUS"); err != nil {
			return 0, err
		}
		fields = inner
	}
	if _, ok := fields.value("balance"); !ok {
		return 0, badShape("balance is missing")
	}
	balance, err := fields.paise("balance")
	if err != nil {
		return 0, badShape("%v", err)
	}
	return balance, nil
}

// Transactions returns KwikAPI's recent transactions (the last 100), newest first. Entries
// with a status it does not know are left out.
func (c *Client) Transactions(ctx context.Context) ([]Transaction, error) {
	var out []Transaction
	err := c.read(ctx, request{ep: EndpointTransactions}, into(&out, decodeTransactions))
	return out, err
}

// decodeTransactions reads a bare array of transactions or one wrapped in "response".
func decodeTransactions(body []byte) ([]Transaction, error) {
	list, err := decodeList(body)
	if err != nil {
		o, err := replyObject(body, "status", "STATUS")
		if err != nil {
			return nil, err
		}
		var ok bool
		if list, ok = o.list("response", "transactions", "data"); !ok {
			return nil, badShape("transaction list is missing")
		}
	}

	out := make([]Transaction, 0, len(list))
	for _, item := range objects(list) {
		if tx, ok := decodeTransaction(item); ok {
			out = append(out, tx)
		}
	}
	return out, nil
}

func decodeTransaction(o object) (Transaction, bool) {
	status, ok := ParseStatus(o.text("status", "STATUS"))
	if !ok {
		return Transaction{}, false
	}
	tx := Transaction{
		TrxID:   o.text("trx_id", "txn_id", "id"),
		OrderID: o.text("your_id", "order_id"),
		Number:  o.text("number", "mobile"),
		RefID:   o.text("ref_id", "opr_id", "operator_ref"),
		Service: o.text("service", "provider", "operator"),
		Status:  status,
		Date:    parseIndiaTime(o.text("date", "created_at")),
	}
	tx.AmountPaise, _ = o.paise("amount")
	tx.ChargedPaise, _ = o.paise("charged_amount", "charged")
	return tx, true
}
