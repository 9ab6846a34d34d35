package conversation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

// mixedLine is one line of a generated paste and what should become of it.
type mixedLine struct {
	text string
	// valid lines are run; the others are reported as invalid.
	valid bool
	// fails is set for valid lines whose recharge ends failed and refunded.
	fails bool
}

// mixedPaste returns n lines that cycle through valid and invalid kinds: numbers with and
// without an operator, DTH, the simulator's failure and pending numbers, a server error, and
// bad numbers, amounts, operators, shapes, ranges, subscriber IDs and duplicates.
func mixedPaste(n int) []mixedLine {
	lines := make([]mixedLine, 0, n)
	for i := 1; i <= n; i++ {
		number := func(tail string) string { return fmt.Sprintf("9%d%04d%s", 6+i%4, i, tail) }
		amount := 10 + i%90
		var l mixedLine
		switch i % 20 {
		case 0:
			l = mixedLine{text: "12345 199"}
		case 1:
			l = mixedLine{text: number("1234") + " abc"}
		case 2:
			l = mixedLine{text: number("1234") + " 199 Foonet"}
		case 3:
			l = mixedLine{text: number("0001") + " " + strconv.Itoa(amount) + " Airtel", valid: true, fails: true}
		case 4:
			l = mixedLine{text: number("0002") + " " + strconv.Itoa(amount), valid: true}
		case 5:
			l = mixedLine{text: number("0003") + " " + strconv.Itoa(amount) + " airtel", valid: true}
		case 6:
			l = mixedLine{text: lines[len(lines)-1].text}
		case 7:
			l = mixedLine{text: fmt.Sprintf("dth Tata Play 1%05d4321 %d", i, 200+i%50), valid: true}
		case 8:
			l = mixedLine{text: "dth Tata Play 12345 300"}
		case 9:
			l = mixedLine{text: number("1234") + " 5"}
		case 10:
			l = mixedLine{text: "hello"}
		case 11:
			l = mixedLine{text: number("0006") + " " + strconv.Itoa(amount), valid: true}
		case 12:
			l = mixedLine{text: number("1234") + ", " + strconv.Itoa(amount), valid: true}
		default:
			l = mixedLine{text: number("1234") + " " + strconv.Itoa(amount), valid: true}
		}
		lines = append(lines, l)
	}
	return lines
}

func joinLines(lines []mixedLine) string {
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	return strings.Join(texts, "\n")
}

