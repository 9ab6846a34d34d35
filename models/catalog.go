package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Services the bot sells, named as KwikAPI's category list names them.
const (
	ServicePrepaid = "Prepaid"
	ServiceDTH     = "DTH"
)

// Rows per INSERT of a batch upsert. The SQLite driver (glebarez/go-sqlite v1.21.2) looks up
// each bind parameter by a linear scan of all arguments, so a statement's cost grows with the
// square of its parameters. Measured on 25,000 operators, 50 rows (700 parameters) were
// fastest on SQLite and 500 rows on PostgreSQL, whose limit is 65,535 parameters.
const (
	sqliteBatchSize   = 50
	postgresBatchSize = 500
)

func (s *Store) upsertBatchSize() int {
	if s.dialect == SQLite {
		return sqliteBatchSize
	}
	return postgresBatchSize
}

// Category is one KwikAPI service category ("Prepaid", "DTH", "Electricity" …).
type Category struct {
	Name           string `gorm:"primaryKey;size:100"`
	TotalOperators int    `gorm:"not null;default:0"`
	UpdatedAt      time.Time
}

// Operator is one biller of the catalog. Rows are never deleted, because old orders refer to
// them: an operator KwikAPI stops listing or reports inactive gets Active false.
type Operator struct {
	ID string `gorm:"primaryKey;size:32"`
	// Name is the operator name shown to customers.
	Name string `gorm:"not null;default:''"`
	// Service is the category whose list the operator was last seen in, e.g. ServicePrepaid.
	Service string `gorm:"size:100;not null;default:'';index"`
	Active  bool   `gorm:"not null;default:false"`
	// MinPaise and MaxPaise bound the amount of one recharge. 0 means KwikAPI gave no bound.
	MinPaise int64 `gorm:"not null;default:0"`
	MaxPaise int64 `gorm:"not null;default:0"`
	// BillFetch is set when the biller can fetch the amount due (postpaid-style billers).
	BillFetch bool `gorm:"not null;default:false"`
	// SupportValidation is KwikAPI's word for number validation: NOT_SUPPORTED, OPTIONAL or MANDATORY.
	SupportValidation string `gorm:"size:32;not null;default:''"`
	BBPS              bool   `gorm:"not null;default:false"`
	// Params is a JSON array of the labels of the parameters a payment needs, such as
	// ["Consumer Number"]. The details sync fills it, and ParamLabels decodes it.
	Params      string `gorm:"not null;default:'[]'"`
	Message     string `gorm:"not null;default:''"`
	Description string `gorm:"not null;default:''"`
	// SeenAt is when the operator last appeared in a fresh list.
	SeenAt time.Time
	// DetailsAt is when the details (limits, parameters) were last fetched; nil means never.
	DetailsAt *time.Time
	UpdatedAt time.Time
}

// ParamLabels decodes Params. A malformed value yields no labels.
func (o Operator) ParamLabels() []string {
	var labels []string
	if err := json.Unmarshal([]byte(o.Params), &labels); err != nil {
		return nil
	}
	return labels
}

// Circle is one telecom circle (a region with its own plans), keyed by KwikAPI's numeric code.
type Circle struct {
	Code string `gorm:"primaryKey;size:16"`
	// Name is the display name without the bracketed short code, e.g. "Delhi".
	Name string `gorm:"not null;default:''"`
	// Short is the short code KwikAPI puts in brackets, e.g. "DL".
	Short     string `gorm:"size:16;not null;default:''"`
	UpdatedAt time.Time
}

// OperatorDetails is the part of an operator that the details endpoint fills in.
type OperatorDetails struct {
	ID                string
	Active            bool
	MinPaise          int64
	MaxPaise          int64
	BillFetch         bool
	SupportValidation string
	BBPS              bool
	Params            []string
	Message           string
}

// OperatorListResult counts what SyncOperatorList changed.
type OperatorListResult struct {
	Saved       int
	Deactivated int
}

