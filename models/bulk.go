package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// BulkRunStatus is the stage of an agent's bulk run.
type BulkRunStatus string

// The bulk run states: preview → running → done or cancelled, or preview → discarded.
const (
	// BulkPreview: validated and shown to the agent, nothing held yet.
	BulkPreview BulkRunStatus = "preview"
	// BulkDiscarded: the agent cancelled the preview or sent a new one.
	BulkDiscarded BulkRunStatus = "discarded"
	// BulkRunning: the total is held and the lines are being sent.
	BulkRunning BulkRunStatus = "running"
	// BulkDone: every line was sent or released. Sent lines may still be pending at KwikAPI.
	BulkDone BulkRunStatus = "done"
	// BulkCancelled: stopped by the agent; the lines not sent were released.
	BulkCancelled BulkRunStatus = "cancelled"
)

// BulkLineStatus is the stage of one line of a bulk run. A sent line's outcome is the status of
// its order.
type BulkLineStatus string

// The bulk line states.
const (
	// BulkLineInvalid: rejected at validation with Reason; never held or sent.
	BulkLineInvalid BulkLineStatus = "invalid"
	// BulkLineQueued: held and waiting for its order.
	BulkLineQueued BulkLineStatus = "queued"
	// BulkLineSent: its order exists and may have been sent to KwikAPI. It is never sent again.
	BulkLineSent BulkLineStatus = "sent"
	// BulkLineReleased: never sent; its amount went back to the wallet.
	BulkLineReleased BulkLineStatus = "released"
)

// Errors of bulk runs.
var (
	// ErrBulkRunState reports a bulk run that is not in the state the operation needs.
	ErrBulkRunState = errors.New("bulk run is not in the needed state")
	// ErrBulkRunActive reports a confirmation while another run of the same user is running.
	ErrBulkRunActive = errors.New("another bulk run is running")
	// ErrBulkRunStopped reports a line started after its run stopped running.
	ErrBulkRunStopped = errors.New("bulk run is not running")
	// ErrBulkLineTaken reports a line that already has its order or was released.
	ErrBulkLineTaken = errors.New("bulk line already has an order or was released")
)

// BulkRun is one batch of recharges an agent submitted at once. Its money moves as one hold
// of TotalPaise at confirmation (LedgerBulkHold, RefKey "bulk-hold:<id>"), one prepaid order
// per valid line, refunds of failed orders through RecordOutcome, and at most one release of
// the lines never sent (LedgerBulkRelease, RefKey "bulk-release:<id>"). So HeldPaise equals
// the sum of the amounts of its orders plus ReleasedPaise once the run is done or cancelled.
type BulkRun struct {
	ID          int64         `gorm:"primaryKey"`
	UserID      int64         `gorm:"not null;index"`
	Status      BulkRunStatus `gorm:"size:16;not null;index"`
	ChatChannel string        `gorm:"size:16;not null;default:''"`
	ChatID      string        `gorm:"size:64;not null;default:''"`
	// Source is "paste" or the name of the CSV file the lines came from.
	Source string `gorm:"size:256;not null;default:''"`
	// Lines counts every line read, invalid ones included; ValidLines and TotalPaise cover
	// the queued lines at creation.
	Lines         int   `gorm:"not null;default:0"`
	ValidLines    int   `gorm:"not null;default:0"`
	TotalPaise    int64 `gorm:"not null;default:0"`
	HeldPaise     int64 `gorm:"not null;default:0"`
	ReleasedPaise int64 `gorm:"not null;default:0"`
	// ProgressRef is the chat message that shows the run's progress, or empty.
	ProgressRef string `gorm:"size:128;not null;default:''"`
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	UpdatedAt   time.Time
}