func TestBulkThousandLinePaste(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, sender *recordingSender) {
		const funds = 1_000_000_00
		h.fund(agentID, funds)
		paste := mixedPaste(1000)
		valid, failing := 0, 0
		for _, l := range paste {
			if l.valid {
				valid++
			}
			if l.fails {
				failing++
			}
		}

		out := h.send(agentID, "/bulk\n"+joinLines(paste))
		wantText(t, out, "1000 lines", strconv.Itoa(valid)+" valid", strconv.Itoa(1000-valid)+" invalid",
			"line 1: abc is not an amount", "line 2: no operator matches Foonet",
			"line 6: same number and amount as line 5", "line 8: not a Tata Sky (Tata Play) subscriber ID",
			"line 9: Airtel takes ₹10 to ₹10,000, not ₹5", "line 10: not a recharge line",
			"line 20: 12345 is not a mobile number", "all in the attached file")
		if doc := out[0].Document; doc == nil || strings.Count(string(doc.Data), "\n") != 1000-valid+1 {
			t.Errorf("first reply should attach every invalid line, got %+v", out[0].Document)
		}
		run := h.latestRun(agentID)
		if run.Status != models.BulkPreview || run.ValidLines != valid {
			t.Fatalf("run = %+v, want a preview with %d valid lines", run, valid)
		}
		h.checkWallet(agentID, funds)

		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "Bulk run "+itoa(run.ID)+" started", strconv.Itoa(valid)+" recharges")
		h.checkWallet(agentID, funds-run.TotalPaise)
		h.engine.WaitBulkRuns()

		run = h.latestRun(agentID)
		if run.Status != models.BulkDone {
			t.Errorf("run status = %s, want done", run.Status)
		}

		report := h.bulkReport(agentID)
		if len(report) != 1000 {
			t.Fatalf("report has %d lines, want 1000", len(report))
		}
		orders := h.runOrders(run.ID)
		var keptPaise, failedPaise int64
		failures := 0
		for i, row := range report {
			if row[0] != strconv.Itoa(i+1) {
				t.Fatalf("report row %d is line %s, want %d", i, row[0], i+1)
			}
			if want := paste[i].valid; want != (row[4] != "invalid") {
				t.Errorf("line %d status %q, valid = %v", i+1, row[4], want)
			}
			if row[4] == "invalid" {
				if row[7] == "" {
					t.Errorf("invalid line %d has no reason", i+1)
				}
				continue
			}
			id, err := strconv.ParseInt(row[6], 10, 64)
			if err != nil {
				t.Fatalf("line %d has no order id: %q", i+1, row)
			}
			order, ok := orders[id]
			if !ok || order.BulkLine != i+1 {
				t.Fatalf("line %d: order %d is not line %d of the run", i+1, id, i+1)
			}
			wantSentOnce(t, h, order)
			if order.Status == models.StatusFailure {
				failedPaise += order.AmountPaise
				failures++
			} else {
				keptPaise += order.AmountPaise
			}
			if paste[i].fails && order.Status != models.StatusFailure {
				t.Errorf("line %d: order status %s, want failure", i+1, order.Status)
			}
		}
		if len(orders) != valid {
			t.Errorf("run has %d orders, want %d", len(orders), valid)
		}
		if failures != failing {
			t.Errorf("%d failed lines, want %d", failures, failing)
		}
		h.checkWallet(agentID, funds-keptPaise)

		counts, sums := h.ledgerKinds(agentID)
		if counts[models.LedgerBulkHold] != 1 || sums[models.LedgerBulkHold] != -run.TotalPaise {
			t.Errorf("bulk holds = %d of %d paise, want one of %d", counts[models.LedgerBulkHold], sums[models.LedgerBulkHold], -run.TotalPaise)
		}
		if counts[models.LedgerRefund] != failures || sums[models.LedgerRefund] != failedPaise {
			t.Errorf("refunds = %d of %d paise, want %d of %d", counts[models.LedgerRefund], sums[models.LedgerRefund], failures, failedPaise)
		}
		if counts[models.LedgerOrder] != 0 || counts[models.LedgerBulkRelease] != 0 {
			t.Errorf("ledger kinds = %v, want no order debits and no release", counts)
		}

		msgs := sender.messages()
		if len(msgs) == 0 || msgs[0].Out.Edit != "" || !strings.Contains(msgs[0].Out.Text, "Bulk run "+itoa(run.ID)) {
			t.Errorf("first sent message = %+v, want the progress message", msgs)
		}
		// The clock is frozen, so only the final edit is past the interval.
		if last := msgs[len(msgs)-1].Out; last.Edit == "" || !strings.Contains(last.Text, "finished\n▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100%") {
			t.Errorf("last sent message = %+v, want the progress message edited to 100%%", last)
		}
		summary := h.outbox(agentID)
		wantText(t, outs(summary...), "Bulk run "+itoa(run.ID)+" finished", strconv.Itoa(failures)+" failed")
	})
}

func TestBulkCSVWithBOMAndCRLF(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 100_000)
		data := "\uFEFFnumber;amount;operator\r\n" +
			"9876512345;199;Airtel\r\n" +
			"\"9123456789\";49;Vodafone (Vi)\r\n" +
			"\r\n" +
			"dth;Tata Play;1234567890;300\r\n" +
			"98765-1234;10\r\n"
		in := inbound(agentID, "")
		in.File = &bot.File{Name: "monday.csv", MIME: "text/csv", Data: []byte(data)}

		out := h.handle(in)
		wantText(t, out, "(monday.csv): 4 lines", "3 valid (2 mobile, 1 DTH), total ₹548", "line 6: 98765-1234 is not a mobile number")

		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "started: 3 recharges")
		h.engine.WaitBulkRuns()

		report := h.bulkReport(agentID)
		want := [][]string{
			{"2", "9876512345", "Airtel", "199", "success"},
			{"3", "9123456789", "Vodafone (Vi)", "49", "success"},
			{"5", "1234567890", "Tata Sky (Tata Play)", "300", "success"},
			{"6", "98765-1234", "", "", "invalid"},
		}
		if len(report) != len(want) {
			t.Fatalf("report = %q, want %d lines", report, len(want))
		}
		for i, w := range want {
			if !slices.Equal(report[i][:5], w) {
				t.Errorf("report line %d = %q, want %q", i, report[i][:5], w)
			}
		}
		h.checkWallet(agentID, 100_000-54_800)
	})
}

