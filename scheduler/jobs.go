// Package scheduler runs the service's background work: catalog sync, settling orders whose
// outcome is not known yet, outbox delivery, admin alerts and the daily reconciliation with
// KwikAPI. Periodic jobs run on one process at a time, the holder of a store leadership.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Leadership elects one process among several to run the periodic jobs. *models.Store
// implements it.
type Leadership interface {
	TryLeader(ctx context.Context, name string) (release func(), ok bool, err error)
}

// Job is one periodic task of a Runner.
type Job struct {
	Name string
	// Every is the time from the start of one run to the start of the next.
	Every time.Duration
	// RetryAfter, when positive and shorter than Every, is the wait after a failed run.
	RetryAfter time.Duration
	// Run does the work once. Its error is logged and passed to Runner.OnError.
	Run func(ctx context.Context) error
}

// Runner runs its jobs, one at a time, on the process that holds the leadership. Tests call
// RunDue with a frozen clock; services call Run.
type Runner struct {
	// Leader elects the process that runs the jobs. Nil runs them in this process always.
	Leader Leadership
	// Name is the leadership name. Empty means "scheduler".
	Name string
	Jobs []Job
	// Now is the clock. Nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// OnError, when set, receives the error of each failed run, for example to alert admins.
	OnError func(ctx context.Context, job string, err error)
	// Tick is how often Run looks for due jobs and retries the leadership. Zero means one second.
	Tick time.Duration
	// Renew is how long the leadership is kept before it is given up and taken again, so that
	// a lost database connection or an expired SQLite lease (models.LeaderLeaseTTL) is noticed.
	// Zero means DefaultLeaderRenew.
	Renew time.Duration

	mu        sync.Mutex
	next      map[string]time.Time
	release   func()
	leadSince time.Time
}

// DefaultLeaderRenew is the default of Runner.Renew, well within the SQLite lease of 15 minutes.
const DefaultLeaderRenew = 5 * time.Minute

// RunDue runs, in order, each job whose time has come, if this process holds or can take the
// leadership. Every job runs on the first call. It returns the number of jobs run. An error
// means the leadership could not be checked, never that a job failed.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	leader, err := r.lead(ctx)
	if err != nil || !leader {
		return 0, err
	}
	if r.next == nil {
		r.next = map[string]time.Time{}
	}

	ran := 0
	for _, job := range r.Jobs {
		if ctx.Err() != nil {
			break
		}
		if r.now().Before(r.next[job.Name]) {
			continue
		}
		err := r.runJob(ctx, job)
		r.next[job.Name] = r.now().Add(job.wait(err))
		ran++
	}
	return ran, nil
}

// Run calls RunDue every Tick until ctx ends, then gives up the leadership.
func (r *Runner) Run(ctx context.Context) error {
	tick := r.Tick
	if tick <= 0 {
		tick = time.Second
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	defer r.resign()

	r.logger().Info("Scheduler started", "jobs", len(r.Jobs))
	for {
		if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
			r.logger().Error("Scheduler leadership check failed", "error", err)
		}
		select {
		case <-ctx.Done():
			r.logger().Info("Scheduler stopped")
			return nil
		case <-ticker.C:
		}
	}
}

// lead reports whether this process holds the leadership, taking it when it is free. A
// leadership held for Renew is given up and taken again; another process may win it then.
func (r *Runner) lead(ctx context.Context) (bool, error) {
	if r.Leader == nil {
		return true, nil
	}
	if r.release != nil {
		if r.now().Sub(r.leadSince) < positiveOr(r.Renew, DefaultLeaderRenew) {
			return true, nil
		}
		r.release()
		r.release = nil
	}

	release, ok, err := r.Leader.TryLeader(ctx, r.leadershipName())
	if err != nil {
		return false, fmt.Errorf("take scheduler leadership: %w", err)
	}
	if !ok {
		if !r.leadSince.IsZero() {
			r.logger().Info("Scheduler leadership lost to another process", "name", r.leadershipName())
			r.leadSince = time.Time{}
		}
		return false, nil
	}
	if r.leadSince.IsZero() {
		r.logger().Info("Scheduler leadership taken", "name", r.leadershipName())
	}
	r.release, r.leadSince = release, r.now()
	return true, nil
}

func (r *Runner) resign() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.release != nil {
		r.release()
		r.release = nil
		r.leadSince = time.Time{}
	}
}

// runJob runs one job, turning a panic into an error so that one broken job cannot stop the
// others or the process.
func (r *Runner) runJob(ctx context.Context, job Job) (err error) {
	started := r.now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Name, p)
		}
		if err == nil {
			r.logger().Debug("Job finished", "job", job.Name, "took", r.now().Sub(started))
			return
		}
		r.logger().Error("Job failed", "job", job.Name, "error", err)
		if r.OnError != nil && ctx.Err() == nil {
			r.OnError(ctx, job.Name, err)
		}
	}()
	return job.Run(ctx)
}

// wait returns the time until the job's next run after a run that ended with err.
func (j Job) wait(err error) time.Duration {
	if err != nil && j.RetryAfter > 0 && j.RetryAfter < j.Every {
		return j.RetryAfter
	}
	return j.Every
}

func (r *Runner) leadershipName() string {
	if r.Name == "" {
		return "scheduler"
	}
	return r.Name
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}
