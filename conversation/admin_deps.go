package conversation

import (
	"context"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// opsStore is the persistence that bulk runs, admin commands and spending limits use on top
// of Store. *models.Store implements it; a Store without it leaves those features unavailable.
type opsStore interface {
	GetUser(ctx context.Context, id int64) (models.User, error)
	OrderEvents(ctx context.Context, orderID int64) ([]models.OrderEvent, error)
	OrdersByStatus(ctx context.Context, statuses []models.OrderStatus, limit int) ([]models.Order, error)
	LatestOrdersByStatus(ctx context.Context, statuses []models.OrderStatus, limit int) ([]models.Order, error)
	OrderStats(ctx context.Context, since time.Time) (models.OrderStats, error)
	SpentSince(ctx context.Context, userID int64, since time.Time) (int64, error)

	CreateBulkRun(ctx context.Context, run models.BulkRun, lines []models.BulkLine) (models.BulkRun, error)
	GetBulkRun(ctx context.Context, id int64) (models.BulkRun, error)
	LatestBulkRun(ctx context.Context, userID int64) (models.BulkRun, error)
	PreviewBulkRun(ctx context.Context, userID int64) (models.BulkRun, error)
	RunningBulkRuns(ctx context.Context) ([]models.BulkRun, error)
	IdleBulkRuns(ctx context.Context, idleSince time.Time) ([]models.BulkRun, error)
	BulkLines(ctx context.Context, runID int64, statuses ...models.BulkLineStatus) ([]models.BulkLine, error)
	DiscardBulkRun(ctx context.Context, runID int64) error
	HoldBulkRun(ctx context.Context, runID int64, c models.DailyCap) (models.BulkRun, error)
	StartBulkLine(ctx context.Context, runID int64, line int) (models.Order, error)
	FinishBulkRun(ctx context.Context, runID int64, status models.BulkRunStatus) (models.BulkRun, int, error)
	SetBulkProgressRef(ctx context.Context, runID int64, ref string) error
	BulkReport(ctx context.Context, runID int64) ([]models.BulkReportLine, error)
}

// KwikBalance is the KwikAPI call behind /kwikbalance. *kwik.Client implements it. With a
// Kwik that lacks it, /kwikbalance replies that the balance is unavailable.
type KwikBalance interface {
	Balance(ctx context.Context) (int64, error)
}

var (
	_ opsStore    = (*models.Store)(nil)
	_ KwikBalance = (*kwik.Client)(nil)
)

// operations holds the engine's state for bulk runs, admin commands and limits.
type operations struct {
	// store is nil when Config.Store does not implement opsStore.
	store opsStore
	bulk  *bulkRunner
	rate  *rateLimiter
}

// extend sets up bulk runs, admin commands and limits after New filled the defaults of cfg.
func (e *Engine) extend() error {
	if err := e.cfg.Bulk.validate(); err != nil {
		return err
	}
	store, ok := e.store.(opsStore)
	if !ok {
		e.log.Warn("The store lacks the bulk and admin queries; /bulk, admin commands and daily limits are off")
	}
	e.ops = &operations{
		store: store,
		bulk:  newBulkRunner(e),
		rate:  newRateLimiter(e.cfg.Limits.MessagesPerMinute),
	}
	return nil
}

// opsStore returns the store of bulk runs and admin queries, telling the user and returning
// false when it is missing.
func (t *turn) ops() (opsStore, bool) {
	if t.e.ops.store == nil {
		t.say(msgUnavailable, nil)
		return nil, false
	}
	return t.e.ops.store, true
}

func init() {
	addMessages("en", Catalog{
		msgUnavailable: "That is not available on this server. Please tell the operator of the service.",
	})
}

const msgUnavailable msgKey = "ops_unavailable"