func TestBulkLinesInNextMessage(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 10_000)
		out := h.send(agentID, "/bulk")
		wantText(t, out, "Paste up to 1000 lines")

		out = h.send(agentID, "9876512345 20\n9876512346 30 Airtel")
		wantText(t, out, "2 valid (2 mobile, 0 DTH), total ₹50")

		out = h.send(agentID, "cancel")
		wantText(t, out, "Cancelled the preview")
		if run := h.latestRun(agentID); run.Status != models.BulkDiscarded {
			t.Errorf("run status = %s, want discarded", run.Status)
		}

		// A message typed after the lines were taken is a normal message again.
		out = h.send(agentID, "9876512345 20")
		wantText(t, out, "Please confirm")
	})
}

func TestBulkSecondPreviewSaysItReplaces(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 10_000)
		first := h.send(agentID, "/bulk 9876512345 20")
		firstRun := h.latestRun(agentID)

		out := h.send(agentID, "/bulk 9876512346 30")
		wantText(t, out, fmt.Sprintf("preview of bulk run %d is replaced", firstRun.ID), "total ₹30")

		out = h.press(agentID, optionData(t, first, "Confirm"))
		wantText(t, out, "replaced by a newer one")
		h.checkWallet(agentID, 10_000)
	})
}

func TestBulkConfirmRefusedWhenShort(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 4_000)
		out := h.send(agentID, "/bulk 9876512345 20\n9876512346 30")
		wantText(t, out, "₹10 short")

		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "Your wallet has ₹40 but this bulk run needs ₹50: ₹10 more")
		h.checkWallet(agentID, 4_000)
		if run := h.latestRun(agentID); run.Status != models.BulkPreview {
			t.Errorf("run status = %s, want preview", run.Status)
		}

		h.fund(agentID, 1_000)
		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "started: 2 recharges")
		h.engine.WaitBulkRuns()
		h.checkWallet(agentID, 0)
	})
}

func TestBulkRestartResumesWithoutResending(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 1_000_000)
		var lines []string
		for i := range 60 {
			lines = append(lines, fmt.Sprintf("98765%05d %d Airtel", 11100+i, 10+i))
		}

		// The first process stops after its 20th recharge call.
		h.runUntilStop(t, lines, 20)

		run := h.latestRun(agentID)
		if run.Status != models.BulkRunning {
			t.Fatalf("run status after the stop = %s, want running", run.Status)
		}
		queued, err := h.store.BulkLines(context.Background(), run.ID, models.BulkLineQueued)
		if err != nil || len(queued) == 0 {
			t.Fatalf("queued lines after the stop = %d (%v), want some", len(queued), err)
		}
		// A crash between marking a line with its order and the recharge call.
		crashed, err := h.store.StartBulkLine(context.Background(), run.ID, queued[0].Line)
		if err != nil {
			t.Fatalf("StartBulkLine: %v", err)
		}

		second := mustEngine(t, h.cfg)
		if err := second.ResumeBulkRuns(context.Background()); err != nil {
			t.Fatalf("ResumeBulkRuns: %v", err)
		}
		second.WaitBulkRuns()

		if run = h.latestRun(agentID); run.Status != models.BulkDone {
			t.Errorf("run status after resuming = %s, want done", run.Status)
		}
		orders := h.runOrders(run.ID)
		if len(orders) != 60 {
			t.Fatalf("run has %d orders, want 60", len(orders))
		}
		for id, order := range orders {
			if id != crashed.ID {
				wantSentOnce(t, h, order)
				continue
			}
			if calls := h.sim.RechargeCalls(itoa(id)); calls != 0 || order.Status != models.StatusSending {
				t.Errorf("crashed line: %d recharge calls, status %s; want 0 calls, left sending for the resolver", calls, order.Status)
			}
		}
		if got := h.sim.TotalRecharges(); got > 59 {
			t.Errorf("simulator recorded %d recharges, want at most 59", got)
		}
		var spent int64
		for _, o := range orders {
			spent += o.AmountPaise
		}
		h.checkWallet(agentID, 1_000_000-spent)
	})
}

