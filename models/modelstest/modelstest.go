// Package modelstest opens fresh stores for tests: an SQLite file in a temporary directory and,
// when TEST_DATABASE_URL is set, a new PostgreSQL database dropped at the end of the test.
package modelstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/rechargebot/rechargebot/models"
)

// EnvDatabaseURL names the variable that points tests at a PostgreSQL server whose user may
// create databases.
const EnvDatabaseURL = "TEST_DATABASE_URL"

// Engine opens an empty store on one database engine.
type Engine struct {
	Name string
	// NewDatabase creates an empty database and returns the options that open it. Opening
	// the same options twice gives two stores on one database, as two processes would have.
	NewDatabase func(t testing.TB) models.Options
}

// Engines returns SQLite always and PostgreSQL when TEST_DATABASE_URL is set. Under CI
// (CI=true) a missing TEST_DATABASE_URL fails the test instead of skipping PostgreSQL.
func Engines(t testing.TB) []Engine {
	engines := []Engine{{Name: "sqlite", NewDatabase: sqliteDatabase}}
	if os.Getenv(EnvDatabaseURL) != "" {
		engines = append(engines, Engine{Name: "postgres", NewDatabase: postgresDatabase})
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run every storage test on PostgreSQL too", EnvDatabaseURL)
	}
	return engines
}

// Each runs fn as a subtest per engine, with a freshly opened, migrated store that is closed
// when the subtest ends. now may be nil for the real clock.
func Each(t *testing.T, now func() time.Time, fn func(t *testing.T, s *models.Store)) {
	for _, engine := range Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			opts.Now = now
			fn(t, Open(t, opts))
		})
	}
}

// EachPair runs fn as a subtest per engine with two stores on one fresh database, as two
// processes sharing it would have. now may be nil for the real clock.
func EachPair(t *testing.T, now func() time.Time, fn func(t *testing.T, stores [2]*models.Store)) {
	for _, engine := range Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			opts.Now = now
			fn(t, [2]*models.Store{Open(t, opts), Open(t, opts)})
		})
	}
}

// Open opens a store with opts and closes it when the test ends.
func Open(t testing.TB, opts models.Options) *models.Store {
	t.Helper()
	s, err := models.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sqliteDatabase(t testing.TB) models.Options {
	return models.Options{DataDir: t.TempDir()}
}

// postgresDatabase creates a database with a random name on the server of TEST_DATABASE_URL
// and drops it when the test ends.
func postgresDatabase(t testing.TB) models.Options {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvDatabaseURL, err)
	}
	adminSQL, _ := admin.DB()

	name := "rb_test_" + randomSuffix()
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		adminSQL.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adminSQL.Close()
	})

	dsn, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	return models.Options{DatabaseURL: dsn}
}

// withDatabase returns the connection string base pointed at database name.
func withDatabase(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("parse database url: %w", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return base + " dbname=" + name, nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
