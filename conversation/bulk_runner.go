package conversation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// Defaults of BulkConfig.
const (
	DefaultBulkMaxLines         = 1000
	DefaultBulkConcurrency      = 5
	DefaultBulkProgressInterval = 3 * time.Second
	DefaultBulkProgressTimeout  = 15 * time.Second
	// maxBulkConcurrency bounds Concurrency: KwikAPI is one account, and more parallel
	// recharges than this only queue up at its end.
	maxBulkConcurrency = 50
)

// BulkConfig configures agents' bulk runs. Zero fields take the defaults.
type BulkConfig struct {
	// MaxLines is the largest number of lines one run may have.
	MaxLines int
	// Concurrency is how many recharges (and, in a preview, operator detections) of one run
	// are in flight at once.
	Concurrency int
	// ProgressInterval is the least time between two edits of a run's progress message.
	ProgressInterval time.Duration
	// ProgressTimeout bounds one send or edit of the progress message, so that a chat network
	// asking to wait (Telegram's retry_after) never stalls the run's lines.
	ProgressTimeout time.Duration
}

func (c *BulkConfig) validate() error {
	switch {
	case c.MaxLines < 0:
		return fmt.Errorf("bulk max lines is %d: use a positive number or 0 for %d", c.MaxLines, DefaultBulkMaxLines)
	case c.Concurrency < 0 || c.Concurrency > maxBulkConcurrency:
		return fmt.Errorf("bulk concurrency is %d: use 1 to %d, or 0 for %d", c.Concurrency, maxBulkConcurrency, DefaultBulkConcurrency)
	case c.ProgressInterval < 0:
		return fmt.Errorf("bulk progress interval is %v: use a positive duration", c.ProgressInterval)
	case c.ProgressTimeout < 0:
		return fmt.Errorf("bulk progress timeout is %v: use a positive duration", c.ProgressTimeout)
	}
	if c.MaxLines == 0 {
		c.MaxLines = DefaultBulkMaxLines
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultBulkConcurrency
	}
	if c.ProgressInterval == 0 {
		c.ProgressInterval = DefaultBulkProgressInterval
	}
	if c.ProgressTimeout == 0 {
		c.ProgressTimeout = DefaultBulkProgressTimeout
	}
	return nil
}

// bulkRunner runs the confirmed bulk runs of one engine, each in a goroutine of its own.
type bulkRunner struct {
	e *Engine

	mu sync.Mutex
	// base is the lifetime of every run, set by ResumeBulkRuns.
	base   context.Context
	active map[int64]context.CancelFunc
	wg     sync.WaitGroup
}

func newBulkRunner(e *Engine) *bulkRunner {
	return &bulkRunner{e: e, base: context.Background(), active: map[int64]context.CancelFunc{}}
}

// ResumeBulkRuns makes ctx the lifetime of this engine's bulk runs and restarts every run a
// previous process left running. Call it once at start. When ctx ends, runs stop taking new
// lines (recharges already sent finish and are recorded) and stay running in the database, so
// the next start resumes them; WaitBulkRuns waits for that. A line that got its order before a
// crash is never sent again: the resolver settles its order. Without this call runs live as
// long as the process.
//
// NOTE: two processes resuming the same run share its lines without sending any twice, but
// both edit its progress message.
func (e *Engine) ResumeBulkRuns(ctx context.Context) error {
	e.ops.bulk.setBase(ctx)
	if e.ops.store == nil {
		return nil
	}
	runs, err := e.ops.store.RunningBulkRuns(ctx)
	if err != nil {
		return fmt.Errorf("resume bulk runs: %w", err)
	}
	for _, run := range runs {
		e.log.Info("Resuming a bulk run", "run_id", run.ID, "user_id", run.UserID)
		e.ops.bulk.start(run)
	}
	return nil
}

// ResumeIdleBulkRuns takes over the running runs that have been idle for idle: their lines
// are queued but neither they nor the run changed, because the process that ran them stopped
// and did not come back. A run going on in this process is left alone. Taking over a run
// another process still runs sends no line twice, because each line is claimed with its
// order. The scheduler calls it on one process at a time.
func (e *Engine) ResumeIdleBulkRuns(ctx context.Context, idle time.Duration) error {
	if e.ops.store == nil {
		return nil
	}
	runs, err := e.ops.store.IdleBulkRuns(ctx, e.now().Add(-idle))
	if err != nil {
		return fmt.Errorf("resume idle bulk runs: %w", err)
	}
	for _, run := range runs {
		e.log.Info("Taking over an idle bulk run", "run_id", run.ID, "user_id", run.UserID)
		e.ops.bulk.start(run)
	}
	return nil
}

