package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Role decides which commands a user may run.
type Role string

// The roles. Every new user is a customer, and admins come from configuration or SetRole.
const (
	RoleCustomer Role = "customer"
	RoleAgent    Role = "agent"
	RoleAdmin    Role = "admin"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	return r == RoleCustomer || r == RoleAgent || r == RoleAdmin
}

// Channel names as stored in Identity.Channel. They equal the bot package's channel names.
const (
	ChannelTelegram = "telegram"
	ChannelWhatsApp = "whatsapp"
	ChannelConsole  = "console"
)

// Errors of user lookups.
var (
	ErrAmbiguousUser = errors.New("ambiguous user reference")
	ErrInvalidRole   = errors.New("invalid role")
)

// User is a person who owns one wallet, whatever the channels they chat on.
type User struct {
	ID        int64  `gorm:"primaryKey"`
	Role      Role   `gorm:"size:16;not null;default:customer"`
	Name      string `gorm:"size:128;not null;default:''"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Identity is a user's account on one channel. ExternalID is the sender id on the channel
// (a Telegram user id, a WhatsApp phone number as digits with the country code). ChatID is
// the chat where notifications for that user go.
type Identity struct {
	ID         int64  `gorm:"primaryKey"`
	UserID     int64  `gorm:"not null;index"`
	Channel    string `gorm:"size:16;not null;uniqueIndex:idx_identities_channel_external"`
	ExternalID string `gorm:"size:64;not null;uniqueIndex:idx_identities_channel_external"`
	ChatID     string `gorm:"size:64;not null"`
	// Unreachable is set when a delivery reported that the chat blocks the bot, and cleared
	// when the user writes again.
	Unreachable bool `gorm:"not null;default:false"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func init() { register(&User{}, &Identity{}) }

// EnsureUser returns the user behind (channel, externalID), creating the user, the identity
// and an empty wallet on first contact. On later calls it records a changed chat id or display
// name and clears the unreachable mark, because a user who writes can be written to.
func (s *Store) EnsureUser(ctx context.Context, channel, externalID, chatID, displayName string) (User, error) {
	if channel == "" || externalID == "" {
		return User{}, fmt.Errorf("ensure user: missing channel or external id")
	}

	var user User
	attempt := func() error {
		return s.DB(ctx).Transaction(func(tx *gorm.DB) error {
			var err error
			user, err = s.ensureUserTx(tx, channel, externalID, chatID, displayName)
			return err
		})
	}

	err := attempt()
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Another process created the same identity between our lookup and insert, so it exists now.
		err = attempt()
	}
	if err != nil {
		return User{}, fmt.Errorf("ensure user %s: %w", channel, err)
	}
	return user, nil
}

func (s *Store) ensureUserTx(tx *gorm.DB, channel, externalID, chatID, displayName string) (User, error) {
	now := dbTime(s.Now())

	var identity Identity
	err := tx.Where("channel = ? AND external_id = ?", channel, externalID).Take(&identity).Error
	if err == nil {
		return s.refreshIdentity(tx, identity, chatID, displayName, now)
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, err
	}

	user := User{Role: RoleCustomer, Name: displayName, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&user).Error; err != nil {
		return User{}, err
	}
	identity = Identity{
		UserID: user.ID, Channel: channel, ExternalID: externalID, ChatID: chatID,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.Create(&identity).Error; err != nil {
		return User{}, err
	}
	if err := tx.Create(&Wallet{UserID: user.ID, UpdatedAt: now}).Error; err != nil {
		return User{}, err
	}
	return user, nil
}

// refreshIdentity writes only what changed, so that the common case (a known user writing
// again from the same chat) costs no write.
func (s *Store) refreshIdentity(tx *gorm.DB, identity Identity, chatID, displayName string, now time.Time) (User, error) {
	if identity.Unreachable || (chatID != "" && chatID != identity.ChatID) {
		updates := map[string]any{"unreachable": false, "updated_at": now}
		if chatID != "" {
			updates["chat_id"] = chatID
		}
		if err := tx.Model(&Identity{}).Where("id = ?", identity.ID).Updates(updates).Error; err != nil {
			return User{}, err
		}
	}

	var user User
	if err := tx.Take(&user, identity.UserID).Error; err != nil {
		return User{}, err
	}
	if displayName != "" && displayName != user.Name {
		user.Name = displayName
		user.UpdatedAt = now
		err := tx.Model(&User{}).Where("id = ?", user.ID).
			Updates(map[string]any{"name": displayName, "updated_at": now}).Error
		if err != nil {
			return User{}, err
		}
	}
	return user, nil
}

// GetUser returns the user with id, or ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	var user User
	if err := s.DB(ctx).Take(&user, id).Error; err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, notFound(err))
	}
	return user, nil
}

