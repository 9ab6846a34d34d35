package whatsapp

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// openTestStore opens the WhatsApp store inside a fresh product database of one engine.
func openTestStore(t *testing.T, s *models.Store) *Store {
	t.Helper()
	db, err := s.SQLDB()
	if err != nil {
		t.Fatalf("SQLDB: %v", err)
	}
	dialect := DialectSQLite
	if s.Dialect() == models.Postgres {
		dialect = DialectPostgres
	}
	ws, err := OpenStore(context.Background(), db, dialect, nil)
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	return ws
}

// newSQLiteStore opens the WhatsApp store in a fresh SQLite product database.
func newSQLiteStore(t *testing.T) *Store {
	t.Helper()
	return openTestStore(t, modelstest.Open(t, models.Options{DataDir: t.TempDir()}))
}

// putLinkedDevice saves a device as if phone had been linked, without any network.
func putLinkedDevice(t *testing.T, ws *Store, phone string) {
	t.Helper()
	device := ws.Container.NewDevice()
	jid := types.NewADJID(phone, 0, 7)
	device.ID = &jid
	device.Account = &waAdv.ADVSignedDeviceIdentity{
		Details:             []byte{1},
		AccountSignature:    make([]byte, 64),
		AccountSignatureKey: make([]byte, 32),
		DeviceSignature:     make([]byte, 64),
	}
	if err := device.Save(context.Background()); err != nil {
		t.Fatalf("save device: %v", err)
	}
}

func TestOpenStoreUpgradesOnEveryEngine(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		ws := openTestStore(t, s)

		// A second open finds the schema current, as a restart does.
		db, _ := s.SQLDB()
		if _, err := OpenStore(ctx, db, dialectOf(s), nil); err != nil {
			t.Fatalf("second OpenStore: %v", err)
		}

		putLinkedDevice(t, ws, "919876543210")
		device, err := ws.Container.GetFirstDevice(ctx)
		if err != nil {
			t.Fatalf("GetFirstDevice: %v", err)
		}
		if device.ID == nil || device.ID.User != "919876543210" {
			t.Fatalf("device ID = %v, want the saved device", device.ID)
		}

		// The product's own tables still work on the shared pool.
		if err := s.DB(ctx).Exec("SELECT 1").Error; err != nil {
			t.Errorf("product query after upgrade: %v", err)
		}
	})
}

func dialectOf(s *models.Store) string {
	if s.Dialect() == models.Postgres {
		return DialectPostgres
	}
	return DialectSQLite
}

func TestOpenStoreRejectsUnknownDialect(t *testing.T) {
	s := modelstest.Open(t, models.Options{DataDir: t.TempDir()})
	db, _ := s.SQLDB()
	if _, err := OpenStore(context.Background(), db, "mysql", nil); err == nil {
		t.Fatal("OpenStore accepted dialect mysql")
	}
}

func TestWritersSurviveReopen(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		ws := openTestStore(t, s)
		if err := ws.rememberWriter(ctx, "919876543210", time.Unix(1_700_000_000, 0)); err != nil {
			t.Fatalf("rememberWriter: %v", err)
		}
		if err := ws.rememberWriter(ctx, "919876543210", time.Unix(1_700_000_500, 0)); err != nil {
			t.Fatalf("rememberWriter again: %v", err)
		}

		reopened := openTestStore(t, s)
		for phone, want := range map[string]bool{"919876543210": true, "919812345678": false} {
			got, err := reopened.hasWritten(ctx, phone)
			if err != nil {
				t.Fatalf("hasWritten(%s): %v", maskPhone(phone), err)
			}
			if got != want {
				t.Errorf("hasWritten(%s) = %v, want %v", maskPhone(phone), got, want)
			}
		}
	})
}

// reopenForTest opens a second Store on the same database, as a restarted process would.
func (s *Store) reopenForTest(t *testing.T) *Store {
	t.Helper()
	reopened, err := OpenStore(context.Background(), s.db, DialectSQLite, nil)
	if err != nil {
		t.Fatalf("reopen store: %v", err)
	}
	return reopened
}
