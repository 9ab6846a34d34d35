package models_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/models/modelstest"
)

// bulkLines returns n queued mobile lines of amountPaise each, numbered from 1, followed by
// one invalid line.
func bulkLines(n int, amountPaise int64) []models.BulkLine {
	lines := make([]models.BulkLine, 0, n+1)
	for i := 1; i <= n; i++ {
		lines = append(lines, models.BulkLine{
			Line: i, Kind: models.KindMobile, Number: "98765" + pad5(i), OperatorID: "1",
			OperatorName: "Airtel", AmountPaise: amountPaise, Status: models.BulkLineQueued,
		})
	}
	return append(lines, models.BulkLine{Line: n + 1, Input: "hello", Status: models.BulkLineInvalid, Reason: "not a line"})
}

func pad5(i int) string {
	s := "00000" + itoa(i)
	return s[len(s)-5:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func createRun(t testing.TB, s *models.Store, user models.User, lines []models.BulkLine) models.BulkRun {
	t.Helper()
	run, err := s.CreateBulkRun(context.Background(), models.BulkRun{
		UserID: user.ID, ChatChannel: models.ChannelTelegram, ChatID: "2001", Source: "paste",
	}, lines)
	if err != nil {
		t.Fatalf("CreateBulkRun: %v", err)
	}
	return run
}

func TestCreateBulkRunCountsValidLines(t *testing.T) {
	modelstest.Each(t, newFrozenClock().Now, func(t *testing.T, s *models.Store) {
		user := ensureCustomer(t, s, "2001", 0)
		first := createRun(t, s, user, bulkLines(2, 10_000))
		run := createRun(t, s, user, bulkLines(3, 10_000))

		if run.Status != models.BulkPreview || run.Lines != 4 || run.ValidLines != 3 || run.TotalPaise != 30_000 {
			t.Errorf("run = %+v, want a preview of 4 lines, 3 valid, 30000 paise", run)
		}
		earlier, err := s.GetBulkRun(context.Background(), first.ID)
		if err != nil {
			t.Fatalf("GetBulkRun: %v", err)
		}
		if earlier.Status != models.BulkDiscarded {
			t.Errorf("earlier preview status = %s, want discarded", earlier.Status)
		}
	})
}

func TestHoldBulkRunDebitsOnce(t *testing.T) {
	modelstest.Each(t, newFrozenClock().Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "2001", 50_000)
		run := createRun(t, s, user, bulkLines(3, 10_000))

		running, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{})
		if err != nil {
			t.Fatalf("HoldBulkRun: %v", err)
		}
		if running.Status != models.BulkRunning || running.HeldPaise != 30_000 {
			t.Errorf("started run = %+v, want running with 30000 held", running)
		}
		assertBalance(t, s, user.ID, 20_000)

		ledger, _ := s.Ledger(ctx, user.ID, 1)
		if len(ledger) != 1 || ledger[0].Kind != models.LedgerBulkHold || ledger[0].AmountPaise != -30_000 {
			t.Errorf("latest ledger entry = %+v, want one bulk hold of -30000", ledger)
		}

		if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); !errors.Is(err, models.ErrBulkRunState) {
			t.Errorf("second HoldBulkRun error = %v, want ErrBulkRunState", err)
		}
		assertBalance(t, s, user.ID, 20_000)
	})
}

func TestHoldBulkRunRejects(t *testing.T) {
	modelstest.Each(t, newFrozenClock().Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()

		t.Run("short wallet", func(t *testing.T) {
			user := ensureCustomer(t, s, "2002", 25_000)
			run := createRun(t, s, user, bulkLines(3, 10_000))
			_, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{})
			var short *models.InsufficientFundsError
			if !errors.As(err, &short) || short.MissingPaise() != 5_000 {
				t.Fatalf("HoldBulkRun error = %v, want insufficient funds missing 5000", err)
			}
			assertBalance(t, s, user.ID, 25_000)
			if got, _ := s.GetBulkRun(ctx, run.ID); got.Status != models.BulkPreview {
				t.Errorf("status after refusal = %s, want preview", got.Status)
			}
		})

		t.Run("another run running", func(t *testing.T) {
			user := ensureCustomer(t, s, "2003", 100_000)
			first := createRun(t, s, user, bulkLines(1, 10_000))
			if _, err := s.HoldBulkRun(ctx, first.ID, models.DailyCap{}); err != nil {
				t.Fatalf("HoldBulkRun: %v", err)
			}
			second := createRun(t, s, user, bulkLines(1, 10_000))
			if _, err := s.HoldBulkRun(ctx, second.ID, models.DailyCap{}); !errors.Is(err, models.ErrBulkRunActive) {
				t.Errorf("HoldBulkRun error = %v, want ErrBulkRunActive", err)
			}
		})

		t.Run("no valid lines", func(t *testing.T) {
			user := ensureCustomer(t, s, "2004", 100_000)
			run := createRun(t, s, user, bulkLines(0, 10_000))
			if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); !errors.Is(err, models.ErrInvalidAmount) {
				t.Errorf("HoldBulkRun error = %v, want ErrInvalidAmount", err)
			}
		})
	})
}

