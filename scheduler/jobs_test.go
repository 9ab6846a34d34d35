package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// stubLeadership grants the leadership to the first caller only, as an advisory lock would.
type stubLeadership struct {
	held     bool
	released int
}

func (f *stubLeadership) TryLeader(ctx context.Context, name string) (func(), bool, error) {
	if f.held {
		return nil, false, nil
	}
	f.held = true
	return func() { f.held = false; f.released++ }, true, nil
}

var _ Leadership = (*stubLeadership)(nil)

// steppedClock is a clock that moves only when a test moves it.
type steppedClock struct{ t time.Time }

func (c *steppedClock) Now() time.Time          { return c.t }
func (c *steppedClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newSteppedClock() *steppedClock {
	return &steppedClock{t: time.Date(2026, 12, 4, 6, 30, 0, 0, time.UTC)}
}

func TestRunnerRunsDueJobsOnly(t *testing.T) {
	clock := newSteppedClock()
	var fast, slow int
	r := &Runner{Now: clock.Now, Jobs: []Job{
		{Name: "fast", Every: time.Minute, Run: func(context.Context) error { fast++; return nil }},
		{Name: "slow", Every: time.Hour, Run: func(context.Context) error { slow++; return nil }},
	}}
	ctx := context.Background()

	if n, err := r.RunDue(ctx); err != nil || n != 2 {
		t.Fatalf("first RunDue = %d, %v; want 2 jobs run", n, err)
	}
	clock.Advance(30 * time.Second)
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Errorf("RunDue after 30s ran %d jobs, want 0", n)
	}
	clock.Advance(30 * time.Second)
	if n, _ := r.RunDue(ctx); n != 1 {
		t.Errorf("RunDue after 1m ran %d jobs, want 1", n)
	}
	clock.Advance(time.Hour)
	r.RunDue(ctx)

	if fast != 3 {
		t.Errorf("fast job ran %d times, want 3", fast)
	}
	if slow != 2 {
		t.Errorf("slow job ran %d times, want 2", slow)
	}
}

func TestRunnerOnlyLeaderRuns(t *testing.T) {
	clock := newSteppedClock()
	leadership := &stubLeadership{}
	var runs int
	job := Job{Name: "count", Every: time.Minute, Run: func(context.Context) error { runs++; return nil }}
	first := &Runner{Leader: leadership, Now: clock.Now, Jobs: []Job{job}}
	second := &Runner{Leader: leadership, Now: clock.Now, Jobs: []Job{job}}
	ctx := context.Background()

	first.RunDue(ctx)
	if n, err := second.RunDue(ctx); err != nil || n != 0 {
		t.Errorf("second runner RunDue = %d, %v; want 0 jobs while the first leads", n, err)
	}
	if runs != 1 {
		t.Fatalf("job ran %d times, want 1", runs)
	}

	first.resign()
	if leadership.released != 1 {
		t.Fatalf("leadership released %d times, want 1", leadership.released)
	}
	if n, _ := second.RunDue(ctx); n != 1 {
		t.Errorf("second runner after the first resigned ran %d jobs, want 1", n)
	}
}

func TestRunnerRetriesFailedJobSooner(t *testing.T) {
	clock := newSteppedClock()
	var failures []string
	runs := 0
	r := &Runner{
		Now: clock.Now,
		Jobs: []Job{{Name: "flaky", Every: time.Hour, RetryAfter: 5 * time.Minute, Run: func(context.Context) error {
			runs++
			if runs == 1 {
				return errors.New("call transactions: timed out")
			}
			return nil
		}}},
		OnError: func(_ context.Context, job string, err error) { failures = append(failures, job+": "+err.Error()) },
	}
	ctx := context.Background()

	r.RunDue(ctx)
	clock.Advance(5 * time.Minute)
	r.RunDue(ctx)
	clock.Advance(5 * time.Minute)
	r.RunDue(ctx)

	if runs != 2 {
		t.Errorf("job ran %d times, want 2 (the first failure retried after 5m, then hourly)", runs)
	}
	if len(failures) != 1 || failures[0] != "flaky: call transactions: timed out" {
		t.Errorf("OnError calls = %q, want one for the failed run", failures)
	}
}

func TestRunnerSurvivesPanickingJob(t *testing.T) {
	clock := newSteppedClock()
	var failures []error
	after := 0
	r := &Runner{
		Now: clock.Now,
		Jobs: []Job{
			{Name: "broken", Every: time.Minute, Run: func(context.Context) error { panic("nil map") }},
			{Name: "after", Every: time.Minute, Run: func(context.Context) error { after++; return nil }},
		},
		OnError: func(_ context.Context, _ string, err error) { failures = append(failures, err) },
	}

	if n, err := r.RunDue(context.Background()); err != nil || n != 2 {
		t.Fatalf("RunDue = %d, %v; want both jobs run", n, err)
	}
	if after != 1 {
		t.Errorf("job after the panicking one ran %d times, want 1", after)
	}
	if len(failures) != 1 || !strings.Contains(failures[0].Error(), "panicked: nil map") {
		t.Errorf("OnError got %v, want the panic as an error", failures)
	}
}

func TestRunnerRenewsLeadership(t *testing.T) {
	clock := newSteppedClock()
	leadership := &stubLeadership{}
	r := &Runner{Leader: leadership, Now: clock.Now, Jobs: []Job{
		{Name: "noop", Every: time.Second, Run: func(context.Context) error { return nil }},
	}}
	ctx := context.Background()

	r.RunDue(ctx)
	clock.Advance(DefaultLeaderRenew - time.Second)
	r.RunDue(ctx)
	if leadership.released != 0 {
		t.Fatalf("leadership released %d times before Renew, want 0", leadership.released)
	}
	clock.Advance(time.Second)
	if n, _ := r.RunDue(ctx); n != 1 {
		t.Errorf("RunDue after renewing ran %d jobs, want 1", n)
	}
	if leadership.released != 1 || !leadership.held {
		t.Errorf("after Renew: released %d times, held %v; want given up once and taken again", leadership.released, leadership.held)
	}
}

func TestRunnerStoreLeadership(t *testing.T) {
	clock := newSteppedClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		var runs int
		job := Job{Name: "count", Every: time.Minute, Run: func(context.Context) error { runs++; return nil }}
		first := &Runner{Leader: s, Now: clock.Now, Jobs: []Job{job}}
		second := &Runner{Leader: s, Now: clock.Now, Jobs: []Job{job}}
		ctx := context.Background()

		if n, err := first.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("first runner RunDue = %d, %v; want 1 job run", n, err)
		}
		if n, err := second.RunDue(ctx); err != nil || n != 0 {
			t.Errorf("second runner RunDue = %d, %v; want 0 while the first leads", n, err)
		}
		first.resign()
		if n, err := second.RunDue(ctx); err != nil || n != 1 {
			t.Errorf("second runner after the first resigned = %d, %v; want 1 job run", n, err)
		}
		second.resign()
	})
}
