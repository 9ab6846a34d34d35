package conversation

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// bulkReportHeader is the header row of a run's CSV report.
var bulkReportHeader = []string{"line", "number", "operator", "amount", "status", "operator_reference", "order_id", "note"}

// bulkReportCSV writes every line of a run as CSV, with the agent's own numbers in full and
// the amount in rupees as KwikAPI writes it ("199", "9.50"). The status is that of the line's
// order (success, failed, refunded, pending) or of the line itself (invalid, queued, not sent).
func bulkReportCSV(lines []models.BulkReportLine) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(bulkReportHeader)
	for _, line := range lines {
		amount, orderID := "", ""
		if line.AmountPaise > 0 {
			amount = kwik.FormatAmount(line.AmountPaise)
		}
		if line.OrderID != nil {
			orderID = strconv.FormatInt(*line.OrderID, 10)
		}
		number := line.Number
		if line.Status == models.BulkLineInvalid && number == "" {
			number = line.Input
		}
		w.Write([]string{
			strconv.Itoa(line.Line), spreadsheetSafe(number), spreadsheetSafe(line.OperatorName), amount,
			bulkLineStatus(line), spreadsheetSafe(line.OperatorRef), orderID, spreadsheetSafe(line.Reason),
		})
	}
	w.Flush()
	return b.Bytes()
}

// bulkLineStatus names the state of a report line for the CSV report.
func bulkLineStatus(line models.BulkReportLine) string {
	switch line.Status {
	case models.BulkLineInvalid:
		return "invalid"
	case models.BulkLineQueued:
		return "queued"
	case models.BulkLineReleased:
		return "not sent"
	}
	switch line.OrderStatus {
	case models.StatusSuccess:
		return "success"
	case models.StatusFailure:
		return "failed"
	case models.StatusRefunded:
		return "refunded"
	}
	return "pending"
}

// spreadsheetSafe keeps a cell from being read as a formula by spreadsheet programs, because
// invalid lines carry whatever was pasted.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// reportBulkRun queues the summary of a finished or cancelled run with its CSV report for the
// agent's chat and, when lines failed, one alert for the admins. The outbox keeps one report
// per run however often it is called.
func (e *Engine) reportBulkRun(ctx context.Context, runID int64) error {
	run, err := e.ops.store.GetBulkRun(ctx, runID)
	if err != nil {
		return err
	}
	lines, err := e.ops.store.BulkReport(ctx, runID)
	if err != nil {
		return err
	}
	balance, err := e.store.Balance(ctx, run.UserID)
	if err != nil {
		return err
	}
	c := countBulk(lines)

	key := msgBulkSummary
	if run.Status == models.BulkCancelled {
		key = msgBulkSummaryCancelled
	}
	id := strconv.FormatInt(run.ID, 10)
	msgs := []models.OutboxMessage{{
		Channel: run.ChatChannel, ChatID: run.ChatID, Kind: models.OutboxNotice,
		Text:         e.texts.render(key, summaryVars(run, c, balance)),
		DocumentName: "bulk-run-" + id + ".csv", DocumentData: bulkReportCSV(lines),
		DedupeKey: dedupeKey("bulk-report:" + id),
	}}
	if c.Failed > 0 {
		alert := e.texts.render(msgBulkAlert, vars{"ID": run.ID, "UserID": run.UserID, "Failed": c.Failed,
			"Total": c.Valid, "FailedAmount": c.FailedPaise})
		for _, admin := range e.admins {
			msgs = append(msgs, models.OutboxMessage{
				Channel: string(admin.Channel), ChatID: admin.ID, Text: alert, Kind: models.OutboxAlert,
				DedupeKey: dedupeKey(fmt.Sprintf("bulk-alert:%d:%s:%s", run.ID, admin.Channel, admin.ID)),
			})
		}
	}
	if err := e.store.Enqueue(ctx, msgs...); err != nil {
		return err
	}
	e.notify()
	return nil
}

func summaryVars(run models.BulkRun, c bulkCounts, balance int64) vars {
	return vars{
		"ID": run.ID, "Total": c.Valid, "Success": c.Success, "SuccessAmount": c.SuccessPaise,
		"Failed": c.Failed, "FailedAmount": c.FailedPaise, "Pending": c.Pending, "PendingAmount": c.PendingPaise,
		"Released": c.Released, "ReleasedAmount": c.ReleasedPaise, "Invalid": c.Invalid, "Balance": balance,
	}
}

// invalidLinesCSV lists the invalid lines of a preview: line, input and reason.
func invalidLinesCSV(lines []models.BulkLine) *bot.File {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"line", "input", "reason"})
	for _, line := range lines {
		if line.Status == models.BulkLineInvalid {
			w.Write([]string{strconv.Itoa(line.Line), spreadsheetSafe(line.Input), spreadsheetSafe(line.Reason)})
		}
	}
	w.Flush()
	return &bot.File{Name: "bulk-invalid-lines.csv", MIME: "text/csv", Data: b.Bytes()}
}
