package conversation

import (
	"context"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// KwikAPI is the part of the KwikAPI client the conversation uses. *kwik.Client implements it.
type KwikAPI interface {
	Detect(ctx context.Context, number string) (kwik.Detection, error)
	Plans(ctx context.Context, opid, circleCode string) (kwik.PlanList, error)
	DTHPlans(ctx context.Context, opid string) (kwik.PlanList, error)
	ROffers(ctx context.Context, opid, mobile string) ([]kwik.Offer, error)
	Recharge(ctx context.Context, r kwik.RechargeRequest) (kwik.RechargeResult, error)
}

// Store is the persistence the conversation uses. *models.Store implements it.
type Store interface {
	EnsureUser(ctx context.Context, channel, externalID, chatID, displayName string) (models.User, error)
	SetRole(ctx context.Context, userID int64, role models.Role) error
	FindUser(ctx context.Context, ref string) (models.User, error)
	Identities(ctx context.Context, userID int64) ([]models.Identity, error)

	LockKey(ctx context.Context, key string) (unlock func(), err error)
	LoadSession(ctx context.Context, key string) (models.Session, error)
	SaveSession(ctx context.Context, session *models.Session) error

	Operators(ctx context.Context, service string, activeOnly bool) ([]models.Operator, error)
	Operator(ctx context.Context, id string) (models.Operator, error)
	Circles(ctx context.Context) ([]models.Circle, error)
	Circle(ctx context.Context, code string) (models.Circle, error)
	CachedPlans(ctx context.Context, key string, maxAge time.Duration) ([]byte, error)
	StorePlans(ctx context.Context, key string, data []byte) error

	Balance(ctx context.Context, userID int64) (int64, error)
	AdjustWallet(ctx context.Context, change models.WalletChange) (models.LedgerEntry, error)
	PlaceOrder(ctx context.Context, in models.NewOrder) (models.Order, error)
	RecordOutcome(ctx context.Context, orderID int64, out models.Outcome, notify ...models.OutboxMessage) (models.Order, bool, error)
	GetOrder(ctx context.Context, id int64) (models.Order, error)
	UserOrders(ctx context.Context, userID int64, limit, offset int) ([]models.Order, error)
	RecentSuccess(ctx context.Context, userID int64, number string, amountPaise int64, since time.Time) (models.Order, error)
	LastOrder(ctx context.Context, userID int64) (models.Order, error)
	Enqueue(ctx context.Context, msgs ...models.OutboxMessage) error

	SaveNumber(ctx context.Context, n models.SavedNumber) error
	SavedNumbers(ctx context.Context, userID int64) ([]models.SavedNumber, error)
	SavedNumber(ctx context.Context, userID int64, name string) (models.SavedNumber, error)
	RemoveSavedNumber(ctx context.Context, userID int64, name string) error
}

var (
	_ KwikAPI = (*kwik.Client)(nil)
	_ Store   = (*models.Store)(nil)
)