func TestStartBulkLinePlacesOneOrder(t *testing.T) {
	modelstest.Each(t, newFrozenClock().Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "2001", 50_000)
		run := createRun(t, s, user, bulkLines(3, 10_000))
		if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); err != nil {
			t.Fatalf("HoldBulkRun: %v", err)
		}

		order, err := s.StartBulkLine(ctx, run.ID, 2)
		if err != nil {
			t.Fatalf("StartBulkLine: %v", err)
		}
		if order.Status != models.StatusSending || order.AmountPaise != 10_000 || order.BulkLine != 2 ||
			order.BulkRunID == nil || *order.BulkRunID != run.ID || order.Number != "9876500002" {
			t.Errorf("order = %+v, want a sending order of line 2", order)
		}
		assertBalance(t, s, user.ID, 20_000)

		if _, err := s.StartBulkLine(ctx, run.ID, 2); !errors.Is(err, models.ErrBulkLineTaken) {
			t.Errorf("second StartBulkLine error = %v, want ErrBulkLineTaken", err)
		}
		if _, err := s.StartBulkLine(ctx, run.ID, 4); !errors.Is(err, models.ErrBulkLineTaken) {
			t.Errorf("StartBulkLine of the invalid line error = %v, want ErrBulkLineTaken", err)
		}
		lines, _ := s.BulkLines(ctx, run.ID, models.BulkLineSent)
		if len(lines) != 1 || lines[0].OrderID == nil || *lines[0].OrderID != order.ID {
			t.Errorf("sent lines = %+v, want line 2 with order %d", lines, order.ID)
		}
	})
}

func TestFinishBulkRunReleasesQueuedLines(t *testing.T) {
	modelstest.Each(t, newFrozenClock().Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "2001", 50_000)
		run := createRun(t, s, user, bulkLines(3, 10_000))
		if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); err != nil {
			t.Fatalf("HoldBulkRun: %v", err)
		}
		order, err := s.StartBulkLine(ctx, run.ID, 1)
		if err != nil {
			t.Fatalf("StartBulkLine: %v", err)
		}
		if _, _, err := s.RecordOutcome(ctx, order.ID, models.Outcome{Status: models.StatusFailure}); err != nil {
			t.Fatalf("RecordOutcome: %v", err)
		}

		finished, released, err := s.FinishBulkRun(ctx, run.ID, models.BulkCancelled)
		if err != nil {
			t.Fatalf("FinishBulkRun: %v", err)
		}
		if released != 2 || finished.ReleasedPaise != 20_000 || finished.Status != models.BulkCancelled {
			t.Errorf("finished = %+v, released %d; want cancelled with 2 lines, 20000 paise released", finished, released)
		}
		// Held 30000: line 1 failed and was refunded, lines 2 and 3 were released.
		assertBalance(t, s, user.ID, 50_000)

		if _, err := s.StartBulkLine(ctx, run.ID, 2); !errors.Is(err, models.ErrBulkRunStopped) {
			t.Errorf("StartBulkLine after cancel error = %v, want ErrBulkRunStopped", err)
		}
		if _, _, err := s.FinishBulkRun(ctx, run.ID, models.BulkDone); !errors.Is(err, models.ErrBulkRunState) {
			t.Errorf("second FinishBulkRun error = %v, want ErrBulkRunState", err)
		}
		assertBalance(t, s, user.ID, 50_000)

		report, err := s.BulkReport(ctx, run.ID)
		if err != nil {
			t.Fatalf("BulkReport: %v", err)
		}
		wantStatus := []models.BulkLineStatus{models.BulkLineSent, models.BulkLineReleased, models.BulkLineReleased, models.BulkLineInvalid}
		if len(report) != len(wantStatus) {
			t.Fatalf("report has %d lines, want %d", len(report), len(wantStatus))
		}
		for i, want := range wantStatus {
			if report[i].Status != want {
				t.Errorf("line %d status = %s, want %s", report[i].Line, report[i].Status, want)
			}
		}
		if report[0].OrderStatus != models.StatusFailure {
			t.Errorf("line 1 order status = %s, want failure", report[0].OrderStatus)
		}
	})
}