// BulkLine is one line of a bulk run as validated.
type BulkLine struct {
	ID    int64 `gorm:"primaryKey"`
	RunID int64 `gorm:"not null;uniqueIndex:idx_bulk_lines_run_line,priority:1"`
	// Line is the 1-based line number in the paste or file.
	Line int `gorm:"not null;uniqueIndex:idx_bulk_lines_run_line,priority:2"`
	// Input is the line as the agent wrote it, shortened to 200 bytes.
	Input        string         `gorm:"size:256;not null;default:''"`
	Kind         string         `gorm:"size:8;not null;default:''"`
	Number       string         `gorm:"size:64;not null;default:''"`
	OperatorID   string         `gorm:"size:16;not null;default:''"`
	OperatorName string         `gorm:"size:128;not null;default:''"`
	CircleCode   string         `gorm:"size:8;not null;default:''"`
	AmountPaise  int64          `gorm:"not null;default:0"`
	Status       BulkLineStatus `gorm:"size:16;not null"`
	// Reason is why an invalid line was rejected.
	Reason    string `gorm:"type:text;not null;default:''"`
	OrderID   *int64 `gorm:"index"`
	UpdatedAt time.Time
}

func init() { register(&BulkRun{}, &BulkLine{}) }

// bulkInsertBatch is how many lines one INSERT writes: 14 columns each stays far below
// SQLite's and PostgreSQL's limits on bound parameters.
const bulkInsertBatch = 200

// CreateBulkRun stores a previewed run and its lines in one transaction and discards the
// user's earlier previews. It sets Status to BulkPreview and computes ValidLines and TotalPaise
// from the queued lines; every other line must be BulkLineInvalid.
func (s *Store) CreateBulkRun(ctx context.Context, run BulkRun, lines []BulkLine) (BulkRun, error) {
	if run.UserID == 0 {
		return BulkRun{}, errors.New("create bulk run: missing user")
	}
	now := dbTime(s.Now())
	run.ID, run.Status, run.Lines, run.ValidLines, run.TotalPaise = 0, BulkPreview, len(lines), 0, 0
	run.CreatedAt, run.UpdatedAt = now, now
	for i := range lines {
		switch lines[i].Status {
		case BulkLineQueued:
			if lines[i].AmountPaise <= 0 {
				return BulkRun{}, fmt.Errorf("create bulk run: line %d: %w", lines[i].Line, ErrInvalidAmount)
			}
			run.ValidLines++
			run.TotalPaise += lines[i].AmountPaise
		case BulkLineInvalid:
		default:
			return BulkRun{}, fmt.Errorf("create bulk run: line %d has status %q", lines[i].Line, lines[i].Status)
		}
	}

	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&BulkRun{}).Where("user_id = ? AND status = ?", run.UserID, BulkPreview).
			Updates(map[string]any{"status": BulkDiscarded, "updated_at": now}).Error
		if err != nil {
			return err
		}
		if err := tx.Create(&run).Error; err != nil {
			return err
		}
		for i := range lines {
			lines[i].ID, lines[i].RunID, lines[i].OrderID, lines[i].UpdatedAt = 0, run.ID, nil, now
		}
		if len(lines) == 0 {
			return nil
		}
		return tx.CreateInBatches(lines, bulkInsertBatch).Error
	})
	if err != nil {
		return BulkRun{}, fmt.Errorf("create bulk run of user %d: %w", run.UserID, err)
	}
	return run, nil
}

// GetBulkRun returns the run with id, or ErrNotFound.
func (s *Store) GetBulkRun(ctx context.Context, id int64) (BulkRun, error) {
	var run BulkRun
	if err := s.DB(ctx).Take(&run, id).Error; err != nil {
		return BulkRun{}, fmt.Errorf("get bulk run %d: %w", id, notFound(err))
	}
	return run, nil
}

// LatestBulkRun returns the user's running run, or else their latest done or cancelled run,
// or ErrNotFound. Previews are not runs yet and are skipped.
func (s *Store) LatestBulkRun(ctx context.Context, userID int64) (BulkRun, error) {
	var run BulkRun
	err := s.DB(ctx).Where("user_id = ? AND status = ?", userID, BulkRunning).Order("id DESC").Take(&run).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = s.DB(ctx).Where("user_id = ? AND status IN ?", userID, []BulkRunStatus{BulkDone, BulkCancelled}).
			Order("id DESC").Take(&run).Error
	}
	if err != nil {
		return BulkRun{}, fmt.Errorf("find latest bulk run of user %d: %w", userID, notFound(err))
	}
	return run, nil
}