// WaitBulkRuns blocks until every bulk run goroutine of this engine has returned, because its
// run ended or the context of ResumeBulkRuns ended.
func (e *Engine) WaitBulkRuns() { e.ops.bulk.wg.Wait() }

func (r *bulkRunner) setBase(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.base = ctx
}

// start runs run in the background unless it already runs here or the engine is stopping or
// draining.
func (r *bulkRunner) start(run models.BulkRun) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.active[run.ID]; ok || r.base.Err() != nil || r.e.draining.Load() {
		return
	}
	ctx, cancel := context.WithCancel(r.base)
	r.active[run.ID] = cancel
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer r.stop(run.ID)
		r.execute(ctx, run)
	}()
}

// stop stops feeding the run's lines and reports whether it was running here.
func (r *bulkRunner) stop(runID int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	cancel, ok := r.active[runID]
	if ok {
		cancel()
		delete(r.active, runID)
	}
	return ok
}

// stopping reports whether the engine is stopping: the runs' lifetime ended or the engine
// drains. Either way no new line starts, and the run stays running for the next process.
func (r *bulkRunner) stopping() bool {
	if r.e.draining.Load() {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.base.Err() != nil
}

// execute sends the queued lines of a running run, then finishes it and reports. ctx ends
// when the agent cancels the run or the engine stops; after a stop the run is left for the
// next ResumeBulkRuns.
func (r *bulkRunner) execute(ctx context.Context, run models.BulkRun) {
	e, store := r.e, r.e.ops.store
	log := e.log.With("run_id", run.ID, "user_id", run.UserID)
	work := context.WithoutCancel(ctx)

	queued, err := store.BulkLines(work, run.ID, models.BulkLineQueued)
	if err != nil {
		log.Error("Loading a bulk run failed; it stays running until the next start", "error", err)
		return
	}
	report, err := store.BulkReport(work, run.ID)
	if err != nil {
		log.Error("Loading a bulk run failed; it stays running until the next start", "error", err)
		return
	}
	progress := newBulkProgress(countBulk(report), e.cfg.Bulk.ProgressInterval, e.now)
	r.showProgress(work, log, run, progress)

	started := e.now()
	r.sendLines(ctx, log, run, queued, progress)
	if r.stopping() {
		log.Info("Bulk run paused because the engine is stopping; it resumes at the next start")
		return
	}

	finished, released, err := store.FinishBulkRun(work, run.ID, models.BulkDone)
	switch {
	case errors.Is(err, models.ErrBulkRunState):
		// Cancelled by the agent, whose reply listed what was released, or finished by
		// another process sharing the run.
		run.Status = models.BulkCancelled
		if latest, err := store.GetBulkRun(work, run.ID); err == nil {
			run.Status = latest.Status
		}
	case err != nil:
		log.Error("Finishing a bulk run failed; it stays running until the next start", "error", err)
		return
	default:
		run.Status = finished.Status
		if released > 0 {
			log.Warn("Bulk lines were released without being sent", "lines", released)
		}
	}
	log.Info("Bulk run finished", "lines", len(queued), "took", e.now().Sub(started))
	r.finalProgress(work, log, run, progress)
	if err := e.reportBulkRun(work, run.ID); err != nil {
		log.Error("Reporting a bulk run failed", "error", err)
	}
}

// sendLines feeds the lines to Bulk.Concurrency workers until all are sent or ctx ends.
func (r *bulkRunner) sendLines(ctx context.Context, log *slog.Logger, run models.BulkRun, lines []models.BulkLine, progress *bulkProgress) {
	jobs := make(chan models.BulkLine)
	var wg sync.WaitGroup
	for range r.e.cfg.Bulk.Concurrency {
		wg.Go(func() {
			for line := range jobs {
				if ctx.Err() == nil && !r.e.draining.Load() {
					r.sendLine(ctx, log, run, line, progress)
				}
			}
		})
	}

feed:
	for _, line := range lines {
		select {
		case jobs <- line:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// sendLine places the line's order and sends it to KwikAPI once. The order exists, and the
// line points to it, before the recharge call, so no restart sends it again. A line that
// could not be started stays queued and is released when the run finishes.
func (r *bulkRunner) sendLine(ctx context.Context, log *slog.Logger, run models.BulkRun, line models.BulkLine, progress *bulkProgress) {
	e := r.e
	// From here on a cancellation must not cut a line short between its order and outcome.
	work := context.WithoutCancel(ctx)

	order, err := e.ops.store.StartBulkLine(work, run.ID, line.Line)
	switch {
	case errors.Is(err, models.ErrBulkRunStopped):
		r.stop(run.ID)
		return
	case errors.Is(err, models.ErrBulkLineTaken):
		return
	case err != nil:
		log.Error("Starting a bulk line failed; it will be released", "line", line.Line, "error", err)
		return
	}

	result, err := e.kwik.Recharge(work, kwik.RechargeRequest{
		OrderID: strconv.FormatInt(order.ID, 10), Number: order.Number, OperatorID: order.OperatorID,
		CircleCode: order.CircleCode, AmountPaise: order.AmountPaise,
	})
	outcome, _ := e.outcome(result, err)
	if err != nil {
		log.Warn("Bulk recharge call failed", "line", line.Line, "order_id", order.ID, "status", outcome.Status, "error", err)
	}
	if _, _, err := e.store.RecordOutcome(work, order.ID, outcome); err != nil {
		log.Error("Recording a bulk recharge outcome failed; the resolver will settle the order",
			"line", line.Line, "order_id", order.ID, "error", err)
		outcome.Status = models.StatusSending
	}
	log.Debug("Bulk line sent", "line", line.Line, "order_id", order.ID, "opid", order.OperatorID,
		"amount_paise", order.AmountPaise, "status", outcome.Status)

	counts, ref := progress.record(outcome.Status, order.AmountPaise)
	if ref != "" {
		r.edit(work, log, run, ref, e.progressText(run, counts))
	}
}

// showProgress sends the run's progress message, or edits the one a previous process sent.
func (r *bulkRunner) showProgress(ctx context.Context, log *slog.Logger, run models.BulkRun, progress *bulkProgress) {
	sender := r.e.cfg.Sender
	if sender == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, r.e.cfg.Bulk.ProgressTimeout)
	defer cancel()
	text := r.e.progressText(run, progress.snapshot())
	chat := bot.ChatID{Channel: bot.Channel(run.ChatChannel), ID: run.ChatID}
	if run.ProgressRef != "" {
		if _, err := sender.Send(ctx, chat, bot.Outbound{Text: text, Edit: bot.MessageRef(run.ProgressRef)}); err == nil {
			progress.shown(run.ProgressRef)
			return
		}
	}

	ref, err := sender.Send(ctx, chat, bot.Outbound{Text: text})
	if err != nil {
		log.Warn("Sending the progress of a bulk run failed", "error", err)
		return
	}
	progress.shown(string(ref))
	if ref != "" {
		if err := r.e.ops.store.SetBulkProgressRef(ctx, run.ID, string(ref)); err != nil {
			log.Warn("Storing the progress message of a bulk run failed", "error", err)
		}
	}
}

// finalProgress edits the progress message to the final counts.
func (r *bulkRunner) finalProgress(ctx context.Context, log *slog.Logger, run models.BulkRun, progress *bulkProgress) {
	ref := progress.final()
	if ref == "" {
		return
	}
	report, err := r.e.ops.store.BulkReport(ctx, run.ID)
	if err != nil {
		log.Warn("Loading the final progress of a bulk run failed", "error", err)
		return
	}
	r.edit(ctx, log, run, ref, r.e.progressText(run, countBulk(report)))
}

func (r *bulkRunner) edit(ctx context.Context, log *slog.Logger, run models.BulkRun, ref, text string) {
	ctx, cancel := context.WithTimeout(ctx, r.e.cfg.Bulk.ProgressTimeout)
	defer cancel()
	chat := bot.ChatID{Channel: bot.Channel(run.ChatChannel), ID: run.ChatID}
	if _, err := r.e.cfg.Sender.Send(ctx, chat, bot.Outbound{Text: text, Edit: bot.MessageRef(ref)}); err != nil {
		log.Warn("Editing the progress of a bulk run failed", "error", err)
	}
}

// progressText renders the progress message of a run. Its heading shows whether the run
// finished or was stopped, from run.Status.
func (e *Engine) progressText(run models.BulkRun, c bulkCounts) string {
	return e.texts.render(msgBulkProgress, vars{
		"ID": run.ID, "Bar": progressBar(c.Done()+c.Released, c.Valid), "Done": c.Done(), "Total": c.Valid,
		"Success": c.Success, "Failed": c.Failed, "Pending": c.Pending, "Queued": c.Queued,
		"Released": c.Released, "Finished": run.Status == models.BulkDone, "Stopped": run.Status == models.BulkCancelled,
	})
}
