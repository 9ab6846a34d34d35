package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func tryLeader(t *testing.T, s *models.Store, name string) (func(), bool) {
	t.Helper()
	release, ok, err := s.TryLeader(context.Background(), name)
	if err != nil {
		t.Fatalf("TryLeader(%s): %v", name, err)
	}
	if ok {
		t.Cleanup(release)
	}
	return release, ok
}

func TestTryLeaderOneHolderAcrossStores(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			opts := engine.NewDatabase(t)
			first, second := modelstest.Open(t, opts), modelstest.Open(t, opts)

			release, ok := tryLeader(t, first, "catalog-sync")
			if !ok {
				t.Fatal("first TryLeader on a free name failed")
			}
			if _, ok := tryLeader(t, second, "catalog-sync"); ok {
				t.Error("second store became leader while the first holds it")
			}
			if _, ok := tryLeader(t, first, "catalog-sync"); ok {
				t.Error("holding store became leader twice: leadership must not be reentrant")
			}
			if _, ok := tryLeader(t, second, "resolver"); !ok {
				t.Error("another name is taken too")
			}

			release()
			release() // a second call is harmless
			if _, ok := tryLeader(t, second, "catalog-sync"); !ok {
				t.Error("second store could not lead after the release")
			}
		})
	}
}

func TestTryLeaderSQLiteLeaseExpires(t *testing.T) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	opts := modelstest.Engines(t)[0].NewDatabase(t)
	opts.Now = func() time.Time { return now }
	crashed, survivor := modelstest.Open(t, opts), modelstest.Open(t, opts)

	// The first holder never releases, as if its process had died.
	if _, ok, err := crashed.TryLeader(context.Background(), "catalog-sync"); err != nil || !ok {
		t.Fatalf("TryLeader = %v, %v; want leadership", ok, err)
	}
	if _, ok := tryLeader(t, survivor, "catalog-sync"); ok {
		t.Fatal("leadership taken before the lease expired")
	}

	now = now.Add(models.LeaderLeaseTTL)
	if _, ok := tryLeader(t, survivor, "catalog-sync"); !ok {
		t.Error("leadership not taken after the lease expired")
	}
}

func TestTryLeaderPostgresFreedWhenConnectionDies(t *testing.T) {
	engines := modelstest.Engines(t)
	if len(engines) < 2 {
		t.Skip("PostgreSQL is not configured")
	}
	opts := engines[1].NewDatabase(t)
	holder, other := modelstest.Open(t, opts), modelstest.Open(t, opts)

	if _, ok := tryLeader(t, holder, "catalog-sync"); !ok {
		t.Fatal("TryLeader on a free name failed")
	}

	// End the session holding the lock in this test's database, as a crash or a network cut
	// would, and wait up to 10 seconds for it to exit (the timeout argument needs PostgreSQL 14).
	err := other.DB(context.Background()).Exec(`SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
		WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Error
	if err != nil {
		t.Fatalf("terminate holder: %v", err)
	}
	if _, ok := tryLeader(t, other, "catalog-sync"); !ok {
		t.Error("leadership still held after its connection died")
	}
}
