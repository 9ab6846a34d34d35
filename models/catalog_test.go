package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

var catalogEpoch = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

func prepaidList() []models.Operator {
	return []models.Operator{
		{ID: "1", Name: "Airtel", Active: true, MinPaise: 1000, MaxPaise: 1000000, SupportValidation: "NOT_SUPPORTED"},
		{ID: "3", Name: "Idea", Active: true, MinPaise: 1000, MaxPaise: 500000},
		{ID: "8", Name: "Reliance Jio", Active: true, MinPaise: 1500, MaxPaise: 1000000},
		{ID: "21", Name: "Vi", Active: true, MinPaise: 1000, MaxPaise: 1000000, BBPS: true},
	}
}

func operatorIDs(ops []models.Operator) []string {
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = op.ID
	}
	return ids
}

func TestSyncOperatorListFirstAndSecond(t *testing.T) {
	var now time.Time
	modelstest.Each(t, func() time.Time { return now }, func(t *testing.T, s *models.Store) {
		now = catalogEpoch
		ctx := context.Background()

		first, err := s.SyncOperatorList(ctx, models.ServicePrepaid, prepaidList())
		if err != nil {
			t.Fatalf("first sync: %v", err)
		}
		if first != (models.OperatorListResult{Saved: 4}) {
			t.Errorf("first sync result = %+v, want 4 saved, 0 deactivated", first)
		}

		now = now.Add(7 * 24 * time.Hour)
		second := prepaidList()[:3] // Vi is missing from the fresh list.
		second[0].MinPaise = 1900   // Airtel raised its minimum.
		second[1].Active = false    // Idea is reported inactive.
		got, err := s.SyncOperatorList(ctx, models.ServicePrepaid, second)
		if err != nil {
			t.Fatalf("second sync: %v", err)
		}
		if got != (models.OperatorListResult{Saved: 3, Deactivated: 1}) {
			t.Errorf("second sync result = %+v, want 3 saved, 1 deactivated", got)
		}

		active, err := s.Operators(ctx, models.ServicePrepaid, true)
		if err != nil {
			t.Fatalf("Operators: %v", err)
		}
		if diff := cmp.Diff([]string{"1", "8"}, operatorIDs(active)); diff != "" {
			t.Errorf("active operators (-want +got):\n%s", diff)
		}
		all, err := s.Operators(ctx, models.ServicePrepaid, false)
		if err != nil {
			t.Fatalf("Operators: %v", err)
		}
		if len(all) != 4 {
			t.Errorf("got %d operators in all, want 4: inactive ones are kept", len(all))
		}

		airtel, err := s.Operator(ctx, "1")
		if err != nil {
			t.Fatalf("Operator(1): %v", err)
		}
		if airtel.MinPaise != 1900 {
			t.Errorf("Airtel MinPaise = %d, want 1900", airtel.MinPaise)
		}
		if !airtel.SeenAt.Equal(now) {
			t.Errorf("Airtel SeenAt = %v, want %v", airtel.SeenAt, now)
		}

		vi, err := s.Operator(ctx, "21")
		if err != nil {
			t.Fatalf("Operator(21): %v", err)
		}
		if vi.Active {
			t.Error("Vi is active after it went missing from the list")
		}
		if !vi.SeenAt.Equal(catalogEpoch) {
			t.Errorf("Vi SeenAt = %v, want the first sync %v", vi.SeenAt, catalogEpoch)
		}
	})
}

func TestSyncOperatorListScopedToService(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		dth := []models.Operator{{ID: "23", Name: "Airtel DTH", Active: true}, {ID: "25", Name: "Dish TV", Active: true}}
		if _, err := s.SyncOperatorList(ctx, models.ServiceDTH, dth); err != nil {
			t.Fatalf("sync DTH: %v", err)
		}

		got, err := s.SyncOperatorList(ctx, models.ServicePrepaid, prepaidList())
		if err != nil {
			t.Fatalf("sync Prepaid: %v", err)
		}
		if got.Deactivated != 0 {
			t.Errorf("Prepaid sync deactivated %d operators, want 0", got.Deactivated)
		}
		active, err := s.Operators(ctx, models.ServiceDTH, true)
		if err != nil {
			t.Fatalf("Operators: %v", err)
		}
		if diff := cmp.Diff([]string{"23", "25"}, operatorIDs(active)); diff != "" {
			t.Errorf("active DTH operators (-want +got):\n%s", diff)
		}
	})
}

