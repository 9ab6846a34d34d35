package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
	"github.com/rechargebot/rechargebot/scheduler"
)

// catalogStart is 11:30 in India, far from the daily reset at India midnight.
var catalogStart = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

// catalogClock is a settable clock shared by the store, the simulator and the sync.
type catalogClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *catalogClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *catalogClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// catalogFixture is a store, a simulator with its client, and a catalog sync between them.
type catalogFixture struct {
	clock *catalogClock
	opts  models.Options
	store *models.Store
	sim   *kwiksim.Simulator
	url   string
	// budgets are the store's daily call limits, in force for every client of the fixture.
	budgets map[kwik.Endpoint]int
	sync    *scheduler.CatalogSync
	logs    *bytes.Buffer
}

// newCatalogFixture opens a store on a fresh database of engine and a simulator whose own
// daily limits are lifted unless simLimits sets them.
func newCatalogFixture(t *testing.T, engine modelstest.Engine, simLimits map[kwik.Endpoint]int) *catalogFixture {
	t.Helper()
	f := &catalogFixture{clock: &catalogClock{t: catalogStart}, logs: &bytes.Buffer{}, budgets: kwik.DailyLimits()}
	f.opts = engine.NewDatabase(t)
	f.opts.Now = f.clock.Now
	f.store = modelstest.Open(t, f.opts)

	limits := map[kwik.Endpoint]int{}
	for ep := range kwik.DailyLimits() {
		limits[ep] = 0
	}
	for ep, limit := range simLimits {
		limits[ep] = limit
	}
	f.sim = kwiksim.New(kwiksim.Options{Now: f.clock.Now, Limits: limits})
	srv := httptest.NewServer(f.sim.Handler())
	t.Cleanup(srv.Close)

	f.url = srv.URL
	f.sync = f.newSync(t, f.store)
	return f
}

// newSync returns a catalog sync of store against the simulator, logging into f.logs. Retries
// are off, so that each failed request fails its call.
func (f *catalogFixture) newSync(t *testing.T, store *models.Store) *scheduler.CatalogSync {
	t.Helper()
	spend := func(ctx context.Context, ep kwik.Endpoint) error {
		return store.SpendCall(ctx, string(ep), f.budgets[ep])
	}
	client, err := kwik.New(f.url, kwiksim.DefaultAPIKey, kwik.WithBeforeCall(spend), kwik.WithRetry(1, 0))
	if err != nil {
		t.Fatalf("kwik.New: %v", err)
	}
	return &scheduler.CatalogSync{
		Store: store, Client: client, Now: f.clock.Now,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: f.logs}, nil)),
	}
}

// lockedWriter serialises writes of concurrent syncs into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// calls returns the simulator's request count of every catalog endpoint.
func (f *catalogFixture) calls() map[kwik.Endpoint]int {
	return map[kwik.Endpoint]int{
		kwik.EndpointCategories:      f.sim.Calls(kwik.EndpointCategories),
		kwik.EndpointOperators:       f.sim.Calls(kwik.EndpointOperators),
		kwik.EndpointOperatorDetails: f.sim.Calls(kwik.EndpointOperatorDetails),
		kwik.EndpointCircles:         f.sim.Calls(kwik.EndpointCircles),
	}
}

// summary turns a report into "part stored/deactivated" lines, with "error" for a failed part.
func summary(report scheduler.SyncReport) []string {
	var lines []string
	for _, p := range report.Parts {
		line := fmt.Sprintf("%s %d/%d", p.Part, p.Stored, p.Deactivated)
		if p.Err != nil {
			line += " error"
		}
		lines = append(lines, line)
	}
	return lines
}

func activeIDs(t *testing.T, s *models.Store, service string) []string {
	t.Helper()
	ops, err := s.Operators(context.Background(), service, true)
	if err != nil {
		t.Fatalf("Operators(%s): %v", service, err)
	}
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = op.ID
	}
	return ids
}

