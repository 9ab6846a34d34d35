package models_test

import (
	"context"
	"sync"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// TestOpenConcurrentOnEmptyDatabase opens three stores at once on a fresh database, as
// instances deployed together would: each migrates at Open, and every Open must succeed.
func TestOpenConcurrentOnEmptyDatabase(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			for attempt := range 5 {
				opts := engine.NewDatabase(t)
				errs := make([]error, 3)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() {
						s, err := models.Open(context.Background(), opts)
						errs[i] = err
						if err == nil {
							s.Close()
						}
					})
				}
				wg.Wait()

				for i, err := range errs {
					if err != nil {
						t.Errorf("attempt %d, store %d: Open: %v", attempt, i, err)
					}
				}
			}
		})
	}
}