// wantSentOnce fails unless the order reached the simulator once, or, with an unknown
// outcome, at most once: a recharge call that timed out before the simulator read it is
// never repeated, so it reaches it zero times.
func wantSentOnce(t testing.TB, h *harness, order models.Order) {
	t.Helper()
	calls := h.sim.RechargeCalls(itoa(order.ID))
	if calls > 1 || (calls == 0 && order.Status != models.StatusUnknown) {
		t.Errorf("line %d, order %d (%s): %d recharge calls, want 1", order.BulkLine, order.ID, order.Status, calls)
	}
}

func mustEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	return e
}

func TestBulkCancelReleasesUnsentLines(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 1_000_000)
		gate := h.runUntilHeld(t, 50, 11100, 10)

		out := h.send(agentID, "/bulkcancel")
		close(gate.release)
		h.engine.WaitBulkRuns()

		run := h.latestRun(agentID)
		orders := h.runOrders(run.ID)
		released := 50 - len(orders)
		wantText(t, out, "Stopped bulk run "+itoa(run.ID)+": "+strconv.Itoa(released)+" lines not sent")
		if run.Status != models.BulkCancelled || run.ReleasedPaise != int64(released)*10_000 {
			t.Errorf("run = %+v, want cancelled with %d lines released", run, released)
		}
		if len(orders) < 10 || len(orders) > 10+DefaultBulkConcurrency {
			t.Errorf("%d lines were sent, want 10 to %d", len(orders), 10+DefaultBulkConcurrency)
		}
		for _, order := range orders {
			wantSentOnce(t, h, order)
		}
		h.checkWallet(agentID, 1_000_000-int64(len(orders))*10_000)
		counts, sums := h.ledgerKinds(agentID)
		if counts[models.LedgerBulkRelease] != 1 || sums[models.LedgerBulkRelease] != run.ReleasedPaise {
			t.Errorf("releases = %d of %d paise, want one of %d", counts[models.LedgerBulkRelease], sums[models.LedgerBulkRelease], run.ReleasedPaise)
		}

		report := h.bulkReport(agentID)
		notSent := 0
		for _, row := range report {
			if row[4] == "not sent" {
				notSent++
			}
		}
		if len(report) != 50 || notSent != released {
			t.Errorf("report has %d lines, %d not sent; want 50 and %d", len(report), notSent, released)
		}
		wantText(t, outs(h.outbox(agentID)...), "Bulk run "+itoa(run.ID)+" was stopped")

		out = h.send(agentID, "/bulkstatus")
		wantText(t, out, "Bulk run "+itoa(run.ID)+", stopped", "Status: stopped", "not sent "+strconv.Itoa(released))
		if strings.Contains(text(out), "finished") {
			t.Errorf("status of a stopped run says finished:\n%s", text(out))
		}
	})
}

func TestBulkCommandsRefusedForCustomers(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(customerID, 10_000)
		for _, text := range []string{"/bulk", "/bulk 9876512345 20", "/bulkstatus", "/bulkcancel", "/bulk\n9876512345 20"} {
			out := h.send(customerID, text)
			wantText(t, out, "not allowed to use /bulk")
		}
		in := inbound(customerID, "")
		in.File = &bot.File{Name: "x.csv", Data: []byte("9876512345,20\n")}
		out := h.handle(in)
		wantText(t, out, "I did not understand that")
		h.checkWallet(customerID, 10_000)
	})
}