// PreviewBulkRun returns the user's run waiting for confirmation, or ErrNotFound.
func (s *Store) PreviewBulkRun(ctx context.Context, userID int64) (BulkRun, error) {
	var run BulkRun
	err := s.DB(ctx).Where("user_id = ? AND status = ?", userID, BulkPreview).Order("id DESC").Take(&run).Error
	if err != nil {
		return BulkRun{}, fmt.Errorf("find bulk preview of user %d: %w", userID, notFound(err))
	}
	return run, nil
}

// RunningBulkRuns returns every run in BulkRunning, oldest first, for resuming after a restart.
func (s *Store) RunningBulkRuns(ctx context.Context) ([]BulkRun, error) {
	var runs []BulkRun
	if err := s.DB(ctx).Where("status = ?", BulkRunning).Order("id").Find(&runs).Error; err != nil {
		return nil, fmt.Errorf("list running bulk runs: %w", err)
	}
	return runs, nil
}

// IdleBulkRuns returns the running runs that still have queued lines but have not changed
// since idleSince: neither the run nor any of its lines. Their process has most likely
// stopped without coming back, so another one may take them over.
func (s *Store) IdleBulkRuns(ctx context.Context, idleSince time.Time) ([]BulkRun, error) {
	cutoff := dbTime(idleSince)
	queued := s.DB(ctx).Model(&BulkLine{}).Select("1").
		Where("bulk_lines.run_id = bulk_runs.id AND bulk_lines.status = ?", BulkLineQueued)
	recent := s.DB(ctx).Model(&BulkLine{}).Select("1").
		Where("bulk_lines.run_id = bulk_runs.id AND bulk_lines.updated_at >= ?", cutoff)

	var runs []BulkRun
	err := s.DB(ctx).Where("status = ? AND updated_at < ?", BulkRunning, cutoff).
		Where("EXISTS (?)", queued).Where("NOT EXISTS (?)", recent).
		Order("id").Find(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("list idle bulk runs: %w", err)
	}
	return runs, nil
}

// BulkLines returns the run's lines in line order, only those in statuses when any are given.
func (s *Store) BulkLines(ctx context.Context, runID int64, statuses ...BulkLineStatus) ([]BulkLine, error) {
	q := s.DB(ctx).Where("run_id = ?", runID)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	var lines []BulkLine
	if err := q.Order("line").Find(&lines).Error; err != nil {
		return nil, fmt.Errorf("list lines of bulk run %d: %w", runID, err)
	}
	return lines, nil
}