// FindUser resolves an admin's reference to a user: "tg:ID" is a Telegram user id, "wa:PHONE"
// a WhatsApp number, "console:NAME" a terminal chat user, "#ID" the internal user id (User.ID),
// and bare digits either of the first two. Phone numbers may carry +91, a leading 0, spaces or
// dashes. Bare digits that name a Telegram user and a different WhatsApp user return
// ErrAmbiguousUser, so that money never goes to the wrong person. No match returns ErrNotFound.
// Errors never contain the reference, because it may be a phone number.
func (s *Store) FindUser(ctx context.Context, ref string) (User, error) {
	ref = strings.TrimSpace(ref)
	lower := strings.ToLower(ref)

	switch {
	case strings.HasPrefix(lower, "tg:"):
		return s.userByIdentity(ctx, ChannelTelegram, strings.TrimSpace(ref[3:]))
	case strings.HasPrefix(lower, "wa:"):
		return s.userByIdentity(ctx, ChannelWhatsApp, NormalizePhone(ref[3:]))
	case strings.HasPrefix(lower, "console:"):
		return s.userByIdentity(ctx, ChannelConsole, strings.TrimSpace(ref[len("console:"):]))
	case strings.HasPrefix(ref, "#"):
		return s.userByInternalID(ctx, strings.TrimSpace(ref[1:]))
	}

	digits := stripPhoneSeparators(ref)
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return User{}, fmt.Errorf("find user: %w: expected tg:ID, wa:PHONE, #ID or digits", ErrNotFound)
	}

	byTelegram, errTelegram := s.userByIdentity(ctx, ChannelTelegram, digits)
	byPhone, errPhone := s.userByIdentity(ctx, ChannelWhatsApp, NormalizePhone(digits))
	switch {
	case errTelegram == nil && errPhone == nil && byTelegram.ID != byPhone.ID:
		return User{}, fmt.Errorf("find user: %w: a Telegram user and a WhatsApp user match, use tg:ID or wa:PHONE", ErrAmbiguousUser)
	case errTelegram == nil:
		return byTelegram, nil
	case !errors.Is(errTelegram, ErrNotFound):
		return User{}, errTelegram
	default:
		return byPhone, errPhone
	}
}

// userByInternalID returns the user whose User.ID is written in digits, or ErrNotFound.
func (s *Store) userByInternalID(ctx context.Context, digits string) (User, error) {
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 || strings.Trim(digits, "0123456789") != "" {
		return User{}, fmt.Errorf("find user: %w: expected #ID with ID in digits", ErrNotFound)
	}
	return s.GetUser(ctx, id)
}

func (s *Store) userByIdentity(ctx context.Context, channel, externalID string) (User, error) {
	var user User
	err := s.DB(ctx).Joins("JOIN identities ON identities.user_id = users.id").
		Where("identities.channel = ? AND identities.external_id = ?", channel, externalID).
		Take(&user).Error
	if err != nil {
		return User{}, fmt.Errorf("find %s user: %w", channel, notFound(err))
	}
	return user, nil
}

// NormalizePhone turns an Indian mobile number as people type it (+91 98765 43210,
// 098765-43210, 9876543210) into WhatsApp's form, 91 followed by the 10 digits. Other input
// comes back with only the separators removed.
func NormalizePhone(s string) string {
	digits := stripPhoneSeparators(s)
	switch {
	case len(digits) == 10:
		return "91" + digits
	case len(digits) == 11 && digits[0] == '0':
		return "91" + digits[1:]
	case len(digits) == 13 && strings.HasPrefix(digits, "091"):
		return digits[1:]
	}
	return digits
}

func stripPhoneSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '+', '(', ')', '.':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// SetRole changes a user's role. It returns ErrInvalidRole for an unknown role and ErrNotFound
// for an unknown user.
func (s *Store) SetRole(ctx context.Context, userID int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("set role %q: %w", role, ErrInvalidRole)
	}
	result := s.DB(ctx).Model(&User{}).Where("id = ?", userID).
		Updates(map[string]any{"role": role, "updated_at": dbTime(s.Now())})
	if result.Error != nil {
		return fmt.Errorf("set role of user %d: %w", userID, result.Error)
	}
	if result.RowsAffected == 0 {
		return fmt.Errorf("set role of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// Identities returns the user's chat identities, oldest first.
func (s *Store) Identities(ctx context.Context, userID int64) ([]Identity, error) {
	var identities []Identity
	if err := s.DB(ctx).Where("user_id = ?", userID).Order("id").Find(&identities).Error; err != nil {
		return nil, fmt.Errorf("list identities of user %d: %w", userID, err)
	}
	return identities, nil
}

// IdentitiesWithRole returns the identities on channel of every user whose role is role, for
// setting per-chat command menus at start.
func (s *Store) IdentitiesWithRole(ctx context.Context, channel string, role Role) ([]Identity, error) {
	var identities []Identity
	err := s.DB(ctx).
		Joins("JOIN users ON users.id = identities.user_id").
		Where("identities.channel = ? AND users.role = ?", channel, role).
		Order("identities.id").Find(&identities).Error
	if err != nil {
		return nil, fmt.Errorf("list %s identities of %s users: %w", channel, role, err)
	}
	return identities, nil
}

// MarkUnreachable flags every identity that chats in (channel, chatID) as unreachable. A chat
// without an identity is not an error.
func (s *Store) MarkUnreachable(ctx context.Context, channel, chatID string) error {
	err := s.DB(ctx).Model(&Identity{}).Where("channel = ? AND chat_id = ?", channel, chatID).
		Updates(map[string]any{"unreachable": true, "updated_at": dbTime(s.Now())}).Error
	if err != nil {
		return fmt.Errorf("mark %s chat unreachable: %w", channel, err)
	}
	return nil
}

// notFound maps GORM's missing-row error to ErrNotFound and passes others through.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// dbTime converts t to the form every stored time has: UTC, at PostgreSQL's microsecond
// precision. SQLite stores times as text, so comparisons there are only correct between times
// written in one zone.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