func TestBulkStatusShowsProgress(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		out := h.send(agentID, "/bulkstatus")
		wantText(t, out, "You have not run a bulk recharge yet")

		h.fund(agentID, 10_000)
		preview := h.send(agentID, "/bulk 9876512345 20\n9876500001 30\nnonsense")
		out = h.send(agentID, "/bulkstatus")
		wantText(t, out, "has not started: it waits for your confirmation of 2 recharges, ₹50 in all")

		h.press(agentID, optionData(t, preview, "Confirm"))
		h.engine.WaitBulkRuns()

		out = h.send(agentID, "/bulkstatus")
		wantText(t, out, ", finished\n", "Done 2 of 2 · ✅ 1 · ❌ 1 · ⏳ 0", "Status: finished", "1 invalid line skipped")
		out = h.press(agentID, optionData(t, out, "Report"))
		if len(out) != 1 || out[0].Document == nil || !strings.Contains(string(out[0].Document.Data), "9876500001") {
			t.Errorf("report reply = %+v, want the CSV report", out)
		}
	})
}

func TestBulkProgressEditsAtMostEveryInterval(t *testing.T) {
	c := newClock()
	p := newBulkProgress(bulkCounts{Valid: 5, Queued: 5}, 3*time.Second, c.Now)
	if _, ref := p.record(models.StatusSuccess, 100); ref != "" {
		t.Errorf("edit due before the message was sent: %q", ref)
	}
	p.shown("m1")

	steps := []struct {
		advance time.Duration
		wantRef string
	}{
		{time.Second, ""},
		{2 * time.Second, "m1"},
		{2999 * time.Millisecond, ""},
		{time.Millisecond, "m1"},
	}
	for i, step := range steps {
		c.Advance(step.advance)
		counts, ref := p.record(models.StatusFailure, 100)
		if ref != step.wantRef {
			t.Errorf("step %d: edit %q, want %q", i, ref, step.wantRef)
		}
		if counts.Done() != i+2 {
			t.Errorf("step %d: done = %d, want %d", i, counts.Done(), i+2)
		}
	}
}

func TestProgressBar(t *testing.T) {
	cases := []struct {
		done, total int
		want        string
	}{
		{0, 10, "░░░░░░░░░░░░░░░░░░░░ 0%"},
		{5, 10, "▓▓▓▓▓▓▓▓▓▓░░░░░░░░░░ 50%"},
		{10, 10, "▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100%"},
		{0, 0, "▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓ 100%"},
	}
	for _, tc := range cases {
		if got := progressBar(tc.done, tc.total); got != tc.want {
			t.Errorf("progressBar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}

func TestBulkPendingLinesSettleThroughResolver(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 10_000)
		out := h.send(agentID, "/bulk 9876500002 20\n9876500003 30\n9876512345 40")
		h.press(agentID, optionData(t, out, "Confirm"))
		h.engine.WaitBulkRuns()
		wantText(t, h.send(agentID, "/bulkstatus"), "✅ 1 · ❌ 0 · ⏳ 2")
		h.checkWallet(agentID, 10_000-9_000)

		resolver := &scheduler.Resolver{Store: h.store, Kwik: h.client, Now: h.clock.Now}
		for range 6 {
			h.clock.Advance(time.Minute)
			if _, err := resolver.ResolveDue(context.Background()); err != nil {
				t.Fatalf("ResolveDue: %v", err)
			}
		}

		wantText(t, h.send(agentID, "/bulkstatus"), "✅ 2 · ❌ 1 · ⏳ 0")
		h.checkWallet(agentID, 10_000-6_000)
		counts, sums := h.ledgerKinds(agentID)
		if counts[models.LedgerRefund] != 1 || sums[models.LedgerRefund] != 3_000 {
			t.Errorf("refunds = %d of %d paise, want one of 3000", counts[models.LedgerRefund], sums[models.LedgerRefund])
		}
		for _, number := range []string{"9876500002", "9876500003", "9876512345"} {
			h.wantNoFullNumberInLogs(number)
		}
	})
}

func TestBulkIdleRunTakenOver(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 100_000)
		var lines []string
		for i := range 10 {
			lines = append(lines, fmt.Sprintf("98765%05d 10 Airtel", 11200+i))
		}

		// Another process has been running since before the run.
		other := mustEngine(t, h.cfg)
		if err := other.ResumeBulkRuns(context.Background()); err != nil {
			t.Fatalf("ResumeBulkRuns: %v", err)
		}

		// The first process stops after its third recharge call and never comes back.
		h.runUntilStop(t, lines, 3)

		// The run is left alone while it may still be going on elsewhere.
		if err := other.ResumeIdleBulkRuns(context.Background(), 5*time.Minute); err != nil {
			t.Fatalf("ResumeIdleBulkRuns: %v", err)
		}
		other.WaitBulkRuns()
		if run := h.latestRun(agentID); run.Status != models.BulkRunning {
			t.Fatalf("run status right after the stop = %s, want running", run.Status)
		}

		h.clock.Advance(6 * time.Minute)
		if err := other.ResumeIdleBulkRuns(context.Background(), 5*time.Minute); err != nil {
			t.Fatalf("ResumeIdleBulkRuns: %v", err)
		}
		other.WaitBulkRuns()

		run := h.latestRun(agentID)
		if run.Status != models.BulkDone {
			t.Errorf("run status after the takeover = %s, want done", run.Status)
		}
		orders := h.runOrders(run.ID)
		if len(orders) != 10 {
			t.Fatalf("run has %d orders, want 10", len(orders))
		}
		for _, order := range orders {
			wantSentOnce(t, h, order)
		}
		h.checkWallet(agentID, 100_000-10*1_000)
	})
}

