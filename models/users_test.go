package models_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

func TestEnsureUserCreatesOnce(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		first, err := s.EnsureUser(ctx, models.ChannelTelegram, "5550001", "5550001", "Asha")
		if err != nil {
			t.Fatalf("first EnsureUser: %v", err)
		}
		if first.Role != models.RoleCustomer || first.Name != "Asha" {
			t.Errorf("new user = %+v, want customer named Asha", first)
		}
		assertBalance(t, s, first.ID, 0)

		again, err := s.EnsureUser(ctx, models.ChannelTelegram, "5550001", "5550001", "Asha K")
		if err != nil {
			t.Fatalf("second EnsureUser: %v", err)
		}
		if again.ID != first.ID {
			t.Errorf("second call returned user %d, want %d", again.ID, first.ID)
		}
		if again.Name != "Asha K" {
			t.Errorf("name = %q, want the new display name", again.Name)
		}
	})
}

func TestEnsureUserConcurrentFirstContact(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ids := make([]int64, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				user, err := s.EnsureUser(context.Background(), models.ChannelWhatsApp, "919876543210", "919876543210", "")
				if err != nil {
					t.Errorf("EnsureUser %d: %v", i, err)
				}
				ids[i] = user.ID
			})
		}
		wg.Wait()
		for i, id := range ids {
			if id != ids[0] {
				t.Errorf("call %d returned user %d, want %d", i, id, ids[0])
			}
		}
	})
}

func TestMarkUnreachableClearedByNextMessage(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user, err := s.EnsureUser(ctx, models.ChannelTelegram, "777", "777", "")
		if err != nil {
			t.Fatalf("EnsureUser: %v", err)
		}
		if err := s.MarkUnreachable(ctx, models.ChannelTelegram, "777"); err != nil {
			t.Fatalf("MarkUnreachable: %v", err)
		}
		identities, err := s.Identities(ctx, user.ID)
		if err != nil || len(identities) != 1 || !identities[0].Unreachable {
			t.Fatalf("identities after MarkUnreachable = %+v, %v; want one unreachable", identities, err)
		}

		if _, err := s.EnsureUser(ctx, models.ChannelTelegram, "777", "777", ""); err != nil {
			t.Fatalf("EnsureUser: %v", err)
		}
		identities, err = s.Identities(ctx, user.ID)
		if err != nil || identities[0].Unreachable {
			t.Errorf("identities after a new message = %+v, %v; want reachable", identities, err)
		}
	})
}

func TestFindUser(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		telegram, _ := s.EnsureUser(ctx, models.ChannelTelegram, "123456789", "123456789", "")
		whatsapp, _ := s.EnsureUser(ctx, models.ChannelWhatsApp, "919876543210", "919876543210", "")
		// A Telegram id that reads like a mobile number, owned by a third user.
		clash, _ := s.EnsureUser(ctx, models.ChannelTelegram, "9811111111", "9811111111", "")
		s.EnsureUser(ctx, models.ChannelWhatsApp, "919811111111", "919811111111", "")

		tests := []struct {
			ref     string
			want    int64
			wantErr error
		}{
			{"tg:123456789", telegram.ID, nil},
			{"123456789", telegram.ID, nil},
			{"wa:+91 98765-43210", whatsapp.ID, nil},
			{"9876543210", whatsapp.ID, nil},
			{"09876543210", whatsapp.ID, nil},
			{"+919876543210", whatsapp.ID, nil},
			{"tg:9811111111", clash.ID, nil},
			{"#" + strconv.FormatInt(whatsapp.ID, 10), whatsapp.ID, nil},
			{" # " + strconv.FormatInt(telegram.ID, 10), telegram.ID, nil},
			{"#999999", 0, models.ErrNotFound},
			{"#0", 0, models.ErrNotFound},
			{"#-1", 0, models.ErrNotFound},
			{"#+1", 0, models.ErrNotFound},
			{"#abc", 0, models.ErrNotFound},
			{"#", 0, models.ErrNotFound},
			{"9811111111", 0, models.ErrAmbiguousUser},
			{"tg:1", 0, models.ErrNotFound},
			{"5550000", 0, models.ErrNotFound},
			{"bob", 0, models.ErrNotFound},
			{"", 0, models.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.ref, func(t *testing.T) {
				user, err := s.FindUser(ctx, tt.ref)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Errorf("error = %v, want %v", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("FindUser: %v", err)
				}
				if user.ID != tt.want {
					t.Errorf("user = %d, want %d", user.ID, tt.want)
				}
			})
		}
	})
}

func TestSetRole(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "42", 0)
		if err := s.SetRole(ctx, user.ID, models.RoleAgent); err != nil {
			t.Fatalf("SetRole: %v", err)
		}
		got, err := s.GetUser(ctx, user.ID)
		if err != nil || got.Role != models.RoleAgent {
			t.Errorf("role = %q, %v; want agent", got.Role, err)
		}
		if err := s.SetRole(ctx, user.ID, "owner"); !errors.Is(err, models.ErrInvalidRole) {
			t.Errorf("SetRole(owner) = %v, want ErrInvalidRole", err)
		}
		if err := s.SetRole(ctx, 999_999, models.RoleAdmin); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("SetRole(unknown user) = %v, want ErrNotFound", err)
		}
		if _, err := s.GetUser(ctx, 999_999); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("GetUser(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestFindConsoleUser(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		want, err := s.EnsureUser(ctx, models.ChannelConsole, "local", "local", "Demo")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.FindUser(ctx, "console:local")
		if err != nil || got.ID != want.ID {
			t.Errorf("FindUser(console:local) = %d, %v; want user %d", got.ID, err, want.ID)
		}
		if _, err := s.FindUser(ctx, "console:nobody"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FindUser(console:nobody) = %v, want ErrNotFound", err)
		}
	})
}

func TestIdentitiesWithRole(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		agent := ensureCustomer(t, s, "42", 0)
		ensureCustomer(t, s, "43", 0)
		if err := s.SetRole(ctx, agent.ID, models.RoleAgent); err != nil {
			t.Fatalf("SetRole: %v", err)
		}

		got, err := s.IdentitiesWithRole(ctx, models.ChannelTelegram, models.RoleAgent)
		if err != nil {
			t.Fatalf("IdentitiesWithRole: %v", err)
		}
		if len(got) != 1 || got[0].UserID != agent.ID {
			t.Errorf("agent identities = %+v, want the one of user %d", got, agent.ID)
		}

		got, err = s.IdentitiesWithRole(ctx, models.ChannelWhatsApp, models.RoleAgent)
		if err != nil || len(got) != 0 {
			t.Errorf("whatsapp agent identities = %+v, %v; want none", got, err)
		}
	})
}

func TestNormalizePhone(t *testing.T) {
	tests := map[string]string{
		"9876543210":        "919876543210",
		"+91 98765 43210":   "919876543210",
		"098765-43210":      "919876543210",
		"919876543210":      "919876543210",
		"0919876543210":     "919876543210",
		"(+1) 415.555.0100": "14155550100",
	}
	for in, want := range tests {
		if got := models.NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}
