package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// ErrSyncInProgress reports that another process or goroutine is syncing the catalog.
var ErrSyncInProgress = errors.New("catalog sync already in progress")

// Catalog parts, as named in their sync state rows and in logs.
const (
	PartCategories      = "categories"
	PartOperatorDetails = "operator_details"
	PartCircles         = "circles"
)

// PartOperators names the operator list part of service, such as "operators:Prepaid".
func PartOperators(service string) string { return "operators:" + service }

// Catalog refresh intervals used when CatalogSync leaves them zero. KwikAPI changes its
// catalog rarely, and these keep the sync far under the daily call limits.
const (
	DefaultCategoriesEvery = 7 * 24 * time.Hour
	DefaultOperatorsEvery  = 7 * 24 * time.Hour
	DefaultDetailsEvery    = 7 * 24 * time.Hour
	DefaultCirclesEvery    = 30 * 24 * time.Hour
	DefaultCatalogCheck    = time.Hour
	// NOTE: KwikAPI documents no maximum of ids per details call. 25 is a guess, small enough
	// that a rejected batch costs little.
	DefaultDetailBatch = 25
)

// catalogLeadership is the leadership name held for the length of one sync pass.
const catalogLeadership = "catalog-sync"

// CatalogClient is the part of the KwikAPI client the catalog sync calls. *kwik.Client
// implements it.
type CatalogClient interface {
	Categories(ctx context.Context) ([]kwik.Category, error)
	Operators(ctx context.Context, service string) ([]kwik.Operator, error)
	OperatorDetails(ctx context.Context, ids []string) ([]kwik.OperatorDetail, error)
	Circles(ctx context.Context) ([]kwik.Circle, error)
}

// CatalogSync keeps the stored catalog fresh: categories, the operator lists of Services,
// the details of their active operators and the circles. Each part is synced on its own, so
// that one failed endpoint keeps the others' results, and a failed part stays due for the
// next run. A pass runs only while holding the "catalog-sync" leadership, so concurrent
// passes in several processes do the work once.
type CatalogSync struct {
	Store  *models.Store
	Client CatalogClient
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Services lists the categories whose operators are synced; nil means Prepaid and DTH.
	Services []string
	// DetailBatch is the number of operator ids joined with "#" in one details call; 0 means
	// DefaultDetailBatch.
	DetailBatch int
	// The refresh interval of each part; 0 means the matching Default value.
	CategoriesEvery, OperatorsEvery, DetailsEvery, CirclesEvery time.Duration
	// CheckEvery is how often the scheduled job looks for stale parts; 0 means DefaultCatalogCheck.
	CheckEvery time.Duration

	mu sync.Mutex
	// heldUntil maps a part stopped by a daily budget to the time that budget resets.
	// Scheduled passes skip the part until then.
	heldUntil map[string]time.Time
}

// PartResult is the outcome of syncing one part.
type PartResult struct {
	Part string
	// Stored is the number of rows written, also when Err stopped the part halfway.
	Stored int
	// Deactivated is the number of operators marked inactive because a fresh list lacks them.
	Deactivated int
	Err         error
}

// SyncReport is the outcome of one sync pass.
type SyncReport struct {
	// Skipped is set when another holder of the leadership was already syncing.
	Skipped bool
	Parts   []PartResult
}

