package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// runBulkStatus shows the sender's running run, or else their last one; "/bulkstatus report"
// attaches its CSV report.
func runBulkStatus(ctx context.Context, t *turn, args string) error {
	store, ok := t.ops()
	if !ok {
		return nil
	}
	run, err := store.LatestBulkRun(ctx, t.user.ID)
	if errors.Is(err, models.ErrNotFound) {
		return t.sayNoRuns(ctx, store)
	}
	if err != nil {
		return err
	}
	lines, err := store.BulkReport(ctx, run.ID)
	if err != nil {
		return err
	}
	c := countBulk(lines)

	v := summaryVars(run, c, 0)
	v["Status"] = t.text(bulkStatusPrefix+msgKey(run.Status), nil)
	v["Progress"] = t.e.progressText(run, c)
	v["Source"] = run.Source
	v["Held"] = run.HeldPaise
	out := bot.Outbound{Text: t.text(msgBulkStatus, v)}
	if strings.EqualFold(strings.TrimSpace(args), "report") {
		out.Document = &bot.File{
			Name: "bulk-run-" + strconv.FormatInt(run.ID, 10) + ".csv", MIME: "text/csv", Data: bulkReportCSV(lines),
		}
	} else {
		out.Options = append(out.Options, t.option(optBulkReport, "/bulkstatus report", nil))
	}
	if run.Status == models.BulkRunning {
		out.Options = append(out.Options, t.option(optBulkStop, "/bulkcancel", nil))
	}
	t.out = append(t.out, out)
	return nil
}

// sayNoRuns replies to /bulkstatus from a user without runs. It points to a preview waiting
// for confirmation, if any, or else explains how to start one.
func (t *turn) sayNoRuns(ctx context.Context, store opsStore) error {
	preview, err := store.PreviewBulkRun(ctx, t.user.ID)
	if errors.Is(err, models.ErrNotFound) {
		t.say(msgBulkNoRuns, nil)
		return nil
	}
	if err != nil {
		return err
	}
	t.ask(msgBulkPreviewWaiting, vars{"ID": preview.ID, "Valid": preview.ValidLines, "Total": preview.TotalPaise},
		t.previewOptions(preview)...)
	return nil
}

// runBulkCancel stops the sender's running run: the lines not sent yet are released and their
// money returns to the wallet in one ledger entry, while lines already sent finish normally.
// With no run running it cancels a preview instead.
func runBulkCancel(ctx context.Context, t *turn, _ string) error {
	store, ok := t.ops()
	if !ok {
		return nil
	}
	run, err := store.LatestBulkRun(ctx, t.user.ID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && run.Status != models.BulkRunning) {
		return t.discardBulk(ctx, store, "")
	}
	if err != nil {
		return err
	}

	finished, released, err := store.FinishBulkRun(ctx, run.ID, models.BulkCancelled)
	if errors.Is(err, models.ErrBulkRunState) {
		t.say(msgBulkAlreadyFinished, vars{"ID": run.ID})
		return nil
	}
	if err != nil {
		return err
	}
	t.acted = true
	t.e.log.Info("Bulk run cancelled", "run_id", run.ID, "user_id", t.user.ID, "lines", released,
		"amount_paise", finished.ReleasedPaise)

	// A run going on in this process reports once its lines in flight are recorded; one
	// without a runner here is reported now.
	if !t.e.ops.bulk.stop(run.ID) {
		if err := t.e.reportBulkRun(ctx, run.ID); err != nil {
			return err
		}
	}
	balance, err := t.e.store.Balance(ctx, t.user.ID)
	if err != nil {
		return err
	}
	t.say(msgBulkCancelled, vars{"ID": run.ID, "Released": released, "Amount": finished.ReleasedPaise, "Balance": balance})
	return nil
}