func TestSyncOperatorListEmptyDeactivatesAll(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.SyncOperatorList(ctx, models.ServicePrepaid, prepaidList()); err != nil {
			t.Fatalf("first sync: %v", err)
		}
		got, err := s.SyncOperatorList(ctx, models.ServicePrepaid, nil)
		if err != nil {
			t.Fatalf("empty sync: %v", err)
		}
		if got.Deactivated != 4 {
			t.Errorf("Deactivated = %d, want 4", got.Deactivated)
		}
	})
}

func TestOperatorNotFound(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		_, err := s.Operator(context.Background(), "999")
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("Operator(999) error = %v, want ErrNotFound", err)
		}
	})
}

func TestApplyOperatorDetails(t *testing.T) {
	var now time.Time
	modelstest.Each(t, func() time.Time { return now }, func(t *testing.T, s *models.Store) {
		now = catalogEpoch
		ctx := context.Background()
		if _, err := s.SyncOperatorList(ctx, models.ServicePrepaid, prepaidList()); err != nil {
			t.Fatalf("sync: %v", err)
		}

		n, err := s.ApplyOperatorDetails(ctx, []models.OperatorDetails{
			{ID: "1", Active: true, MinPaise: 1000, MaxPaise: 2500000, BillFetch: true,
				SupportValidation: "OPTIONAL", Params: []string{"Mobile Number"}, Message: "pass number"},
			{ID: "3", Active: false},
			{ID: "404", Active: true},
		})
		if err != nil {
			t.Fatalf("ApplyOperatorDetails: %v", err)
		}
		if n != 2 {
			t.Errorf("updated %d operators, want 2 (404 is not stored)", n)
		}

		airtel, err := s.Operator(ctx, "1")
		if err != nil {
			t.Fatalf("Operator(1): %v", err)
		}
		want := models.Operator{
			ID: "1", Name: "Airtel", Service: models.ServicePrepaid, Active: true, MinPaise: 1000,
			MaxPaise: 2500000, BillFetch: true, SupportValidation: "OPTIONAL",
			Params: `["Mobile Number"]`, Message: "pass number",
		}
		opts := cmp.Options{cmp.FilterPath(func(p cmp.Path) bool {
			name := p.Last().String()
			return name == ".SeenAt" || name == ".UpdatedAt" || name == ".DetailsAt"
		}, cmp.Ignore())}
		if diff := cmp.Diff(want, airtel, opts); diff != "" {
			t.Errorf("Airtel after details (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"Mobile Number"}, airtel.ParamLabels()); diff != "" {
			t.Errorf("ParamLabels (-want +got):\n%s", diff)
		}
		if airtel.DetailsAt == nil || !airtel.DetailsAt.Equal(now) {
			t.Errorf("DetailsAt = %v, want %v", airtel.DetailsAt, now)
		}

		idea, err := s.Operator(ctx, "3")
		if err != nil {
			t.Fatalf("Operator(3): %v", err)
		}
		if idea.Active {
			t.Error("Idea is active after its details reported it inactive")
		}

		// A later list sync keeps the parameters found by the details call.
		now = now.Add(time.Hour)
		if _, err := s.SyncOperatorList(ctx, models.ServicePrepaid, prepaidList()); err != nil {
			t.Fatalf("resync: %v", err)
		}
		airtel, err = s.Operator(ctx, "1")
		if err != nil {
			t.Fatalf("Operator(1): %v", err)
		}
		if diff := cmp.Diff([]string{"Mobile Number"}, airtel.ParamLabels()); diff != "" {
			t.Errorf("ParamLabels after list resync (-want +got):\n%s", diff)
		}
	})
}

func TestOperatorsNeedingDetails(t *testing.T) {
	var now time.Time
	modelstest.Each(t, func() time.Time { return now }, func(t *testing.T, s *models.Store) {
		now = catalogEpoch
		ctx := context.Background()
		if _, err := s.SyncOperatorList(ctx, models.ServicePrepaid, prepaidList()); err != nil {
			t.Fatalf("sync: %v", err)
		}
		if _, err := s.ApplyOperatorDetails(ctx, []models.OperatorDetails{{ID: "1", Active: true}, {ID: "3", Active: false}}); err != nil {
			t.Fatalf("details at epoch: %v", err)
		}
		now = now.Add(8 * 24 * time.Hour)
		if _, err := s.ApplyOperatorDetails(ctx, []models.OperatorDetails{{ID: "8", Active: true}}); err != nil {
			t.Fatalf("details a week later: %v", err)
		}

		cases := map[string]struct {
			staleAt time.Time
			limit   int
			want    []string
		}{
			"never fetched first": {now.Add(-7 * 24 * time.Hour), 10, []string{"21", "1"}},
			"limit":               {now.Add(-7 * 24 * time.Hour), 1, []string{"21"}},
			"fetched at staleAt":  {now, 10, []string{"21", "1", "8"}},
			"none fetched before": {catalogEpoch.Add(-time.Second), 10, []string{"21"}},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				got, err := s.OperatorsNeedingDetails(ctx, []string{models.ServicePrepaid}, tc.staleAt, tc.limit)
				if err != nil {
					t.Fatalf("OperatorsNeedingDetails: %v", err)
				}
				if diff := cmp.Diff(tc.want, operatorIDs(got)); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestCirclesAndCategories(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := s.UpsertCircles(ctx, []models.Circle{{Code: "1", Name: "Delhi", Short: "DL"}, {Code: "4", Name: "Mumbai", Short: "MB"}}); err != nil {
			t.Fatalf("UpsertCircles: %v", err)
		}
		if err := s.UpsertCircles(ctx, []models.Circle{{Code: "4", Name: "Maharashtra", Short: "MH"}}); err != nil {
			t.Fatalf("UpsertCircles again: %v", err)
		}
		circles, err := s.Circles(ctx)
		if err != nil {
			t.Fatalf("Circles: %v", err)
		}
		var names []string
		for _, c := range circles {
			names = append(names, c.Code+" "+c.Name+" "+c.Short)
		}
		if diff := cmp.Diff([]string{"1 Delhi DL", "4 Maharashtra MH"}, names); diff != "" {
			t.Errorf("circles (-want +got):\n%s", diff)
		}
		if _, err := s.Circle(ctx, "99"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("Circle(99) error = %v, want ErrNotFound", err)
		}
		mh, err := s.Circle(ctx, "4")
		if err != nil || mh.Short != "MH" {
			t.Errorf("Circle(4) = %+v, %v; want Maharashtra (MH)", mh, err)
		}

		if err := s.UpsertCategories(ctx, []models.Category{{Name: "Prepaid", TotalOperators: 32}, {Name: "DTH", TotalOperators: 17}}); err != nil {
			t.Fatalf("UpsertCategories: %v", err)
		}
		if err := s.UpsertCategories(ctx, []models.Category{{Name: "DTH", TotalOperators: 18}}); err != nil {
			t.Fatalf("UpsertCategories again: %v", err)
		}
		categories, err := s.Categories(ctx)
		if err != nil {
			t.Fatalf("Categories: %v", err)
		}
		if len(categories) != 2 || categories[0].Name != "DTH" || categories[0].TotalOperators != 18 {
			t.Errorf("categories = %+v, want DTH with 18 operators first, then Prepaid", categories)
		}
	})
}

func TestSyncStateRecords(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.SyncState(ctx, "circles"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("SyncState before any run: error = %v, want ErrNotFound", err)
		}

		ok := catalogEpoch
		if err := s.RecordSyncSuccess(ctx, "circles", ok, 41); err != nil {
			t.Fatalf("RecordSyncSuccess: %v", err)
		}
		failed := ok.Add(time.Hour)
		if err := s.RecordSyncFailure(ctx, "circles", failed, "rate limited"); err != nil {
			t.Fatalf("RecordSyncFailure: %v", err)
		}

		state, err := s.SyncState(ctx, "circles")
		if err != nil {
			t.Fatalf("SyncState: %v", err)
		}
		if state.LastSuccessAt == nil || !state.LastSuccessAt.Equal(ok) {
			t.Errorf("LastSuccessAt = %v, want %v kept after a failure", state.LastSuccessAt, ok)
		}
		if state.LastAttemptAt == nil || !state.LastAttemptAt.Equal(failed) {
			t.Errorf("LastAttemptAt = %v, want %v", state.LastAttemptAt, failed)
		}
		if state.LastError != "rate limited" || state.Items != 41 {
			t.Errorf("LastError, Items = %q, %d; want rate limited, 41", state.LastError, state.Items)
		}

		if err := s.RecordSyncFailure(ctx, "categories", failed, "timeout"); err != nil {
			t.Fatalf("RecordSyncFailure of a new part: %v", err)
		}
		states, err := s.SyncStates(ctx)
		if err != nil {
			t.Fatalf("SyncStates: %v", err)
		}
		if len(states) != 2 || states[0].Part != "categories" || states[0].LastSuccessAt != nil {
			t.Errorf("states = %+v, want categories (never succeeded) then circles", states)
		}
	})
}