func TestBulkWhileDraining(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 1_000_000)
		gate := h.runUntilHeld(t, 30, 11300, 5)

		// The process begins to stop while lines are in flight.
		h.engine.Drain()
		close(gate.release)
		h.engine.WaitBulkRuns()

		run := h.latestRun(agentID)
		orders := h.runOrders(run.ID)
		if run.Status != models.BulkRunning || len(orders) > 5+DefaultBulkConcurrency {
			t.Errorf("run %s with %d orders after draining, want running with at most %d", run.Status, len(orders), 5+DefaultBulkConcurrency)
		}
		for _, order := range orders {
			wantSentOnce(t, h, order)
		}

		// A preview confirmed while draining holds nothing.
		h.send(agentID, "/bulkcancel")
		balance := h.balance(agentID)
		out := h.send(agentID, "/bulk 9876512345 20\n9876512346 30")
		out = h.press(agentID, optionData(t, out, "Confirm"))
		wantText(t, out, "restarting, so this bulk run did not start and nothing was charged")
		if got := h.latestRun(agentID); got.Status != models.BulkPreview {
			t.Errorf("run status after a confirm while draining = %s, want preview", got.Status)
		}
		h.checkWallet(agentID, balance)
	})
}

// stalledSender never completes a send before its context ends, as a chat network that keeps
// asking the bot to wait.
type stalledSender struct{}

func (stalledSender) Send(ctx context.Context, _ bot.ChatID, _ bot.Outbound) (bot.MessageRef, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func TestBulkRunNotStalledByProgress(t *testing.T) {
	eachBulkEngine(t, func(cfg *Config) {
		cfg.Sender = stalledSender{}
		cfg.Bulk.ProgressTimeout = 10 * time.Millisecond
	}, func(t *testing.T, h *harness, _ *recordingSender) {
		h.fund(agentID, 10_000)
		out := h.send(agentID, "/bulk 9876512345 20\n9876512346 30")
		h.press(agentID, optionData(t, out, "Confirm"))
		h.engine.WaitBulkRuns()

		if run := h.latestRun(agentID); run.Status != models.BulkDone {
			t.Errorf("run status = %s, want done although its progress message could not be sent", run.Status)
		}
		wantText(t, outs(h.outbox(agentID)...), "finished: 2 recharges")
	})
}
