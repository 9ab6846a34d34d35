package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
	"github.com/rechargebot/rechargebot/scheduler"
)

// runCommand runs one rechargebot command line with vars as the environment.
func runCommand(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, envFrom(vars), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// databaseVars returns the variables that point rechargebot at a fresh database of engine.
func databaseVars(t *testing.T, engine modelstest.Engine) map[string]string {
	opts := engine.NewDatabase(t)
	return map[string]string{"DATABASE_URL": opts.DatabaseURL, "DATA_DIR": opts.DataDir}
}

func TestSyncCommandFromSimulator(t *testing.T) {
	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			vars := databaseVars(t, engine)
			vars["KWIKAPI_BUDGET_CIRCLES"] = "1"

			code, stdout, stderr := runCommand(t, vars, "sync")
			if code != 0 {
				t.Fatalf("exit status %d, stderr:\n%s", code, stderr)
			}
			for _, line := range []string{
				`categories +5 stored`, `operators:Prepaid +7 stored`, `operators:DTH +6 stored`,
				`operator_details +11 stored`, `circles +37 stored`,
			} {
				if !regexp.MustCompile(line).MatchString(stdout) {
					t.Errorf("output lacks %q:\n%s", line, stdout)
				}
			}
			if !strings.Contains(stderr, "simulator") {
				t.Errorf("log does not say the simulator is used:\n%s", stderr)
			}

			// The counts are in the database, so a new process cannot spend the circle budget again.
			code, stdout, stderr = runCommand(t, vars, "sync")
			if code != 1 {
				t.Errorf("second run exit status = %d, want 1; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stdout, "daily budget of 1 calls to circle_codes exhausted") {
				t.Errorf("second run output lacks the circle budget:\n%s", stdout)
			}
			if !strings.Contains(stderr, "1 of 5 catalog parts failed") {
				t.Errorf("second run error lacks the failed count:\n%s", stderr)
			}
			if !regexp.MustCompile(`operators:Prepaid +7 stored`).MatchString(stdout) {
				t.Errorf("the other parts were not synced again:\n%s", stdout)
			}
		})
	}
}

func TestSyncCommandHidesAPIKey(t *testing.T) {
	const key = "live-key-7f3a9c21d4"
	sim := kwiksim.New(kwiksim.Options{APIKey: key, Limits: map[kwik.Endpoint]int{kwik.EndpointCircles: -1}})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()

	cases := map[string]struct {
		key      string
		wantCode int
	}{
		"accepted key": {key, 0},
		"rejected key": {key + "-old", 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			vars := databaseVars(t, modelstest.Engines(t)[0])
			vars["KWIKAPI_API_KEY"] = tc.key
			vars["KWIKAPI_BASE_URL"] = srv.URL
			vars["LOG_LEVEL"] = "debug"

			code, stdout, stderr := runCommand(t, vars, "sync")
			if code != tc.wantCode {
				t.Errorf("exit status = %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if strings.Contains(stdout+stderr, tc.key) {
				t.Errorf("output reveals the API key:\n%s\n%s", stdout, stderr)
			}
		})
	}
}

func TestSyncCommandDeadURLKeepsBudget(t *testing.T) {
	deadURL, release, err := kwiksim.RefusingURL()
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	for _, engine := range modelstest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			vars := databaseVars(t, engine)
			vars["KWIKAPI_API_KEY"] = "k"
			vars["KWIKAPI_BASE_URL"] = deadURL
			if code, _, stderr := runCommand(t, vars, "sync"); code != 1 {
				t.Fatalf("exit status = %d against a closed port, want 1; stderr:\n%s", code, stderr)
			}

			opts := models.Options{DatabaseURL: vars["DATABASE_URL"], DataDir: vars["DATA_DIR"]}
			store := modelstest.Open(t, opts)
			for _, ep := range []kwik.Endpoint{kwik.EndpointCircles, kwik.EndpointCategories, kwik.EndpointOperators} {
				if calls, err := store.CallsToday(context.Background(), string(ep)); err != nil || calls != 0 {
					t.Errorf("%s calls counted = %d, %v; want 0 for requests that never left", ep, calls, err)
				}
			}
		})
	}
}

func TestSyncCommandRejectsArguments(t *testing.T) {
	vars := databaseVars(t, modelstest.Engines(t)[0])
	code, _, stderr := runCommand(t, vars, "sync", "now")
	if code != 2 {
		t.Errorf("exit status = %d, want 2", code)
	}
	if !strings.Contains(stderr, `unexpected argument "now"`) || !strings.Contains(stderr, "Usage: rechargebot sync") {
		t.Errorf("stderr lacks the argument and the usage:\n%s", stderr)
	}
}

func TestCatalogSyncHookNamesRefreshedParts(t *testing.T) {
	modelstest.Each(t, nil, func(t *testing.T, s *models.Store) {
		cfg, err := LoadConfig(envFrom(map[string]string{"KWIKAPI_BUDGET_CIRCLES": "1"}))
		if err != nil {
			t.Fatal(err)
		}
		client, stop, err := openKwik(cfg, s, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		syncCatalog := catalogSyncHook(s, client, slog.New(slog.DiscardHandler))

		synced, err := syncCatalog(context.Background())
		if err != nil || len(synced) != 5 {
			t.Fatalf("first sync = %v, %v; want all 5 parts", synced, err)
		}
		synced, err = syncCatalog(context.Background())
		if !errors.Is(err, models.ErrBudgetExhausted) {
			t.Errorf("second sync error = %v, want the circle budget", err)
		}
		if len(synced) != 4 || slices.Contains(synced, scheduler.PartCircles) {
			t.Errorf("second sync refreshed %v, want every part but circles", synced)
		}
	})
}
