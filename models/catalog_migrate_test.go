package models_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// previousCatalogSchema creates the catalog and budget tables as an older release did:
// operators without params, description and details_at; sync_states with only the success
// time; api_call_counts without updated_at. Each holds one row. {time} and {bool} stand for
// the engine's column types.
var previousCatalogSchema = []string{
	`CREATE TABLE operators (id varchar(32) PRIMARY KEY, name text NOT NULL DEFAULT '',
		service varchar(100) NOT NULL DEFAULT '', active {bool} NOT NULL DEFAULT false,
		min_paise bigint NOT NULL DEFAULT 0, max_paise bigint NOT NULL DEFAULT 0,
		bill_fetch {bool} NOT NULL DEFAULT false, support_validation varchar(32) NOT NULL DEFAULT '',
		bbps {bool} NOT NULL DEFAULT false, message text NOT NULL DEFAULT '',
		seen_at {time}, updated_at {time})`,
	`CREATE INDEX idx_operators_service ON operators (service)`,
	`INSERT INTO operators (id, name, service, active, min_paise, max_paise)
		VALUES ('1', 'Airtel', 'Prepaid', true, 1000, 1000000)`,
	`CREATE TABLE sync_states (part varchar(64) PRIMARY KEY, last_success_at {time}, updated_at {time})`,
	`INSERT INTO sync_states (part, last_success_at) VALUES ('circles', '2026-03-01 06:00:00+00:00')`,
	`CREATE TABLE api_call_counts (endpoint varchar(64), day varchar(10), calls bigint NOT NULL DEFAULT 0,
		PRIMARY KEY (endpoint, day))`,
	`INSERT INTO api_call_counts (endpoint, day, calls) VALUES ('circle_codes', '2026-03-02', 2)`,
}

func openRaw(t *testing.T, opts models.Options) *gorm.DB {
	t.Helper()
	dialector := postgres.Open(opts.DatabaseURL)
	if opts.DatabaseURL == "" {
		dialector = sqlite.Open(filepath.Join(opts.DataDir, models.SQLiteFile))
	}
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

func TestOpenMigratesPreviousCatalogSchema(t *testing.T) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			opts.Now = func() time.Time { return now }

			types := strings.NewReplacer("{time}", "timestamptz", "{bool}", "boolean")
			if opts.DatabaseURL == "" {
				types = strings.NewReplacer("{time}", "datetime", "{bool}", "numeric")
			}
			raw := openRaw(t, opts)
			for _, statement := range previousCatalogSchema {
				if err := raw.Exec(types.Replace(statement)).Error; err != nil {
					t.Fatalf("create previous schema: %v\n%s", err, statement)
				}
			}

			s := modelstest.Open(t, opts)
			ctx := context.Background()

			airtel, err := s.Operator(ctx, "1")
			if err != nil {
				t.Fatalf("Operator(1) after migration: %v", err)
			}
			if airtel.Name != "Airtel" || !airtel.Active || airtel.MaxPaise != 1000000 {
				t.Errorf("old row = %+v, want active Airtel with max 1000000 paise", airtel)
			}
			if airtel.DetailsAt != nil || len(airtel.ParamLabels()) != 0 {
				t.Errorf("old row has DetailsAt %v, params %q; want none", airtel.DetailsAt, airtel.Params)
			}
			if _, err := s.ApplyOperatorDetails(ctx, []models.OperatorDetails{{ID: "1", Active: true, Params: []string{"Mobile"}}}); err != nil {
				t.Fatalf("ApplyOperatorDetails on the new columns: %v", err)
			}

			state, err := s.SyncState(ctx, "circles")
			if err != nil {
				t.Fatalf("SyncState after migration: %v", err)
			}
			if state.LastSuccessAt == nil || !state.LastSuccessAt.Equal(time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)) {
				t.Errorf("LastSuccessAt = %v, want the stored 2026-03-01 06:00 UTC", state.LastSuccessAt)
			}

			if err := s.SpendCall(ctx, "circle_codes", 2); !errors.Is(err, models.ErrBudgetExhausted) {
				t.Errorf("SpendCall over the calls counted before migration: error = %v, want ErrBudgetExhausted", err)
			}
		})
	}
}

func TestOpenCreatesCatalogTables(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		migrator := s.DB(context.Background()).Migrator()
		for _, table := range []string{"categories", "operators", "circles", "sync_states", "api_call_counts", "leader_leases"} {
			if !migrator.HasTable(table) {
				t.Errorf("table %s is missing after Open on an empty database", table)
			}
		}
		for _, column := range []string{"params", "details_at", "description"} {
			if !migrator.HasColumn(&models.Operator{}, column) {
				t.Errorf("operators.%s is missing", column)
			}
		}
	})
}
