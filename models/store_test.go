package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestOpenMigratesTwice(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			first := modelstest.Open(t, opts)
			if err := first.Migrate(context.Background()); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			second := modelstest.Open(t, opts)
			if got, want := second.Dialect(), first.Dialect(); got != want {
				t.Errorf("dialect = %q, want %q", got, want)
			}
		})
	}
}

func TestOpenPostgresBadURLHidesPassword(t *testing.T) {
	const secret = "s3cretpassw0rd"
	_, err := models.Open(context.Background(), models.Options{
		DatabaseURL: "postgres://app:" + secret + "@127.0.0.1:1/none?connect_timeout=1",
	})
	if err == nil {
		t.Fatal("Open succeeded on a closed port")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error reveals the password: %v", err)
	}
}

func TestOpenCapsPostgresPool(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			opts.MaxConns = 3
			s := modelstest.Open(t, opts)
			sqlDB, err := s.SQLDB()
			if err != nil {
				t.Fatal(err)
			}
			want := 3
			if s.Dialect() == models.SQLite {
				want = 1
			}
			if got := sqlDB.Stats().MaxOpenConnections; got != want {
				t.Errorf("MaxOpenConnections = %d, want %d", got, want)
			}
		})
	}
}