// Err joins the errors of the failed parts; nil when every part succeeded.
func (r SyncReport) Err() error {
	var errs []error
	for _, p := range r.Parts {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errors.Join(errs...)
}

// Job returns the scheduled job: every CheckEvery it syncs the parts that are stale or never
// synced, so the first run at start fills an empty catalog. A part stopped by a daily budget
// is logged and waits for the reset without failing the job.
func (c *CatalogSync) Job() Job {
	return Job{
		Name:  "catalog-sync",
		Every: orDefault(c.CheckEvery, DefaultCatalogCheck),
		Run: func(ctx context.Context) error {
			report, _ := c.SyncDue(ctx)
			return withoutBudgetStops(report)
		},
	}
}

// SyncDue syncs the parts that are stale or were never synced. When another holder of the
// leadership is syncing, it returns a report with Skipped set and no error. The error joins
// the errors of the failed parts, budget stops included.
func (c *CatalogSync) SyncDue(ctx context.Context) (SyncReport, error) {
	return c.pass(ctx, "scheduled", false)
}

// Sync syncs every part now, whatever its age, for `rechargebot sync` and the admin command.
// It returns ErrSyncInProgress when another pass holds the leadership. The error joins the
// errors of the failed parts, budget stops included.
func (c *CatalogSync) Sync(ctx context.Context) (SyncReport, error) {
	report, err := c.pass(ctx, "on_demand", true)
	if err == nil && report.Skipped {
		return report, ErrSyncInProgress
	}
	return report, err
}

// pass takes the leadership and syncs the parts that are due, or every part when force is set.
func (c *CatalogSync) pass(ctx context.Context, trigger string, force bool) (SyncReport, error) {
	release, ok, err := c.Store.TryLeader(ctx, catalogLeadership)
	if err != nil {
		return SyncReport{}, fmt.Errorf("sync catalog: %w", err)
	}
	if !ok {
		c.logger().Debug("Catalog sync skipped: another process is syncing", "trigger", trigger)
		return SyncReport{Skipped: true}, nil
	}
	defer release()

	states, err := c.lastSuccesses(ctx)
	if err != nil {
		return SyncReport{}, fmt.Errorf("sync catalog: %w", err)
	}

	started := c.now()
	var report SyncReport
	logged := false
	for _, part := range c.parts() {
		if !force && !c.due(ctx, part, states, started) {
			continue
		}
		if !logged {
			c.logger().Info("Catalog sync started", "trigger", trigger)
			logged = true
		}
		result := c.runPart(ctx, part, started, force)
		report.Parts = append(report.Parts, result)
	}

	if logged {
		c.logger().Info("Catalog sync finished", "trigger", trigger, "parts", len(report.Parts),
			"failed", countFailed(report), "took", c.now().Sub(started))
	}
	return report, report.Err()
}

// SyncedAt returns the oldest last success among the catalog parts, which dates the stalest
// part. It is zero while some part has never been synced.
func (c *CatalogSync) SyncedAt(ctx context.Context) (time.Time, error) {
	last, err := c.lastSuccesses(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("read catalog sync time: %w", err)
	}

	var oldest time.Time
	for _, part := range c.parts() {
		at, ok := last[part.name]
		if !ok {
			return time.Time{}, nil
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	return oldest, nil
}

// catalogPart is one independently synced piece of the catalog.
type catalogPart struct {
	name  string
	every time.Duration
	run   func(ctx context.Context, started time.Time, force bool) PartResult
}

func (c *CatalogSync) parts() []catalogPart {
	parts := []catalogPart{{PartCategories, orDefault(c.CategoriesEvery, DefaultCategoriesEvery), c.syncCategories}}
	for _, service := range c.services() {
		parts = append(parts, catalogPart{PartOperators(service), orDefault(c.OperatorsEvery, DefaultOperatorsEvery),
			func(ctx context.Context, _ time.Time, _ bool) PartResult { return c.syncOperators(ctx, service) }})
	}
	return append(parts,
		catalogPart{PartOperatorDetails, orDefault(c.DetailsEvery, DefaultDetailsEvery), c.syncDetails},
		catalogPart{PartCircles, orDefault(c.CirclesEvery, DefaultCirclesEvery), c.syncCircles},
	)
}

// due reports whether a scheduled pass should sync part: never synced, stale, or, for the
// details, some active operator lacks fresh details. A part stopped by a daily budget waits
// for the reset.
func (c *CatalogSync) due(ctx context.Context, part catalogPart, lastSuccess map[string]time.Time, now time.Time) bool {
	c.mu.Lock()
	held := now.Before(c.heldUntil[part.name])
	c.mu.Unlock()
	if held {
		return false
	}

	if part.name == PartOperatorDetails {
		ops, err := c.Store.OperatorsNeedingDetails(ctx, c.services(), now.Add(-part.every), 1)
		if err != nil {
			c.logger().Error("Catalog details check failed", "error", err)
			return false
		}
		return len(ops) > 0
	}

	last, ok := lastSuccess[part.name]
	return !ok || !now.Before(last.Add(part.every))
}

// runPart syncs one part, records its state and logs its outcome.
func (c *CatalogSync) runPart(ctx context.Context, part catalogPart, started time.Time, force bool) PartResult {
	begun := c.now()
	result := part.run(ctx, started, force)
	result.Part = part.name
	log := c.logger().With("part", part.name, "stored", result.Stored, "took", c.now().Sub(begun))

	if result.Err == nil {
		if err := c.Store.RecordSyncSuccess(ctx, part.name, c.now(), result.Stored); err != nil {
			result.Err = err
			log.Error("Catalog part synced but its state was not saved", "error", err)
			return result
		}
		c.mu.Lock()
		delete(c.heldUntil, part.name)
		c.mu.Unlock()
		log.Info("Catalog part synced", "deactivated", result.Deactivated)
		return result
	}

	if ctx.Err() != nil {
		log.Info("Catalog part interrupted by shutdown; the next run retries it", "error", result.Err)
		return result
	}
	if err := c.Store.RecordSyncFailure(ctx, part.name, c.now(), result.Err.Error()); err != nil {
		log.Error("Catalog sync state not saved", "error", err)
	}
	var budget *models.BudgetExhaustedError
	if errors.As(result.Err, &budget) {
		c.mu.Lock()
		if c.heldUntil == nil {
			c.heldUntil = map[string]time.Time{}
		}
		c.heldUntil[part.name] = budget.ResetAt
		c.mu.Unlock()
		log.Warn("Catalog part stopped by the daily call budget; stored rows are kept",
			"endpoint", budget.Endpoint, "limit", budget.Limit, "reset_at", budget.ResetAt)
		return result
	}
	log.Error("Catalog part failed; the next run retries it", "error", result.Err)
	return result
}

func (c *CatalogSync) syncCategories(ctx context.Context, _ time.Time, _ bool) PartResult {
	fetched, err := c.Client.Categories(ctx)
	if err != nil {
		return PartResult{Err: fmt.Errorf("sync categories: %w", err)}
	}
	rows := make([]models.Category, len(fetched))
	for i, category := range fetched {
		rows[i] = models.Category{Name: category.Name, TotalOperators: category.TotalOperators}
	}
	if err := c.Store.UpsertCategories(ctx, rows); err != nil {
		return PartResult{Err: fmt.Errorf("sync categories: %w", err)}
	}
	return PartResult{Stored: len(rows)}
}

// syncOperators stores the complete list of service. A list that failed on any page is not
// stored at all, because a partial list would deactivate the operators of the missing pages.
func (c *CatalogSync) syncOperators(ctx context.Context, service string) PartResult {
	fetched, err := c.Client.Operators(ctx, service)
	if err != nil {
		return PartResult{Err: fmt.Errorf("sync operators of %s: %w", service, err)}
	}
	if len(fetched) == 0 {
		// An empty list would deactivate every operator of the service; an outage at KwikAPI
		// is likelier than a service without operators.
		return PartResult{Err: fmt.Errorf("sync operators of %s: KwikAPI returned an empty list; stored operators are kept", service)}
	}

	rows := make([]models.Operator, len(fetched))
	for i, op := range fetched {
		rows[i] = models.Operator{
			ID: op.ID, Name: op.Name, Active: op.Active, MinPaise: op.MinPaise, MaxPaise: op.MaxPaise,
			BillFetch: op.BillFetch, SupportValidation: op.SupportValidation, BBPS: op.BBPS,
			Message: op.Message, Description: op.Description,
		}
	}
	result, err := c.Store.SyncOperatorList(ctx, service, rows)
	if err != nil {
		return PartResult{Err: err}
	}
	return PartResult{Stored: result.Saved, Deactivated: result.Deactivated}
}

// maxDetailsPerPass bounds the operators one details pass asks about; the next pass takes
// the rest.
const maxDetailsPerPass = 2000

// syncDetails fetches, DetailBatch ids per call, the details of the active operators whose
// details are DetailsEvery old, or, when force is set, were fetched before this pass. It stops
// at the first failed call and keeps the batches already stored. An operator KwikAPI leaves
// out of a reply keeps its old details and is asked for again by the next pass.
func (c *CatalogSync) syncDetails(ctx context.Context, started time.Time, force bool) PartResult {
	staleAt := started.Add(-orDefault(c.DetailsEvery, DefaultDetailsEvery))
	if force {
		staleAt = started
	}
	ops, err := c.Store.OperatorsNeedingDetails(ctx, c.services(), staleAt, maxDetailsPerPass)
	if err != nil {
		return PartResult{Err: fmt.Errorf("sync operator details: %w", err)}
	}

	batch := orDefault(c.DetailBatch, DefaultDetailBatch)
	var result PartResult
	for start := 0; start < len(ops); start += batch {
		ids := operatorIDs(ops[start:min(start+batch, len(ops))])
		stored, err := c.fetchDetails(ctx, ids)
		result.Stored += stored
		if err != nil {
			result.Err = err
			return result
		}
	}
	return result
}

// fetchDetails makes one details call for ids and stores the reply.
func (c *CatalogSync) fetchDetails(ctx context.Context, ids []string) (int, error) {
	fetched, err := c.Client.OperatorDetails(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("sync operator details of %v: %w", ids, err)
	}
	if len(fetched) < len(ids) {
		c.logger().Warn("KwikAPI left operators out of a details reply", "asked", len(ids), "returned", len(fetched), "opids", ids)
	}

	details := make([]models.OperatorDetails, len(fetched))
	for i, d := range fetched {
		details[i] = models.OperatorDetails{
			ID: d.ID, Active: d.Active, MinPaise: d.MinPaise, MaxPaise: d.MaxPaise, BillFetch: d.BillFetch,
			SupportValidation: d.SupportValidation, BBPS: d.BBPS, Params: d.Params, Message: d.Message,
		}
	}
	stored, err := c.Store.ApplyOperatorDetails(ctx, details)
	if err != nil {
		return 0, fmt.Errorf("sync operator details of %v: %w", ids, err)
	}
	return stored, nil
}

func (c *CatalogSync) syncCircles(ctx context.Context, _ time.Time, _ bool) PartResult {
	fetched, err := c.Client.Circles(ctx)
	if err != nil {
		return PartResult{Err: fmt.Errorf("sync circles: %w", err)}
	}
	rows := make([]models.Circle, len(fetched))
	for i, circle := range fetched {
		rows[i] = models.Circle{Code: circle.Code, Name: circle.Name, Short: circle.Short}
	}
	if err := c.Store.UpsertCircles(ctx, rows); err != nil {
		return PartResult{Err: fmt.Errorf("sync circles: %w", err)}
	}
	return PartResult{Stored: len(rows)}
}

// lastSuccesses returns the last success time of every part that has one.
func (c *CatalogSync) lastSuccesses(ctx context.Context) (map[string]time.Time, error) {
	states, err := c.Store.SyncStates(ctx)
	if err != nil {
		return nil, err
	}
	last := make(map[string]time.Time, len(states))
	for _, state := range states {
		if state.LastSuccessAt != nil {
			last[state.Part] = *state.LastSuccessAt
		}
	}
	return last, nil
}

// withoutBudgetStops returns the report's error unless every failed part was stopped by a
// daily budget, which runPart has logged and which clears by itself at the reset.
func withoutBudgetStops(report SyncReport) error {
	for _, p := range report.Parts {
		if p.Err != nil && !errors.Is(p.Err, models.ErrBudgetExhausted) {
			return report.Err()
		}
	}
	return nil
}

func countFailed(report SyncReport) int {
	n := 0
	for _, p := range report.Parts {
		if p.Err != nil {
			n++
		}
	}
	return n
}

func operatorIDs(ops []models.Operator) []string {
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = op.ID
	}
	return ids
}

func (c *CatalogSync) services() []string {
	if len(c.Services) == 0 {
		return []string{models.ServicePrepaid, models.ServiceDTH}
	}
	return c.Services
}

func (c *CatalogSync) now() time.Time {
	if c.Now == nil {
		return time.Now().UTC()
	}
	return c.Now().UTC()
}

func (c *CatalogSync) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