// DiscardBulkRun drops a run still in preview. Any other state returns ErrBulkRunState.
func (s *Store) DiscardBulkRun(ctx context.Context, runID int64) error {
	result := s.DB(ctx).Model(&BulkRun{}).Where("id = ? AND status = ?", runID, BulkPreview).
		Updates(map[string]any{"status": BulkDiscarded, "updated_at": dbTime(s.Now())})
	if result.Error != nil {
		return fmt.Errorf("discard bulk run %d: %w", runID, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("discard bulk run %d: %w", runID, ErrBulkRunState)
	}
	return nil
}

// HoldBulkRun starts a previewed run: in one transaction it debits the run's total from the
// wallet with one LedgerBulkHold entry and moves the run to BulkRunning. It returns
// *DailyCapError when the total would take the user past c and *InsufficientFundsError when
// the wallet cannot cover it. It returns ErrBulkRunActive while another run of the user is
// running, ErrBulkRunState unless the run is in preview, and ErrInvalidAmount for a run
// without valid lines. On error nothing changes.
func (s *Store) HoldBulkRun(ctx context.Context, runID int64, c DailyCap) (BulkRun, error) {
	var run BulkRun
	err := s.bulkTx(ctx, runID, func(tx *gorm.DB, locked BulkRun) error {
		run = locked
		if run.Status != BulkPreview {
			return fmt.Errorf("%w: run is %s", ErrBulkRunState, run.Status)
		}
		if run.TotalPaise <= 0 {
			return fmt.Errorf("%w: the run has no valid lines", ErrInvalidAmount)
		}
		var running int64
		err := tx.Model(&BulkRun{}).Where("user_id = ? AND status = ?", run.UserID, BulkRunning).Count(&running).Error
		if err != nil {
			return err
		}
		if running > 0 {
			return ErrBulkRunActive
		}
		if err := checkDailyCap(tx, run.UserID, c, run.TotalPaise); err != nil {
			return err
		}

		_, err = s.applyChange(tx, WalletChange{
			UserID: run.UserID, AmountPaise: -run.TotalPaise, Kind: LedgerBulkHold,
			RefKey: "bulk-hold:" + strconv.FormatInt(run.ID, 10),
			Note:   fmt.Sprintf("bulk run %d: %d lines", run.ID, run.ValidLines),
		})
		if err != nil {
			return err
		}

		now := dbTime(s.Now())
		run.Status, run.HeldPaise, run.StartedAt, run.UpdatedAt = BulkRunning, run.TotalPaise, &now, now
		return tx.Model(&BulkRun{}).Where("id = ?", run.ID).Updates(map[string]any{
			"status": run.Status, "held_paise": run.HeldPaise, "started_at": now, "updated_at": now,
		}).Error
	})
	if err != nil {
		return BulkRun{}, fmt.Errorf("hold bulk run %d: %w", runID, err)
	}
	return run, nil
}

// StartBulkLine places the order of one queued line of a running run, in one transaction with
// the run row locked. The order is prepaid, because its amount is part of the run's hold, and
// has the checkout token "bulk:<run>:<line>". The line is marked BulkLineSent with the order's
// id. The caller then sends the order to KwikAPI once. It returns ErrBulkRunStopped unless the run is running and
// ErrBulkLineTaken when the line already has an order or was released, so a resumed run never
// sends a line twice.
func (s *Store) StartBulkLine(ctx context.Context, runID int64, lineNo int) (Order, error) {
	var order Order
	err := s.bulkTx(ctx, runID, func(tx *gorm.DB, run BulkRun) error {
		if run.Status != BulkRunning {
			return ErrBulkRunStopped
		}
		var line BulkLine
		err := s.lockRows(tx).Where("run_id = ? AND line = ?", runID, lineNo).Take(&line).Error
		if err != nil {
			return notFound(err)
		}
		if line.Status != BulkLineQueued {
			return fmt.Errorf("%w: line is %s", ErrBulkLineTaken, line.Status)
		}

		order, err = s.placeOrderTx(tx, NewOrder{
			UserID: run.UserID, Kind: line.Kind, Number: line.Number, OperatorID: line.OperatorID,
			OperatorName: line.OperatorName, CircleCode: line.CircleCode, AmountPaise: line.AmountPaise,
			CheckoutToken: fmt.Sprintf("bulk:%d:%d", runID, lineNo),
			ChatChannel:   run.ChatChannel, ChatID: run.ChatID,
			BulkRunID: &run.ID, BulkLine: lineNo, Prepaid: true,
		})
		if err != nil {
			return err
		}
		return tx.Model(&BulkLine{}).Where("id = ?", line.ID).Updates(map[string]any{
			"status": BulkLineSent, "order_id": order.ID, "updated_at": dbTime(s.Now()),
		}).Error
	})
	if err != nil {
		return Order{}, fmt.Errorf("start line %d of bulk run %d: %w", lineNo, runID, err)
	}
	return order, nil
}

// FinishBulkRun ends a running run with status (BulkDone or BulkCancelled) in one
// transaction: every line still queued becomes BulkLineReleased and their amounts return to
// the wallet in one LedgerBulkRelease entry. It returns the run as stored and the number of
// lines released, or ErrBulkRunState unless the run was running.
func (s *Store) FinishBulkRun(ctx context.Context, runID int64, status BulkRunStatus) (BulkRun, int, error) {
	if status != BulkDone && status != BulkCancelled {
		return BulkRun{}, 0, fmt.Errorf("finish bulk run %d: invalid final status %q", runID, status)
	}
	var (
		run      BulkRun
		released int
	)
	err := s.bulkTx(ctx, runID, func(tx *gorm.DB, locked BulkRun) error {
		run = locked
		if run.Status != BulkRunning {
			return fmt.Errorf("%w: run is %s", ErrBulkRunState, run.Status)
		}
		var queued []BulkLine
		if err := tx.Where("run_id = ? AND status = ?", runID, BulkLineQueued).Find(&queued).Error; err != nil {
			return err
		}
		var sum int64
		for _, line := range queued {
			sum += line.AmountPaise
		}

		now := dbTime(s.Now())
		if len(queued) > 0 {
			err := tx.Model(&BulkLine{}).Where("run_id = ? AND status = ?", runID, BulkLineQueued).
				Updates(map[string]any{"status": BulkLineReleased, "updated_at": now}).Error
			if err != nil {
				return err
			}
			_, err = s.applyChange(tx, WalletChange{
				UserID: run.UserID, AmountPaise: sum, Kind: LedgerBulkRelease,
				RefKey: "bulk-release:" + strconv.FormatInt(run.ID, 10),
				Note:   fmt.Sprintf("bulk run %d: %d lines not sent", run.ID, len(queued)),
			})
			if err != nil {
				return err
			}
		}

		released = len(queued)
		run.Status, run.ReleasedPaise, run.FinishedAt, run.UpdatedAt = status, sum, &now, now
		return tx.Model(&BulkRun{}).Where("id = ?", run.ID).Updates(map[string]any{
			"status": status, "released_paise": sum, "finished_at": now, "updated_at": now,
		}).Error
	})
	if err != nil {
		return BulkRun{}, 0, fmt.Errorf("finish bulk run %d: %w", runID, err)
	}
	return run, released, nil
}

// SetBulkProgressRef records the chat message that shows the run's progress.
func (s *Store) SetBulkProgressRef(ctx context.Context, runID int64, ref string) error {
	err := s.DB(ctx).Model(&BulkRun{}).Where("id = ?", runID).
		Updates(map[string]any{"progress_ref": ref, "updated_at": dbTime(s.Now())}).Error
	if err != nil {
		return fmt.Errorf("set progress message of bulk run %d: %w", runID, err)
	}
	return nil
}

// bulkTx runs fn in a transaction that has locked the run's wallet and then the run row. Every
// bulk transaction that moves money goes through it, so they take their locks in one order and
// cannot deadlock each other. CreateBulkRun locks only run rows, never a wallet after them.
func (s *Store) bulkTx(ctx context.Context, runID int64, fn func(tx *gorm.DB, run BulkRun) error) error {
	var owner BulkRun
	if err := s.DB(ctx).Select("id", "user_id").Take(&owner, runID).Error; err != nil {
		return notFound(err)
	}
	return s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.lockWallet(tx, owner.UserID); err != nil {
			return err
		}
		var run BulkRun
		if err := s.lockRows(tx).Take(&run, runID).Error; err != nil {
			return notFound(err)
		}
		return fn(tx, run)
	})
}

