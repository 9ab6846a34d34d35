package conversation

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rechargebot/rechargebot/models/modelstest"
)

// BenchmarkEngine measures messages per second through the engine on each database engine,
// against the simulator over loopback HTTP. One iteration is one recharge conversation of
// two messages: "number amount" (detect, confirmation) and Pay (order, recharge.php,
// outcome, outbox). "sequential" is one user after another; "parallel" runs GOMAXPROCS
// users at once.
func BenchmarkEngine(b *testing.B) {
	for _, engine := range modelstest.Engines(b) {
		b.Run(engine.Name+"/sequential", func(b *testing.B) {
			h := benchHarness(b, engine)
			h.fund(customerID, 1<<40)
			b.ResetTimer()
			for b.Loop() {
				if err := recharge(h, customerID, "9876543210"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})

		b.Run(engine.Name+"/parallel", func(b *testing.B) {
			h := benchHarness(b, engine)
			const users = 64 // goroutines beyond 64 share users, which only serialises them
			for i := range users {
				h.fund(fmt.Sprintf("%d", 50000+i), 1<<40)
			}
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				user := fmt.Sprintf("%d", 50000+(next.Add(1)-1)%users)
				for pb.Next() {
					if err := recharge(h, user, "9876543210"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func benchHarness(b *testing.B, engine modelstest.Engine) *harness {
	c := newClock()
	opts := engine.NewDatabase(b)
	opts.Now = c.Now
	return newHarness(b, modelstest.Open(b, opts), c, nil)
}
