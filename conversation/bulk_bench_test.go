package conversation

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// BenchmarkBulkRun times a confirmed 1,000-line bulk run with the default concurrency, from the
// confirmation until every line is recorded. The simulator replies to each call after
// simLatency. It reports the ideal time, lines × latency ÷ concurrency, beside it.
// The preview (parsing, validation, storing the lines) is not timed.
//
//	go test ./conversation -run '^$' -bench BulkRun -benchtime 3x
func BenchmarkBulkRun(b *testing.B) {
	const lines = 1000
	ideal := lines * simLatency / DefaultBulkConcurrency
	paste := make([]string, lines)
	for i := range paste {
		paste[i] = fmt.Sprintf("98%08d %d Airtel", 11_000_000+i, 10+i%90)
	}

	for _, engine := range modelstest.Engines(b) {
		b.Run(engine.Name, func(b *testing.B) {
			var took time.Duration
			for range b.N {
				b.StopTimer()
				h := bulkBenchHarness(b, engine)
				out := h.send(agentID, "/bulk\n"+strings.Join(paste, "\n"))
				confirm := optionData(b, out, "Confirm")

				b.StartTimer()
				start := time.Now()
				h.press(agentID, confirm)
				h.engine.WaitBulkRuns()
				took += time.Since(start)
				b.StopTimer()

				if run := h.latestRun(agentID); run.Status != models.BulkDone || run.ValidLines != lines {
					b.Fatalf("run = %+v, want %d lines done", run, lines)
				}
			}
			perRun := took / time.Duration(b.N)
			b.ReportMetric(perRun.Seconds(), "s/run")
			b.ReportMetric(ideal.Seconds(), "ideal-s/run")
			b.ReportMetric(float64(perRun)/float64(ideal), "x-ideal")
			b.ReportMetric(float64(lines)/perRun.Seconds(), "lines/s")
		})
	}
}

// bulkBenchHarness opens a fresh database on engine and a bulk harness on it, with a funded agent.
func bulkBenchHarness(b *testing.B, engine modelstest.Engine) *harness {
	opts := engine.NewDatabase(b)
	c := newClock()
	opts.Now = c.Now
	h := newBulkHarness(b, modelstest.Open(b, opts), c, simLatency, func(cfg *Config) { cfg.Sender = &recordingSender{} })
	h.fund(agentID, 10_000_000_00)
	if err := h.engine.ResumeBulkRuns(context.Background()); err != nil {
		b.Fatalf("ResumeBulkRuns: %v", err)
	}
	return h
}
