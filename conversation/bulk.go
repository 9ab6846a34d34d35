package conversation

import (
	"context"
	"errors"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// bulkPreviewTTL is how long a preview can be confirmed. Later the catalog or the agent's
// plans may have changed, so the lines must be sent again.
const bulkPreviewTTL = time.Hour

// maxPreviewProblems is how many invalid lines a preview lists in its text; all of them go
// into an attached file when there are more.
const maxPreviewProblems = 20

// bulkRoles may run bulk recharges.
var bulkRoles = []models.Role{models.RoleAgent, models.RoleAdmin}

func init() {
	for _, c := range []command{
		{Name: "bulk", Description: cmdPrefix + "bulk", Order: 150, Roles: bulkRoles, Run: runBulk},
		{Name: "bulkstatus", Description: cmdPrefix + "bulkstatus", Order: 151, Roles: bulkRoles, Run: runBulkStatus},
		{Name: "bulkcancel", Description: cmdPrefix + "bulkcancel", Order: 152, Roles: bulkRoles, Run: runBulkCancel},
	} {
		registerCommand(c)
	}
}

// runBulk handles "/bulk" (a request for the lines), "/bulk LINES", a CSV file, and the preview's
// "/bulk confirm RUN" and "/bulk cancel [RUN]".
func runBulk(ctx context.Context, t *turn, args string) error {
	store, ok := t.ops()
	if !ok {
		return nil
	}
	verb, rest, _ := strings.Cut(args, " ")
	switch {
	case t.in.File != nil:
		return t.bulkFromFile(ctx, store, *t.in.File)
	case strings.EqualFold(verb, "confirm"):
		return t.confirmBulk(ctx, store, rest)
	case strings.EqualFold(verb, "cancel"):
		return t.discardBulk(ctx, store, rest)
	case args != "":
		return t.bulkFromRows(ctx, store, "paste", func(max int) ([]bulkRow, error) { return parseBulkText(args, max) })
	}

	if t.state() != stateIdle && t.state() != statePaying {
		t.flow.reset()
		if err := t.fire(ctx, evCancel); err != nil {
			return err
		}
	}
	t.flow.BulkInputSince = t.now
	t.ask(msgBulkAsk, vars{"Max": t.e.cfg.Bulk.MaxLines}, t.option(optCancel, "/bulk cancel", nil))
	return nil
}

// takeBulkInput routes bulk input to /bulk before any other reading of the message: a file
// from a user who may run bulk recharges, "/bulk" with lines below it, and the message after
// "/bulk" that carries the lines. It reports false for everything else.
func (t *turn) takeBulkInput(ctx context.Context, data, text string) (bool, error) {
	if t.in.File != nil {
		if name, _, ok := parseCommand(text); (ok && name != "bulk") || !commands["bulk"].allowed(t.user.Role) {
			return false, nil
		}
		return true, t.command(ctx, "bulk", "")
	}
	if data != "" || text == "" {
		return false, nil
	}
	if first, below, ok := strings.Cut(text, "\n"); ok {
		if name, args, ok := parseCommand(first); ok && name == "bulk" {
			return true, t.command(ctx, "bulk", strings.TrimSpace(args+"\n"+below))
		}
	}
	return t.takeBulkLines(ctx, text)
}

// takeBulkLines reads text as the lines /bulk asked for, unless it is a command, an option of
// the latest message, or the wait for lines has expired. A cancel ends the wait.
func (t *turn) takeBulkLines(ctx context.Context, text string) (bool, error) {
	since := t.flow.BulkInputSince
	if since.IsZero() {
		return false, nil
	}
	if t.now.Sub(since) > t.e.cfg.IdleTimeout {
		t.flow.BulkInputSince = time.Time{}
		return false, nil
	}
	name, _, isCommand := parseCommand(text)
	if !isCommand {
		name = wordCommands[strings.ToLower(text)]
	}
	if name == "cancel" {
		t.flow.BulkInputSince = time.Time{}
		t.say(msgBulkInputCancelled, nil)
		return true, nil
	}
	if isCommand || name != "" {
		return false, nil
	}
	if _, ok := matchOption(t.flow.Menu, text); ok {
		return false, nil
	}
	return true, t.command(ctx, "bulk", text)
}

// maxBulkFileBytes bounds a CSV file by the line limit, at generous bytes per line.
func (t *turn) maxBulkFileBytes() int {
	return max(64<<10, t.e.cfg.Bulk.MaxLines*256)
}

func (t *turn) bulkFromFile(ctx context.Context, store opsStore, file bot.File) error {
	switch strings.ToLower(path.Ext(file.Name)) {
	case ".xlsx", ".xls", ".ods", ".numbers":
		t.say(msgBulkSpreadsheet, nil)
		return nil
	}
	if len(file.Data) > t.maxBulkFileBytes() {
		t.say(msgBulkFileTooLarge, vars{"MaxKB": t.maxBulkFileBytes() >> 10, "Max": t.e.cfg.Bulk.MaxLines})
		return nil
	}
	source := clipBytes(file.Name, 200)
	if source == "" {
		source = "file"
	}
	return t.bulkFromRows(ctx, store, source, func(max int) ([]bulkRow, error) { return parseBulkCSV(file.Data, max) })
}

// bulkFromRows parses, validates and stores a batch of lines as a preview, and shows it.
func (t *turn) bulkFromRows(ctx context.Context, store opsStore, source string, parse func(max int) ([]bulkRow, error)) error {
	rows, err := parse(t.e.cfg.Bulk.MaxLines)
	if err != nil {
		t.sayBulkParseError(err)
		return nil
	}
	lines, err := t.e.validateBulk(ctx, rows)
	if err != nil {
		return err
	}
	// CreateBulkRun discards an older preview. The reply names it, so that its Confirm button
	// failing later does not surprise the agent.
	older, err := store.PreviewBulkRun(ctx, t.user.ID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	run, err := store.CreateBulkRun(ctx, models.BulkRun{
		UserID: t.user.ID, ChatChannel: string(t.in.Chat.Channel), ChatID: t.in.Chat.ID, Source: source,
	}, lines)
	if err != nil {
		return err
	}
	t.acted = true
	if older.ID != 0 {
		t.say(msgBulkPreviewReplaced, vars{"Old": older.ID, "ID": run.ID})
	}
	t.flow.BulkInputSince = time.Time{}
	t.e.log.Info("Bulk run previewed", "run_id", run.ID, "user_id", t.user.ID, "lines", run.Lines,
		"valid_lines", run.ValidLines, "amount_paise", run.TotalPaise)
	return t.showBulkPreview(ctx, store, run, lines)
}

func (t *turn) sayBulkParseError(err error) {
	var csvErr *bulkCSVError
	switch {
	case errors.Is(err, errBulkTooLarge):
		t.say(msgBulkTooMany, vars{"Max": t.e.cfg.Bulk.MaxLines})
	case errors.Is(err, errBulkNotText):
		t.say(msgBulkNotText, nil)
	case errors.As(err, &csvErr):
		t.say(msgBulkBadCSV, vars{"Line": csvErr.Line})
	default:
		t.say(msgBulkEmpty, nil)
	}
}

// showBulkPreview shows the counts, the total and the invalid lines, with Confirm and Cancel.
// A preview without valid lines is discarded at once.
func (t *turn) showBulkPreview(ctx context.Context, store opsStore, run models.BulkRun, lines []models.BulkLine) error {
	balance, err := t.e.store.Balance(ctx, t.user.ID)
	if err != nil {
		return err
	}
	var problems []string
	mobile, dth := 0, 0
	for _, line := range lines {
		switch {
		case line.Status == models.BulkLineInvalid:
			if len(problems) < maxPreviewProblems {
				problems = append(problems, t.text(msgBulkProblem, vars{"Line": line.Line, "Reason": line.Reason}))
			}
		case line.Kind == models.KindDTH:
			dth++
		default:
			mobile++
		}
	}
	invalid := run.Lines - run.ValidLines
	if invalid > maxPreviewProblems {
		t.out = append(t.out, bot.Outbound{Text: t.text(msgBulkInvalidFile, vars{"Invalid": invalid}), Document: invalidLinesCSV(lines)})
	}

	v := vars{
		"ID": run.ID, "Source": run.Source, "Lines": run.Lines, "Valid": run.ValidLines, "Total": run.TotalPaise,
		"Mobile": mobile, "DTH": dth, "Invalid": invalid, "Problems": problems,
		"More": invalid - len(problems), "Balance": balance, "Missing": max(run.TotalPaise-balance, 0),
	}
	if run.ValidLines == 0 {
		if err := store.DiscardBulkRun(ctx, run.ID); err != nil {
			return err
		}
		t.say(msgBulkNothingValid, v)
		return nil
	}
	t.ask(msgBulkPreview, v, t.previewOptions(run)...)
	return nil
}

// previewOptions are the Confirm and Cancel options of a run waiting for confirmation.
func (t *turn) previewOptions(run models.BulkRun) []bot.Option {
	id := strconv.FormatInt(run.ID, 10)
	return []bot.Option{
		t.option(optBulkConfirm, "/bulk confirm "+id, vars{"Amount": run.TotalPaise}),
		t.option(optCancel, "/bulk cancel "+id, nil),
	}
}

// ownRun returns the run with the id in text if it belongs to the sender, telling them
// otherwise.
func (t *turn) ownRun(ctx context.Context, store opsStore, text string) (models.BulkRun, bool, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || id <= 0 {
		t.say(msgBulkNoRun, nil)
		return models.BulkRun{}, false, nil
	}
	run, err := store.GetBulkRun(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && run.UserID != t.user.ID) {
		t.say(msgBulkNoRun, nil)
		return models.BulkRun{}, false, nil
	}
	return run, err == nil, err
}

// confirmBulk holds the total of a previewed run and starts it.
func (t *turn) confirmBulk(ctx context.Context, store opsStore, idText string) error {
	run, ok, err := t.ownRun(ctx, store, idText)
	if !ok {
		return err
	}
	if run.Status != models.BulkPreview {
		t.sayRunState(run)
		return nil
	}
	if t.now.Sub(run.CreatedAt) > bulkPreviewTTL {
		if err := store.DiscardBulkRun(ctx, run.ID); err != nil && !errors.Is(err, models.ErrBulkRunState) {
			return err
		}
		t.say(msgBulkPreviewExpired, vars{"Minutes": int(bulkPreviewTTL.Minutes())})
		return nil
	}
	if t.e.draining.Load() {
		t.ask(msgBulkRestarting, nil, t.previewOptions(run)...)
		return nil
	}
	running, err := store.HoldBulkRun(ctx, run.ID, t.dailyCap())
	var short *models.InsufficientFundsError
	var capped *models.DailyCapError
	switch {
	case errors.As(err, &capped):
		t.sayDailyLimit(capped)
		return nil
	case errors.As(err, &short):
		t.ask(msgBulkShort, vars{"Balance": short.BalancePaise, "Total": short.NeededPaise, "Missing": short.MissingPaise()},
			t.previewOptions(run)...)
		return nil
	case errors.Is(err, models.ErrBulkRunActive):
		t.say(msgBulkBusy, nil)
		return nil
	case errors.Is(err, models.ErrBulkRunState):
		return t.confirmBulkAgain(ctx, store, run.ID)
	case err != nil:
		return err
	}
	t.acted = true

	t.e.log.Info("Bulk run started", "run_id", running.ID, "user_id", t.user.ID, "lines", running.ValidLines,
		"amount_paise", running.HeldPaise)
	t.e.ops.bulk.start(running)
	balance, err := t.e.store.Balance(ctx, t.user.ID)
	if err != nil {
		return err
	}
	t.ask(msgBulkStarted, vars{"ID": running.ID, "Valid": running.ValidLines, "Total": running.HeldPaise, "Balance": balance},
		t.option(optBulkStatus, "/bulkstatus", nil),
		t.option(optBulkStop, "/bulkcancel", nil),
	)
	return nil
}

// confirmBulkAgain replies to a confirmation that lost the race with another.
func (t *turn) confirmBulkAgain(ctx context.Context, store opsStore, id int64) error {
	run, err := store.GetBulkRun(ctx, id)
	if err != nil {
		return err
	}
	t.sayRunState(run)
	return nil
}

// sayRunState explains why a run that is no longer a preview cannot be confirmed or cancelled.
func (t *turn) sayRunState(run models.BulkRun) {
	switch run.Status {
	case models.BulkRunning:
		t.say(msgBulkAlreadyRunning, vars{"ID": run.ID})
	case models.BulkDiscarded:
		t.say(msgBulkDiscarded, vars{"ID": run.ID})
	default:
		t.say(msgBulkAlreadyFinished, vars{"ID": run.ID})
	}
}

// discardBulk cancels a preview, or the wait for lines when no run is named.
func (t *turn) discardBulk(ctx context.Context, store opsStore, idText string) error {
	if strings.TrimSpace(idText) == "" {
		if !t.flow.BulkInputSince.IsZero() {
			t.flow.BulkInputSince = time.Time{}
			t.say(msgBulkInputCancelled, nil)
			return nil
		}
		preview, err := store.PreviewBulkRun(ctx, t.user.ID)
		if errors.Is(err, models.ErrNotFound) {
			t.say(msgBulkNothingToCancel, nil)
			return nil
		}
		if err != nil {
			return err
		}
		idText = strconv.FormatInt(preview.ID, 10)
	}

	run, ok, err := t.ownRun(ctx, store, idText)
	if !ok {
		return err
	}
	err = store.DiscardBulkRun(ctx, run.ID)
	if errors.Is(err, models.ErrBulkRunState) {
		t.sayRunState(run)
		return nil
	}
	if err != nil {
		return err
	}
	t.say(msgBulkPreviewCancelled, vars{"ID": run.ID})
	return nil
}
