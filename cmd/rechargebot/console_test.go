package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
	"github.com/rechargebot/rechargebot/models"
)

// runConsoleScript runs `rechargebot console args...` on a SQLite file in dir with input
// piped in, and returns the exit status and the output streams.
func runConsoleScript(t *testing.T, dir, input string, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env := map[string]string{"DATA_DIR": dir}
	for k, v := range vars {
		env[k] = v
	}
	var out bytes.Buffer
	var errOut consoleLog
	code = run(context.Background(), append([]string{"console"}, args...), envFrom(env), strings.NewReader(input), &out, &errOut)
	return code, out.String(), errOut.String()
}

// consoleLog collects the log, which goroutines of the console command write at once.
type consoleLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *consoleLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *consoleLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestConsoleScriptedRecharge(t *testing.T) {
	input := strings.Join([]string{
		"/start",
		"9876543210",
		"show plans",
		"1",
		"1",
		"pay",
		"9876500001 50",
		"1",
		"/balance",
	}, "\n") + "\n"

	code, stdout, stderr := runConsoleScript(t, t.TempDir(), input, nil)
	if code != 0 {
		t.Fatalf("exit status = %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"SIMULATION: recharges go to the built-in KwikAPI simulator",
		"> /start",
		"Wallet balance: ₹1,000",
		"9876543210 is on Airtel",
		"  1) Show plans",
		"Please confirm your recharge",
		"is being processed",
		"✅ Recharge successful",
		"❌ Recharge failed: ₹50 to 9876500001",
		"₹50 has been refunded",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "level=") {
		t.Errorf("log lines in the chat output:\n%s", stdout)
	}
	if strings.Contains(stderr, "9876543210") {
		t.Errorf("log shows a full number:\n%s", stderr)
	}

	// The success notice prints before the next message is read.
	if strings.Index(stdout, "✅ Recharge successful") > strings.Index(stdout, "> 9876500001 50") {
		t.Errorf("the result printed after the next message:\n%s", stdout)
	}
}

func TestConsoleResumesSession(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runConsoleScript(t, dir, "9876543210\n", nil); code != 0 {
		t.Fatalf("first run exit status = %d; stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := runConsoleScript(t, dir, "2\n", nil)
	if code != 0 {
		t.Fatalf("second run exit status = %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "Type the amount in rupees for Airtel") {
		t.Errorf("the second run did not resume the conversation:\n%s", stdout)
	}
}

func TestConsoleRoles(t *testing.T) {
	dir := t.TempDir()
	_, stdout, _ := runConsoleScript(t, dir, "/help\n/credit 1 100\n", nil, "--as", "admin")
	if !strings.Contains(stdout, "/credit") || strings.Contains(stdout, "not allowed") {
		t.Errorf("admin console:\n%s", stdout)
	}
	_, stdout, _ = runConsoleScript(t, dir, "/credit 1 100\n", nil, "--as", "customer")
	if !strings.Contains(stdout, "You are not allowed to use /credit") {
		t.Errorf("customer console:\n%s", stdout)
	}
	_, stdout, _ = runConsoleScript(t, dir, "/bulk \\\n9876543210 199\\\n9123456780 50\n", nil, "--as", "agent")
	if !strings.Contains(stdout, "₹249") || strings.Contains(stdout, "not allowed") {
		t.Errorf("agent console did not preview the bulk run:\n%s", stdout)
	}
}

func TestConsoleBalanceFlag(t *testing.T) {
	dir := t.TempDir()
	_, stdout, _ := runConsoleScript(t, dir, "/balance\n", nil, "--balance", "250.50")
	if !strings.Contains(stdout, "Wallet balance: ₹250.50") {
		t.Errorf("output:\n%s", stdout)
	}
	_, stdout, _ = runConsoleScript(t, dir, "/balance\n", nil, "--balance", "100")
	if !strings.Contains(stdout, "Wallet balance: ₹250.50") {
		t.Errorf("a lower --balance took money away:\n%s", stdout)
	}
}

func TestConsoleUsageErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		vars map[string]string
		want string
	}{
		"bad role":         {[]string{"--as", "root"}, nil, `--as "root" is invalid`},
		"bad balance":      {[]string{"--balance", "lots"}, nil, `--balance "lots" is invalid`},
		"extra argument":   {[]string{"now"}, nil, `unexpected argument "now"`},
		"balance for live": {[]string{"--balance", "10"}, map[string]string{"KWIKAPI_API_KEY": "k", "KWIKAPI_BASE_URL": "http://127.0.0.1:1"}, "only with the simulator"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runConsoleScript(t, t.TempDir(), "", tc.vars, tc.args...)
			if code != 2 {
				t.Errorf("exit status = %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
		})
	}
}

func TestConsoleLiveServer(t *testing.T) {
	sim := kwiksim.New(kwiksim.Options{APIKey: "live-test-key"})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	vars := map[string]string{"KWIKAPI_BASE_URL": srv.URL, "KWIKAPI_API_KEY": "live-test-key"}

	code, stdout, stderr := runConsoleScript(t, t.TempDir(), "9876543210 10\npay\n", vars)
	if code != 0 {
		t.Fatalf("exit status = %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"LIVE: recharges go to " + srv.URL, "Your wallet has ₹0 but this recharge needs ₹10: ₹10 more"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, "live-test-key") {
		t.Error("the API key appears in the output or the log")
	}
	if n := sim.Calls(kwik.EndpointRecharge); n != 0 {
		t.Errorf("recharge calls = %d, want 0 with an empty wallet", n)
	}
}

func TestConsoleResolverAlertsOnlyAdmins(t *testing.T) {
	cfg, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	chat := bot.ChatID{Channel: bot.Console, ID: "local"}
	cases := map[string]struct {
		role   models.Role
		alerts bool
	}{
		"admin":    {models.RoleAdmin, true},
		"agent":    {models.RoleAgent, false},
		"customer": {models.RoleCustomer, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resolver := consoleResolver(&cfg, nil, nil, chat, tc.role, nil)
			if got := resolver.Alerts != nil; got != tc.alerts {
				t.Fatalf("alerts set = %v, want %v", got, tc.alerts)
			}
			if tc.alerts && (len(resolver.Alerts.Admins) != 1 || resolver.Alerts.Admins[0] != chat) {
				t.Errorf("alerts go to %v, want the console chat %v", resolver.Alerts.Admins, chat)
			}
		})
	}
}