// firstRunSummary is the report of a first sync from the default simulated catalog.
func firstRunSummary(f *catalogFixture) []string {
	return []string{
		"categories 5/0", "operators:Prepaid 7/0", "operators:DTH 6/0", "operator_details 11/0",
		fmt.Sprintf("circles %d/0", len(f.sim.Circles())),
	}
}

func TestCatalogSyncFirstRun(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			ctx := context.Background()

			report, err := f.sync.SyncDue(ctx)
			if err != nil {
				t.Fatalf("SyncDue: %v", err)
			}
			if diff := cmp.Diff(firstRunSummary(f), summary(report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			wantCalls := map[kwik.Endpoint]int{
				kwik.EndpointCategories: 1, kwik.EndpointOperators: 4, kwik.EndpointOperatorDetails: 1, kwik.EndpointCircles: 1,
			}
			if diff := cmp.Diff(wantCalls, f.calls()); diff != "" {
				t.Errorf("simulator calls (-want +got):\n%s", diff)
			}

			// MTNL Delhi (5, listed inactive) and MTNL Mumbai (6, biller off) are stored but not offered.
			if diff := cmp.Diff([]string{"1", "4", "3", "8", "21"}, activeIDs(t, f.store, models.ServicePrepaid)); diff != "" {
				t.Errorf("active Prepaid operators by name (-want +got):\n%s", diff)
			}
			if _, err := f.store.Operator(ctx, kwiksim.OpMTNLDelhi); err != nil {
				t.Errorf("inactive operator not stored: %v", err)
			}

			dish, err := f.store.Operator(ctx, kwiksim.OpDishTV)
			if err != nil {
				t.Fatalf("Operator(Dish TV): %v", err)
			}
			if dish.Service != models.ServiceDTH || dish.MinPaise != 10000 || dish.MaxPaise != 2000000 {
				t.Errorf("Dish TV = %s, %d–%d paise; want DTH, 10000–2000000", dish.Service, dish.MinPaise, dish.MaxPaise)
			}
			if diff := cmp.Diff([]string{"Registered Mobile Number or VC Number"}, dish.ParamLabels()); diff != "" {
				t.Errorf("Dish TV parameters (-want +got):\n%s", diff)
			}

			delhi, err := f.store.Circle(ctx, "1")
			if err != nil {
				t.Fatalf("Circle(1): %v", err)
			}
			if delhi.Short != "DL" || !strings.EqualFold(delhi.Name, "Delhi") {
				t.Errorf("circle 1 = %q (%q), want Delhi (DL)", delhi.Name, delhi.Short)
			}

			state, err := f.store.SyncState(ctx, scheduler.PartCircles)
			if err != nil {
				t.Fatalf("SyncState: %v", err)
			}
			if state.LastSuccessAt == nil || !state.LastSuccessAt.Equal(catalogStart) {
				t.Errorf("circles LastSuccessAt = %v, want %v", state.LastSuccessAt, catalogStart)
			}

			synced, err := f.sync.SyncedAt(ctx)
			if err != nil || !synced.Equal(catalogStart) {
				t.Errorf("SyncedAt = %v, %v; want %v", synced, err, catalogStart)
			}

			// Nothing is stale a minute later, so a second pass calls nothing.
			f.clock.Advance(time.Minute)
			again, err := f.sync.SyncDue(ctx)
			if err != nil {
				t.Fatalf("second SyncDue: %v", err)
			}
			if len(again.Parts) != 0 {
				t.Errorf("second pass synced %v, want nothing", summary(again))
			}
			if diff := cmp.Diff(wantCalls, f.calls()); diff != "" {
				t.Errorf("simulator calls after the second pass (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCatalogSyncWeekLaterChanges(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			ctx := context.Background()
			if _, err := f.sync.SyncDue(ctx); err != nil {
				t.Fatalf("first SyncDue: %v", err)
			}

			airtel, _ := f.sim.Operator(kwiksim.OpAirtel)
			airtel.MinPaise = 1900
			f.sim.SetOperator(airtel)
			idea, _ := f.sim.Operator(kwiksim.OpIdea)
			idea.Inactive = true
			f.sim.SetOperator(idea)
			f.sim.RemoveOperator("4") // BSNL TopUp leaves the list.

			f.clock.Advance(7 * 24 * time.Hour)
			report, err := f.sync.SyncDue(ctx)
			if err != nil {
				t.Fatalf("SyncDue a week later: %v", err)
			}
			// Circles are monthly; 9 active Prepaid and DTH operators get fresh details.
			want := []string{"categories 5/0", "operators:Prepaid 6/1", "operators:DTH 6/0", "operator_details 9/0"}
			if diff := cmp.Diff(want, summary(report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}

			if diff := cmp.Diff([]string{"1", "8", "21"}, activeIDs(t, f.store, models.ServicePrepaid)); diff != "" {
				t.Errorf("active Prepaid operators (-want +got):\n%s", diff)
			}
			stored, err := f.store.Operator(ctx, kwiksim.OpAirtel)
			if err != nil {
				t.Fatalf("Operator(Airtel): %v", err)
			}
			if stored.MinPaise != 1900 {
				t.Errorf("Airtel MinPaise = %d, want 1900", stored.MinPaise)
			}
			bsnl, err := f.store.Operator(ctx, "4")
			if err != nil {
				t.Fatalf("Operator(4) after it left the list: %v", err)
			}
			if bsnl.Active {
				t.Error("BSNL TopUp is still active after it left the list")
			}
		})
	}
}

func TestCatalogSyncStopsAtBudget(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			f.budgets[kwik.EndpointOperatorDetails] = 2
			f.sync = f.newSync(t, f.store)
			f.sync.DetailBatch = 4 // 11 operators need 3 calls
			ctx := context.Background()

			report, err := f.sync.SyncDue(ctx)
			if !errors.Is(err, models.ErrBudgetExhausted) {
				t.Fatalf("SyncDue error = %v, want ErrBudgetExhausted", err)
			}
			want := firstRunSummary(f)
			want[3] = "operator_details 8/0 error"
			if diff := cmp.Diff(want, summary(report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if got := f.sim.Calls(kwik.EndpointOperatorDetails); got != 2 {
				t.Errorf("details calls = %d, want 2", got)
			}
			// 06:00 UTC is 11:30 in India; the budget resets at India midnight, 18:30 UTC.
			for _, field := range []string{"endpoint=operator_details", "limit=2", "reset_at=2026-03-02T18:30:00.000Z"} {
				if !strings.Contains(f.logs.String(), field) {
					t.Errorf("log lacks %s:\n%s", field, f.logs)
				}
			}
			state, err := f.store.SyncState(ctx, scheduler.PartOperatorDetails)
			if err != nil {
				t.Fatalf("SyncState: %v", err)
			}
			if state.LastSuccessAt != nil || !strings.Contains(state.LastError, "operator_details") {
				t.Errorf("details state = success %v, error %q; want no success and the budget error", state.LastSuccessAt, state.LastError)
			}

			// Before the reset, scheduled passes leave the stopped part alone.
			f.clock.Advance(time.Hour)
			held, err := f.sync.SyncDue(ctx)
			if err != nil || len(held.Parts) != 0 {
				t.Errorf("pass before the reset = %v, %v; want nothing synced", summary(held), err)
			}

			f.clock.Advance(12 * time.Hour) // 19:00 UTC, 00:30 in India
			resumed, err := f.sync.SyncDue(ctx)
			if err != nil {
				t.Fatalf("SyncDue after the reset: %v", err)
			}
			if diff := cmp.Diff([]string{"operator_details 3/0"}, summary(resumed)); diff != "" {
				t.Errorf("report after the reset (-want +got):\n%s", diff)
			}
			if got := f.sim.Calls(kwik.EndpointOperatorDetails); got != 3 {
				t.Errorf("details calls = %d, want 3", got)
			}
		})
	}
}

func TestCatalogSyncRateLimitedList(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			// Prepaid takes two pages and DTH two more, so KwikAPI rejects DTH's second page.
			f := newCatalogFixture(t, engine, map[kwik.Endpoint]int{kwik.EndpointOperators: 3})
			ctx := context.Background()

			report, err := f.sync.SyncDue(ctx)
			if !errors.Is(err, kwik.ErrRateLimited) {
				t.Fatalf("SyncDue error = %v, want kwik.ErrRateLimited", err)
			}
			want := []string{"categories 5/0", "operators:Prepaid 7/0", "operators:DTH 0/0 error", "operator_details 5/0",
				fmt.Sprintf("circles %d/0", len(f.sim.Circles()))}
			if diff := cmp.Diff(want, summary(report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if ids := activeIDs(t, f.store, models.ServiceDTH); len(ids) != 0 {
				t.Errorf("DTH operators %v stored from a list cut short", ids)
			}
			if !strings.Contains(f.logs.String(), "part=operators:DTH") {
				t.Errorf("log lacks the failed part:\n%s", f.logs)
			}

			// The simulator's limits reset at India midnight; the next pass retries DTH only.
			f.clock.Advance(24 * time.Hour)
			retried, err := f.sync.SyncDue(ctx)
			if err != nil {
				t.Fatalf("SyncDue the next day: %v", err)
			}
			if diff := cmp.Diff([]string{"operators:DTH 6/0", "operator_details 6/0"}, summary(retried)); diff != "" {
				t.Errorf("report the next day (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCatalogSyncRetriesFailedPart(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			f.sim.FailNext(kwik.EndpointCircles, 1, kwiksim.ServerError)
			ctx := context.Background()

			report, err := f.sync.SyncDue(ctx)
			if err == nil {
				t.Fatal("SyncDue succeeded although circle_codes answered HTTP 500")
			}
			want := firstRunSummary(f)
			want[4] = "circles 0/0 error"
			if synced, err := f.sync.SyncedAt(ctx); err != nil || !synced.IsZero() {
				t.Errorf("SyncedAt with circles never synced = %v, %v; want zero", synced, err)
			}
			if diff := cmp.Diff(want, summary(report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}

			f.clock.Advance(time.Hour)
			retried, err := f.sync.SyncDue(ctx)
			if err != nil {
				t.Fatalf("SyncDue an hour later: %v", err)
			}
			if diff := cmp.Diff(firstRunSummary(f)[4:], summary(retried)); diff != "" {
				t.Errorf("report an hour later (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCatalogSyncRestartKeepsBudget(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			ctx := context.Background()
			if _, err := f.sync.SyncDue(ctx); err != nil {
				t.Fatalf("SyncDue: %v", err)
			}
			f.store.Close()
			before := f.calls()

			// A restarted process finds the catalog fresh and calls nothing.
			restarted := f.newSync(t, modelstest.Open(t, f.opts))
			report, err := restarted.SyncDue(ctx)
			if err != nil || len(report.Parts) != 0 {
				t.Errorf("SyncDue after restart = %v, %v; want nothing synced", summary(report), err)
			}
			if diff := cmp.Diff(before, f.calls()); diff != "" {
				t.Errorf("simulator calls after restart (-before +after):\n%s", diff)
			}

			// A forced sync spends the second of the two daily circle calls.
			if _, err := restarted.Sync(ctx); err != nil {
				t.Fatalf("Sync after restart: %v", err)
			}
			restarted.Store.Close()

			// After one more restart the circle budget is still spent.
			again := f.newSync(t, modelstest.Open(t, f.opts))
			report, err = again.Sync(ctx)
			if !errors.Is(err, models.ErrBudgetExhausted) {
				t.Errorf("third sync error = %v, want ErrBudgetExhausted", err)
			}
			if got := f.sim.Calls(kwik.EndpointCircles); got != 2 {
				t.Errorf("circle calls = %d, want 2, the daily budget", got)
			}
			if last := summary(report)[len(report.Parts)-1]; last != "circles 0/0 error" {
				t.Errorf("circles part = %q, want a budget error", last)
			}
		})
	}
}

func TestCatalogSyncConcurrentOnce(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			syncs := []*scheduler.CatalogSync{f.sync, f.newSync(t, modelstest.Open(t, f.opts)), f.newSync(t, modelstest.Open(t, f.opts))}

			var wg sync.WaitGroup
			reports := make([]scheduler.SyncReport, len(syncs))
			for i, s := range syncs {
				wg.Go(func() {
					var err error
					reports[i], err = s.SyncDue(context.Background())
					if err != nil {
						t.Errorf("SyncDue %d: %v", i, err)
					}
				})
			}
			wg.Wait()

			want := map[kwik.Endpoint]int{
				kwik.EndpointCategories: 1, kwik.EndpointOperators: 4, kwik.EndpointOperatorDetails: 1, kwik.EndpointCircles: 1,
			}
			if diff := cmp.Diff(want, f.calls()); diff != "" {
				t.Errorf("simulator calls (-want +got):\n%s", diff)
			}
			worked := 0
			for _, r := range reports {
				if len(r.Parts) > 0 {
					worked++
				}
			}
			if worked != 1 {
				t.Errorf("%d passes synced parts, want 1", worked)
			}
		})
	}
}

func TestCatalogSyncOnDemandWhileHeld(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			other := modelstest.Open(t, f.opts)
			release, ok, err := other.TryLeader(context.Background(), "catalog-sync")
			if err != nil || !ok {
				t.Fatalf("TryLeader = %v, %v; want the leadership", ok, err)
			}
			defer release()

			if _, err := f.sync.Sync(context.Background()); !errors.Is(err, scheduler.ErrSyncInProgress) {
				t.Errorf("Sync error = %v, want ErrSyncInProgress", err)
			}
			report, err := f.sync.SyncDue(context.Background())
			if err != nil || !report.Skipped {
				t.Errorf("SyncDue = skipped %v, %v; want skipped without error", report.Skipped, err)
			}
			if got := f.sim.Calls(kwik.EndpointCategories); got != 0 {
				t.Errorf("categories calls = %d, want 0", got)
			}
		})
	}
}

