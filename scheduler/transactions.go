package scheduler

import (
	"strconv"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// clockSkew is the allowance for the difference between KwikAPI's clock, which dates the
// transactions, and ours, which dates the orders.
const clockSkew = 10 * time.Minute

// transactionList is KwikAPI's recent transaction list indexed by our order id.
type transactionList struct {
	// byOrder holds the newest transaction of each order id of ours (the list's your_id).
	byOrder map[int64]kwik.Transaction
	// oldest is the date of the oldest transaction listed.
	oldest time.Time
	// foreign counts the transactions whose your_id is not a number, so not an order of ours.
	foreign int
}

func newTransactionList(txs []kwik.Transaction) transactionList {
	list := transactionList{
		byOrder: make(map[int64]kwik.Transaction, len(txs)),
	}
	for _, tx := range txs {
		if !tx.Date.IsZero() && (list.oldest.IsZero() || tx.Date.Before(list.oldest)) {
			list.oldest = tx.Date
		}
		id, err := strconv.ParseInt(tx.OrderID, 10, 64)
		if err != nil || id <= 0 {
			list.foreign++
			continue
		}
		if _, seen := list.byOrder[id]; !seen {
			list.byOrder[id] = tx
		}
	}
	return list
}

// covers reports whether an order placed at placed would be in the list if KwikAPI had
// received it: the list reaches back past the order by more than the clock skew. The length
// of the list proves nothing, because the client leaves out entries with an unknown status.
func (l transactionList) covers(placed time.Time) bool {
	return !l.oldest.IsZero() && l.oldest.Before(placed.Add(-clockSkew))
}
