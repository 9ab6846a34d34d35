package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// ordersListed is how many orders /orders lists.
const ordersListed = 20

func init() {
	for _, c := range []command{
		{Name: "orders", Description: cmdPrefix + "orders", Order: 230, Roles: adminOnly, Run: runOrders},
		{Name: "order", Description: cmdPrefix + "order", Order: 231, Roles: adminOnly, Run: runOrder},
		{Name: "stats", Description: cmdPrefix + "stats", Order: 240, Roles: adminOnly, Run: runStats},
	} {
		registerCommand(c)
	}
}

// orderLists are the lists of /orders: which statuses, and whether the newest come first.
var orderLists = map[string]struct {
	statuses    []models.OrderStatus
	newestFirst bool
}{
	"pending": {[]models.OrderStatus{models.StatusSending, models.StatusPending, models.StatusUnknown}, false},
	"stuck":   {[]models.OrderStatus{models.StatusStuck}, false},
	"failed":  {[]models.OrderStatus{models.StatusFailure}, true},
}

// runOrders lists orders by state: "/orders pending" (sending, pending or unknown, oldest
// first), "/orders stuck" (oldest first) or "/orders failed" (newest first).
func runOrders(ctx context.Context, t *turn, args string) error {
	store, ok := t.ops()
	if !ok {
		return nil
	}
	name := strings.ToLower(strings.TrimSpace(args))
	list, known := orderLists[name]
	if !known {
		t.say(msgOrdersUsage, nil)
		return nil
	}

	var (
		orders []models.Order
		err    error
	)
	if list.newestFirst {
		orders, err = store.LatestOrdersByStatus(ctx, list.statuses, ordersListed)
	} else {
		orders, err = store.OrdersByStatus(ctx, list.statuses, ordersListed)
	}
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		t.say(msgOrdersNone, vars{"List": name})
		return nil
	}
	lines := make([]string, len(orders))
	labels := map[int64]string{}
	for i, o := range orders {
		label, err := t.userLabelByID(ctx, store, o.UserID, labels)
		if err != nil {
			return err
		}
		lines[i] = t.adminOrderLine(o, label)
	}
	t.say(msgOrdersList, vars{"List": name, "Orders": lines, "Max": ordersListed})
	return nil
}

// runOrder shows any order with its events: "/order ORDER_ID".
func runOrder(ctx context.Context, t *turn, args string) error {
	store, ok := t.ops()
	if !ok {
		return nil
	}
	id, err := strconv.ParseInt(strings.TrimSpace(args), 10, 64)
	if err != nil || id <= 0 {
		t.say(msgOrderUsage, nil)
		return nil
	}
	order, err := t.e.store.GetOrder(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		t.say(msgOrderNotFound, vars{"OrderID": id})
		return nil
	}
	if err != nil {
		return err
	}
	events, err := store.OrderEvents(ctx, id)
	if err != nil {
		return err
	}
	label, err := t.userLabelByID(ctx, store, order.UserID, map[int64]string{})
	if err != nil {
		return err
	}

	lines := make([]string, len(events))
	for i, ev := range events {
		lines[i] = t.text(msgOrderEvent, vars{
			"Time": dateTime(ev.CreatedAt), "From": string(ev.FromStatus), "To": string(ev.ToStatus), "Note": clip(bot.MaskNumbers(ev.Note), 120),
		})
	}
	bulk := ""
	if order.BulkRunID != nil {
		bulk = t.text(msgOrderBulk, vars{"RunID": *order.BulkRunID, "Line": order.BulkLine})
	}
	t.say(msgOrderInfo, vars{
		"OrderID": order.ID, "User": label, "Kind": order.Kind, "Number": bot.Mask(order.Number),
		"Operator": order.OperatorName, "OperatorID": order.OperatorID, "Circle": order.CircleCode,
		"Amount": order.AmountPaise, "Charged": order.ChargedPaise, "Status": string(order.Status),
		"OperatorRef": order.OperatorRef, "Message": clip(bot.MaskNumbers(order.Message), 120), "Checks": order.Checks,
		"Placed": dateTime(order.CreatedAt), "Bulk": bulk, "Events": lines,
	})
	return nil
}

// runStats shows today's orders, India time: how many, the volume recharged, the success rate
// among settled orders, and how many wait.
func runStats(ctx context.Context, t *turn, _ string) error {
	store, ok := t.ops()
	if !ok {
		return nil
	}
	since := startOfIndiaDay(t.now)
	stats, err := store.OrderStats(ctx, since)
	if err != nil {
		return err
	}
	by := stats.ByStatus
	failed := by[models.StatusFailure] + by[models.StatusRefunded]
	settled := by[models.StatusSuccess] + failed
	waiting := by[models.StatusSending] + by[models.StatusPending] + by[models.StatusUnknown]

	rate := "–"
	if settled > 0 {
		rate = percent(by[models.StatusSuccess], settled)
	}
	t.say(msgStats, vars{
		"Date": since.In(kwik.India()).Format("02 Jan 2006"), "Total": stats.Total, "Volume": stats.SuccessPaise,
		"Success": by[models.StatusSuccess], "Failed": failed, "Rate": rate, "Pending": waiting,
		"Stuck": by[models.StatusStuck], "Settled": settled,
	})
	return nil
}

// percent writes part of whole as a percentage with one decimal, "96.5%", rounded down.
func percent(part, whole int) string {
	tenths := part * 1000 / whole
	return strconv.Itoa(tenths/10) + "." + strconv.Itoa(tenths%10) + "%"
}