func init() { register(&Category{}, &Operator{}, &Circle{}) }

// Categories returns every stored category, by name.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	var categories []Category
	if err := s.DB(ctx).Order("name").Find(&categories).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return categories, nil
}

// Operators returns the operators of service ordered by name; activeOnly leaves out the ones
// that must not be offered. An empty service returns every operator.
func (s *Store) Operators(ctx context.Context, service string, activeOnly bool) ([]Operator, error) {
	q := s.DB(ctx).Order("name").Order("id")
	if service != "" {
		q = q.Where("service = ?", service)
	}
	if activeOnly {
		q = q.Where("active = ?", true)
	}

	var ops []Operator
	if err := q.Find(&ops).Error; err != nil {
		return nil, fmt.Errorf("list operators of %q: %w", service, err)
	}
	return ops, nil
}

// Operator returns the operator with KwikAPI id id, active or not, or ErrNotFound.
func (s *Store) Operator(ctx context.Context, id string) (Operator, error) {
	var op Operator
	err := s.DB(ctx).Where("id = ?", id).Take(&op).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Operator{}, fmt.Errorf("get operator %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Operator{}, fmt.Errorf("get operator %s: %w", id, err)
	}
	return op, nil
}

// Circles returns every stored circle, by name.
func (s *Store) Circles(ctx context.Context) ([]Circle, error) {
	var circles []Circle
	if err := s.DB(ctx).Order("name").Order("code").Find(&circles).Error; err != nil {
		return nil, fmt.Errorf("list circles: %w", err)
	}
	return circles, nil
}

// Circle returns the circle with code, or ErrNotFound.
func (s *Store) Circle(ctx context.Context, code string) (Circle, error) {
	var c Circle
	err := s.DB(ctx).Where("code = ?", code).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Circle{}, fmt.Errorf("get circle %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return Circle{}, fmt.Errorf("get circle %s: %w", code, err)
	}
	return c, nil
}

// UpsertCategories inserts or updates categories by name. Categories missing from the slice
// are kept.
func (s *Store) UpsertCategories(ctx context.Context, categories []Category) error {
	if len(categories) == 0 {
		return nil
	}
	now := s.Now()
	for i := range categories {
		categories[i].UpdatedAt = now
	}

	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"total_operators", "updated_at"}),
	}).CreateInBatches(categories, s.upsertBatchSize()).Error
	if err != nil {
		return fmt.Errorf("upsert %d categories: %w", len(categories), err)
	}
	return nil
}

// UpsertCircles inserts or updates circles by code. Circles missing from the slice are kept.
func (s *Store) UpsertCircles(ctx context.Context, circles []Circle) error {
	if len(circles) == 0 {
		return nil
	}
	now := s.Now()
	for i := range circles {
		circles[i].UpdatedAt = now
	}

	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "short", "updated_at"}),
	}).CreateInBatches(circles, s.upsertBatchSize()).Error
	if err != nil {
		return fmt.Errorf("upsert %d circles: %w", len(circles), err)
	}
	return nil
}

// operatorListColumns are the columns a list sync overwrites. Params and DetailsAt belong to
// the details sync and survive a list sync.
var operatorListColumns = []string{
	"name", "service", "active", "min_paise", "max_paise", "bill_fetch",
	"support_validation", "bbps", "message", "description", "seen_at", "updated_at",
}