// TestBulkCancelRacesLineStarts checks that the lines started and the lines released by a
// concurrent cancel add up to the hold: no line is both sent and released.
func TestBulkCancelRacesLineStarts(t *testing.T) {
	modelstest.Each(t, newFrozenClock().Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "2001", 400_000)
		run := createRun(t, s, user, bulkLines(40, 10_000))
		if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); err != nil {
			t.Fatalf("HoldBulkRun: %v", err)
		}

		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			started int64
		)
		for w := range 4 {
			wg.Go(func() {
				for line := w + 1; line <= 40; line += 4 {
					order, err := s.StartBulkLine(ctx, run.ID, line)
					if errors.Is(err, models.ErrBulkRunStopped) {
						return
					}
					if err != nil {
						t.Errorf("StartBulkLine %d: %v", line, err)
						return
					}
					mu.Lock()
					started += order.AmountPaise
					mu.Unlock()
				}
			})
		}
		finished, _, err := s.FinishBulkRun(ctx, run.ID, models.BulkCancelled)
		if err != nil {
			t.Fatalf("FinishBulkRun: %v", err)
		}
		wg.Wait()

		if started+finished.ReleasedPaise != 400_000 {
			t.Errorf("started %d + released %d paise, want the hold of 400000", started, finished.ReleasedPaise)
		}
		assertBalance(t, s, user.ID, finished.ReleasedPaise)
	})
}

func TestSpentSinceCountsOrdersAndQueuedLines(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "2001", 100_000)
		since := clock.Now()

		placeOrder(t, s, user, 10_000, "kept")
		failed := placeOrder(t, s, user, 5_000, "failed")
		if _, _, err := s.RecordOutcome(ctx, failed.ID, models.Outcome{Status: models.StatusFailure}); err != nil {
			t.Fatalf("RecordOutcome: %v", err)
		}
		run := createRun(t, s, user, bulkLines(3, 2_000))
		if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); err != nil {
			t.Fatalf("HoldBulkRun: %v", err)
		}
		if _, err := s.StartBulkLine(ctx, run.ID, 1); err != nil {
			t.Fatalf("StartBulkLine: %v", err)
		}

		spent, err := s.SpentSince(ctx, user.ID, since)
		if err != nil {
			t.Fatalf("SpentSince: %v", err)
		}
		// 10000 kept + 2000 of the started line + 4000 of the two queued lines.
		if spent != 16_000 {
			t.Errorf("spent = %d paise, want 16000", spent)
		}
	})
}

func TestIdleBulkRuns(t *testing.T) {
	clock := newFrozenClock()
	modelstest.Each(t, clock.Now, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		user := ensureCustomer(t, s, "2101", 100_000)
		other := ensureCustomer(t, s, "2102", 100_000)
		idle := createRun(t, s, user, bulkLines(3, 1_000))
		done := createRun(t, s, other, bulkLines(1, 1_000))
		for _, run := range []models.BulkRun{idle, done} {
			if _, err := s.HoldBulkRun(ctx, run.ID, models.DailyCap{}); err != nil {
				t.Fatalf("HoldBulkRun: %v", err)
			}
		}
		// The other run has sent its only line: nothing is left to take over.
		if _, err := s.StartBulkLine(ctx, done.ID, 1); err != nil {
			t.Fatalf("StartBulkLine: %v", err)
		}

		idleRuns := func(idleFor time.Duration) []int64 {
			t.Helper()
			runs, err := s.IdleBulkRuns(ctx, clock.Now().Add(-idleFor))
			if err != nil {
				t.Fatalf("IdleBulkRuns: %v", err)
			}
			ids := make([]int64, len(runs))
			for i, run := range runs {
				ids[i] = run.ID
			}
			return ids
		}

		if got := idleRuns(5 * time.Minute); len(got) != 0 {
			t.Errorf("runs just started = %v, want none idle", got)
		}
		clock.Advance(10 * time.Minute)
		if got := idleRuns(5 * time.Minute); !slices.Equal(got, []int64{idle.ID}) {
			t.Errorf("idle runs after 10 minutes = %v, want [%d]", got, idle.ID)
		}
		if _, err := s.StartBulkLine(ctx, idle.ID, 1); err != nil {
			t.Fatalf("StartBulkLine: %v", err)
		}
		if got := idleRuns(5 * time.Minute); len(got) != 0 {
			t.Errorf("idle runs after a line started = %v, want none", got)
		}
	})
}
