package conversation

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/models"
)

// bulkCounts sums up the lines of a bulk run. Sent lines count by their order's status:
// Success, Failed (failed or refunded) or Pending (not settled yet).
type bulkCounts struct {
	Valid    int
	Invalid  int
	Queued   int
	Released int
	Success  int
	Failed   int
	Pending  int

	SuccessPaise  int64
	FailedPaise   int64
	PendingPaise  int64
	ReleasedPaise int64
}

// Done returns how many lines have been sent.
func (c bulkCounts) Done() int { return c.Success + c.Failed + c.Pending }

// add counts one sent line whose order is in status.
func (c *bulkCounts) add(status models.OrderStatus, amountPaise int64) {
	switch status {
	case models.StatusSuccess:
		c.Success++
		c.SuccessPaise += amountPaise
	case models.StatusFailure, models.StatusRefunded:
		c.Failed++
		c.FailedPaise += amountPaise
	default:
		c.Pending++
		c.PendingPaise += amountPaise
	}
}

// countBulk sums up a run's report.
func countBulk(lines []models.BulkReportLine) bulkCounts {
	var c bulkCounts
	for _, line := range lines {
		switch line.Status {
		case models.BulkLineInvalid:
			c.Invalid++
			continue
		case models.BulkLineQueued:
			c.Queued++
		case models.BulkLineReleased:
			c.Released++
			c.ReleasedPaise += line.AmountPaise
		case models.BulkLineSent:
			c.add(line.OrderStatus, line.AmountPaise)
		}
		c.Valid++
	}
	return c
}

// bulkProgress tracks a running run's counts and paces the edits of its progress message:
// at most one every interval, measured from the last send or edit.
type bulkProgress struct {
	interval time.Duration
	now      func() time.Time

	mu       sync.Mutex
	counts   bulkCounts
	lastEdit time.Time
	// ref is the progress message; empty when there is none to edit.
	ref string
}

func newBulkProgress(counts bulkCounts, interval time.Duration, now func() time.Time) *bulkProgress {
	return &bulkProgress{counts: counts, interval: interval, now: now}
}

// shown records that the progress message ref was sent or edited now.
func (p *bulkProgress) shown(ref string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ref, p.lastEdit = ref, p.now()
}

// record counts one line sent with its order's status and returns the counts and the message
// to edit when an edit is due, or an empty ref.
func (p *bulkProgress) record(status models.OrderStatus, amountPaise int64) (bulkCounts, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts.Queued--
	p.counts.add(status, amountPaise)
	return p.counts, p.dueLocked()
}

// snapshot returns the counts so far.
func (p *bulkProgress) snapshot() bulkCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// final returns the message to edit with the final counts, or an empty ref when there is
// none. The last edit is never held back by the interval, so the message does not stay
// behind the run's result.
func (p *bulkProgress) final() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastEdit = p.now()
	return p.ref
}

// due returns the message to edit when an edit is due, or an empty ref.
func (p *bulkProgress) due() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dueLocked()
}

func (p *bulkProgress) dueLocked() string {
	now := p.now()
	if p.ref == "" || now.Sub(p.lastEdit) < p.interval {
		return ""
	}
	p.lastEdit = now
	return p.ref
}

// progressBarWidth is the number of cells of the text progress bar.
const progressBarWidth = 20

// progressBar draws done out of total as "▓▓▓▓░░░░░░ 40%".
func progressBar(done, total int) string {
	if total <= 0 {
		total, done = 1, 1
	}
	filled := min(done*progressBarWidth/total, progressBarWidth)
	percent := done * 100 / total
	return strings.Repeat("▓", filled) + strings.Repeat("░", progressBarWidth-filled) + " " + strconv.Itoa(percent) + "%"
}
