package models_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// benchBillers is the size of KwikAPI's full BBPS biller list.
const benchBillers = 25000

func benchOperators(n int, minPaise int64) []models.Operator {
	ops := make([]models.Operator, n)
	for i := range ops {
		ops[i] = models.Operator{
			ID: strconv.Itoa(1000 + i), Name: "Biller " + strconv.Itoa(i), Active: i%50 != 0,
			MinPaise: minPaise, MaxPaise: 4999900, BillFetch: i%2 == 0, SupportValidation: "MANDATORY",
			BBPS: true, Message: "pass Consumer Number in 'account'",
		}
	}
	return ops
}

// saveOneByOne stores ops the way a sync without batching would: one Save, and so one
// statement and one commit, per operator.
func saveOneByOne(b *testing.B, s *models.Store, service string, ops []models.Operator) {
	db := s.DB(context.Background())
	for _, op := range ops {
		op.Service = service
		op.SeenAt = s.Now()
		op.UpdatedAt = op.SeenAt
		op.Params = "[]"
		if err := db.Save(&op).Error; err != nil {
			b.Fatalf("save operator %s: %v", op.ID, err)
		}
	}
}

// BenchmarkCatalogSync stores a list of 25,000 billers, first into an empty table (insert)
// and then over the stored rows with changed amounts (update), batched through
// SyncOperatorList and one row at a time. Run it with
//
//	go test ./models -run '^$' -bench CatalogSync -benchtime 3x
//
// and TEST_DATABASE_URL set to include PostgreSQL.
func BenchmarkCatalogSync(b *testing.B) {
	ctx := context.Background()
	strategies := []struct {
		name  string
		store func(b *testing.B, s *models.Store, ops []models.Operator)
	}{
		{"batched", func(b *testing.B, s *models.Store, ops []models.Operator) {
			if _, err := s.SyncOperatorList(ctx, "Electricity", ops); err != nil {
				b.Fatalf("SyncOperatorList: %v", err)
			}
		}},
		{"one_by_one", func(b *testing.B, s *models.Store, ops []models.Operator) {
			saveOneByOne(b, s, "Electricity", ops)
		}},
	}

	for _, engine := range modelstest.Engines(b) {
		for _, strategy := range strategies {
			b.Run(engine.Name+"/"+strategy.name+"/insert", func(b *testing.B) {
				s := modelstest.Open(b, engine.NewDatabase(b))
				ops := benchOperators(benchBillers, 100)
				for b.Loop() {
					b.StopTimer()
					if err := s.DB(ctx).Exec("DELETE FROM operators").Error; err != nil {
						b.Fatalf("empty operators: %v", err)
					}
					b.StartTimer()
					strategy.store(b, s, ops)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchBillers), "µs/biller")
			})

			b.Run(engine.Name+"/"+strategy.name+"/update", func(b *testing.B) {
				s := modelstest.Open(b, engine.NewDatabase(b))
				lists := [][]models.Operator{benchOperators(benchBillers, 100), benchOperators(benchBillers, 200)}
				strategy.store(b, s, lists[0])
				i := 0
				for b.Loop() {
					i++
					strategy.store(b, s, lists[i%2])
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchBillers), "µs/biller")
			})
		}
	}
}