// BulkReportLine is a line of a bulk run with the current state of its order.
type BulkReportLine struct {
	BulkLine
	// OrderStatus and OperatorRef are empty for a line without an order.
	OrderStatus OrderStatus
	OperatorRef string
}

// bulkOrderChunk bounds the ids of one IN list.
const bulkOrderChunk = 500

// BulkReport returns every line of the run in line order with its order's current status.
func (s *Store) BulkReport(ctx context.Context, runID int64) ([]BulkReportLine, error) {
	lines, err := s.BulkLines(ctx, runID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, line := range lines {
		if line.OrderID != nil {
			ids = append(ids, *line.OrderID)
		}
	}

	orders := make(map[int64]Order, len(ids))
	for start := 0; start < len(ids); start += bulkOrderChunk {
		chunk, err := s.OrdersByID(ctx, ids[start:min(start+bulkOrderChunk, len(ids))])
		if err != nil {
			return nil, fmt.Errorf("report bulk run %d: %w", runID, err)
		}
		for _, o := range chunk {
			orders[o.ID] = o
		}
	}

	report := make([]BulkReportLine, len(lines))
	for i, line := range lines {
		report[i].BulkLine = line
		if line.OrderID != nil {
			o := orders[*line.OrderID]
			report[i].OrderStatus, report[i].OperatorRef = o.Status, o.OperatorRef
		}
	}
	return report, nil
}