func TestCatalogSyncRejectsEmptyList(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			f.sync.Services = []string{models.ServicePrepaid, "Broadband"}
			report, err := f.sync.SyncDue(context.Background())
			if err == nil || !strings.Contains(err.Error(), "empty list") {
				t.Errorf("SyncDue error = %v, want the empty Broadband list", err)
			}
			want := []string{"categories 5/0", "operators:Prepaid 7/0", "operators:Broadband 0/0 error", "operator_details 5/0",
				fmt.Sprintf("circles %d/0", len(f.sim.Circles()))}
			if diff := cmp.Diff(want, summary(report)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCatalogSyncJobIgnoresBudgetStops(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			f := newCatalogFixture(t, engine, nil)
			f.budgets[kwik.EndpointOperatorDetails] = 1
			f.sync = f.newSync(t, f.store)
			f.sync.DetailBatch = 4
			runner := &scheduler.Runner{Jobs: []scheduler.Job{f.sync.Job()}, Now: f.clock.Now}

			var failed []error
			runner.OnError = func(_ context.Context, job string, err error) { failed = append(failed, err) }
			if ran, err := runner.RunDue(context.Background()); ran != 1 || err != nil {
				t.Fatalf("RunDue = %d, %v; want the catalog job run", ran, err)
			}
			if len(failed) != 0 {
				t.Errorf("job failed on a budget stop: %v", failed)
			}
			if got := f.sim.Calls(kwik.EndpointCategories); got != 1 {
				t.Errorf("categories calls = %d, want 1", got)
			}

			f.sim.FailNext(kwik.EndpointCategories, 1, kwiksim.ServerError)
			f.clock.Advance(8 * 24 * time.Hour)
			runner.RunDue(context.Background())
			if len(failed) != 1 {
				t.Errorf("job reported %d errors after a failed endpoint, want 1", len(failed))
			}
		})
	}
}
