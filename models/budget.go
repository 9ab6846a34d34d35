package models

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBudgetExhausted matches a *BudgetExhaustedError.
var ErrBudgetExhausted = errors.New("daily call budget exhausted")

// India is Indian Standard Time (UTC+5:30, no daylight saving). KwikAPI's daily limits reset
// at midnight in India, and a fixed zone needs no time zone database on the host.
var India = time.FixedZone("IST", 5*60*60+30*60)

// BudgetExhaustedError reports that an endpoint has used its calls for the India-time day.
type BudgetExhaustedError struct {
	Endpoint string
	Limit    int
	// ResetAt is the next midnight in India, in UTC.
	ResetAt time.Time
}

func (e *BudgetExhaustedError) Error() string {
	return fmt.Sprintf("daily budget of %d calls to %s exhausted; it resets at %s",
		e.Limit, e.Endpoint, e.ResetAt.In(India).Format("2006-01-02 15:04 MST"))
}

// RetryTime returns when calls to the endpoint are counted again: ResetAt.
func (e *BudgetExhaustedError) RetryTime() time.Time { return e.ResetAt }

// Is makes errors.Is(err, ErrBudgetExhausted) match.
func (e *BudgetExhaustedError) Is(target error) bool { return target == ErrBudgetExhausted }

// APICallCount is the number of calls made to one KwikAPI endpoint on one India-time day.
type APICallCount struct {
	Endpoint string `gorm:"primaryKey;size:64"`
	// Day is the India-time date, YYYY-MM-DD.
	Day       string `gorm:"primaryKey;size:10"`
	Calls     int    `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

// TableName keeps the table name stable whatever GORM's naming of the initialism.
func (APICallCount) TableName() string { return "api_call_counts" }

func init() { register(&APICallCount{}) }

// SpendCall counts one call to endpoint for the current India-time day, unless limit calls
// were already counted; then it counts nothing and returns a *BudgetExhaustedError. A limit of
// 0 or less counts without a cap. The check and the increment are one UPSERT statement, so
// concurrent callers in any number of processes sharing the database never exceed limit.
func (s *Store) SpendCall(ctx context.Context, endpoint string, limit int) error {
	now := s.Now()
	day := now.In(India).Format(time.DateOnly)

	query := `INSERT INTO api_call_counts (endpoint, day, calls, updated_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (endpoint, day) DO UPDATE SET calls = api_call_counts.calls + 1, updated_at = excluded.updated_at`
	args := []any{endpoint, day, now}
	if limit > 0 {
		query += ` WHERE api_call_counts.calls < ?`
		args = append(args, limit)
	}

	res := s.DB(ctx).Exec(query, args...)
	if res.Error != nil {
		return fmt.Errorf("count call to %s: %w", endpoint, res.Error)
	}
	if res.RowsAffected == 0 {
		return &BudgetExhaustedError{Endpoint: endpoint, Limit: limit, ResetAt: nextIndiaMidnight(now)}
	}
	return nil
}

// ReturnCall gives back one call to endpoint counted today by SpendCall, for a request that
// never reached KwikAPI. The count never goes below zero.
func (s *Store) ReturnCall(ctx context.Context, endpoint string) error {
	now := s.Now()
	day := now.In(India).Format(time.DateOnly)
	err := s.DB(ctx).Exec(`UPDATE api_call_counts SET calls = calls - 1, updated_at = ?
		WHERE endpoint = ? AND day = ? AND calls > 0`, now, endpoint, day).Error
	if err != nil {
		return fmt.Errorf("return call to %s: %w", endpoint, err)
	}
	return nil
}

// CallsToday returns how many calls to endpoint SpendCall has counted on the current
// India-time day.
func (s *Store) CallsToday(ctx context.Context, endpoint string) (int, error) {
	day := s.Now().In(India).Format(time.DateOnly)
	var counts []APICallCount
	err := s.DB(ctx).Where("endpoint = ? AND day = ?", endpoint, day).Limit(1).Find(&counts).Error
	if err != nil {
		return 0, fmt.Errorf("read call count of %s: %w", endpoint, err)
	}
	if len(counts) == 0 {
		return 0, nil
	}
	return counts[0].Calls, nil
}

// nextIndiaMidnight returns the first midnight in India after t, in UTC.
func nextIndiaMidnight(t time.Time) time.Time {
	local := t.In(India)
	y, m, d := local.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, India).UTC()
}