// SyncOperatorList stores ops as the complete, fresh list of service, in one transaction:
// every operator is inserted or updated in batches with Service set to service, and every
// stored active operator of service missing from ops is marked inactive. Pass only a complete
// list: a partial one would deactivate the operators on the missing pages.
func (s *Store) SyncOperatorList(ctx context.Context, service string, ops []Operator) (OperatorListResult, error) {
	now := s.Now()
	rows := make([]Operator, len(ops))
	fresh := make(map[string]bool, len(ops))
	for i, op := range ops {
		op.Service = service
		op.SeenAt = now
		op.UpdatedAt = now
		if op.Params == "" {
			op.Params = "[]"
		}
		rows[i] = op
		fresh[op.ID] = true
	}

	var result OperatorListResult
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		if len(rows) > 0 {
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "id"}},
				DoUpdates: clause.AssignmentColumns(operatorListColumns),
			}).CreateInBatches(rows, s.upsertBatchSize()).Error
			if err != nil {
				return fmt.Errorf("upsert: %w", err)
			}
		}
		result.Saved = len(rows)

		n, err := deactivateMissing(tx, service, fresh, now, s.upsertBatchSize())
		result.Deactivated = n
		return err
	})
	if err != nil {
		return OperatorListResult{}, fmt.Errorf("sync %d operators of %q: %w", len(ops), service, err)
	}
	return result, nil
}

// deactivateMissing marks inactive every active operator of service whose id is not in fresh.
func deactivateMissing(tx *gorm.DB, service string, fresh map[string]bool, now time.Time, batchSize int) (int, error) {
	var stored []string
	err := tx.Model(&Operator{}).Where("service = ? AND active = ?", service, true).Pluck("id", &stored).Error
	if err != nil {
		return 0, fmt.Errorf("list active operators: %w", err)
	}

	var missing []string
	for _, id := range stored {
		if !fresh[id] {
			missing = append(missing, id)
		}
	}

	for start := 0; start < len(missing); start += batchSize {
		batch := missing[start:min(start+batchSize, len(missing))]
		err := tx.Model(&Operator{}).Where("id IN ?", batch).
			Updates(map[string]any{"active": false, "updated_at": now}).Error
		if err != nil {
			return 0, fmt.Errorf("deactivate %d missing operators: %w", len(batch), err)
		}
	}
	return len(missing), nil
}

// OperatorsNeedingDetails returns up to limit active operators of services whose details
// were never fetched or were last fetched at or before staleAt, never-fetched first.
func (s *Store) OperatorsNeedingDetails(ctx context.Context, services []string, staleAt time.Time, limit int) ([]Operator, error) {
	var ops []Operator
	err := s.DB(ctx).
		Where("service IN ? AND active = ?", services, true).
		Where("details_at IS NULL OR details_at <= ?", staleAt.UTC()).
		Order("CASE WHEN details_at IS NULL THEN 0 ELSE 1 END").Order("details_at").Order("id").
		Limit(limit).Find(&ops).Error
	if err != nil {
		return nil, fmt.Errorf("list operators needing details: %w", err)
	}
	return ops, nil
}

// ApplyOperatorDetails updates the listed operators with their details in one transaction and
// returns how many rows it changed. Details of an id that is not stored are skipped, because a
// detail row carries no service to file the operator under.
func (s *Store) ApplyOperatorDetails(ctx context.Context, details []OperatorDetails) (int, error) {
	now := s.Now()
	updated := 0
	err := s.DB(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range details {
			params, err := json.Marshal(nonNil(d.Params))
			if err != nil {
				return fmt.Errorf("encode parameters of %s: %w", d.ID, err)
			}
			res := tx.Model(&Operator{}).Where("id = ?", d.ID).Updates(map[string]any{
				"active":             d.Active,
				"min_paise":          d.MinPaise,
				"max_paise":          d.MaxPaise,
				"bill_fetch":         d.BillFetch,
				"support_validation": d.SupportValidation,
				"bbps":               d.BBPS,
				"params":             string(params),
				"message":            d.Message,
				"details_at":         now,
				"updated_at":         now,
			})
			if res.Error != nil {
				return fmt.Errorf("update operator %s: %w", d.ID, res.Error)
			}
			updated += int(res.RowsAffected)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("apply details of %d operators: %w", len(details), err)
	}
	return updated, nil
}

func nonNil(labels []string) []string {
	if labels == nil {
		return []string{}
	}
	return labels
}
