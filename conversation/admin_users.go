package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// adminOnly is the role list of admin commands.
var adminOnly = []models.Role{models.RoleAdmin}

// userOrdersShown is how many of a user's latest orders /user lists.
const userOrdersShown = 5

func init() {
	for _, c := range []command{
		{Name: "debit", Description: cmdPrefix + "debit", Order: 201, Roles: adminOnly, Run: runDebit},
		{Name: "grant", Description: cmdPrefix + "grant", Order: 210, Roles: adminOnly, Run: runGrant},
		{Name: "revoke", Description: cmdPrefix + "revoke", Order: 211, Roles: adminOnly, Run: runRevoke},
		{Name: "user", Description: cmdPrefix + "user", Order: 220, Roles: adminOnly, Run: runUser},
	} {
		registerCommand(c)
	}
}

// findUser resolves an admin's reference to a user (a Telegram user id, a phone number, tg:ID,
// wa:PHONE or the #ID that userLabel shows), telling the admin when none or several match.
func (t *turn) findUser(ctx context.Context, ref string) (models.User, bool, error) {
	user, err := t.e.store.FindUser(ctx, ref)
	switch {
	case errors.Is(err, models.ErrNotFound):
		t.say(msgUserNotFound, vars{"Ref": clip(ref, 32)})
		return models.User{}, false, nil
	case errors.Is(err, models.ErrAmbiguousUser):
		t.say(msgUserAmbiguous, vars{"Ref": clip(ref, 32)})
		return models.User{}, false, nil
	case err != nil:
		return models.User{}, false, err
	}
	return user, true, nil
}

// runGrant makes a customer an agent: "/grant USER".
func runGrant(ctx context.Context, t *turn, args string) error {
	return t.changeRole(ctx, args, models.RoleAgent, msgGrantUsage, msgGrantDone, msgGrantNotice)
}

// runRevoke makes an agent a customer again: "/revoke USER".
func runRevoke(ctx context.Context, t *turn, args string) error {
	return t.changeRole(ctx, args, models.RoleCustomer, msgRevokeUsage, msgRevokeDone, msgRevokeNotice)
}

// changeRole sets the role of the user named in args and sends them a notice. Admins come from
// the configuration, so their role is never changed here.
func (t *turn) changeRole(ctx context.Context, args string, role models.Role, usage, done, notice msgKey) error {
	if args == "" {
		t.say(usage, nil)
		return nil
	}
	target, ok, err := t.findUser(ctx, args)
	if !ok {
		return err
	}
	label, err := t.userLabel(ctx, target)
	if err != nil {
		return err
	}
	switch target.Role {
	case models.RoleAdmin:
		t.say(msgRoleAdmin, vars{"User": label})
		return nil
	case role:
		t.say(msgRoleSame, vars{"User": label, "Role": string(role)})
		return nil
	}

	if err := t.e.store.SetRole(ctx, target.ID, role); err != nil {
		return err
	}
	t.acted = true
	t.e.log.Info("Admin changed a user's role", "user_id", target.ID, "actor_user_id", t.user.ID,
		"from", target.Role, "to", role)
	if t.e.cfg.RoleChanged != nil {
		t.e.cfg.RoleChanged(ctx, target.ID, role)
	}
	t.say(done, vars{"User": label})
	return t.e.tellUser(ctx, target.ID, t.text(notice, nil))
}

// runDebit takes money from a user's wallet: "/debit USER AMOUNT NOTE". The note is required
// because a debit needs a reason on record. The same inbound update delivered twice debits once.
func runDebit(ctx context.Context, t *turn, args string) error {
	ref, amount, note, ok := splitCreditArgs(args)
	if !ok || note == "" {
		t.say(msgDebitUsage, nil)
		return nil
	}
	if t.noteTooLong(note) {
		return nil
	}
	target, ok, err := t.findUser(ctx, ref)
	if !ok {
		return err
	}
	label, err := t.userLabel(ctx, target)
	if err != nil {
		return err
	}

	change := models.WalletChange{
		UserID: target.ID, AmountPaise: -amount, Kind: models.LedgerDebit, Note: note, ActorUserID: t.user.ID,
	}
	change.RefKey = walletRefKey("debit", t.in, args)
	entry, err := t.e.store.AdjustWallet(ctx, change)
	var short *models.InsufficientFundsError
	duplicate := errors.Is(err, models.ErrDuplicateRef)
	switch {
	case errors.As(err, &short):
		t.say(msgDebitShort, vars{"User": label, "Balance": short.BalancePaise, "Amount": amount})
		return nil
	case err != nil && !duplicate:
		return err
	}
	t.acted = true

	t.e.log.Info("Admin debited a wallet", "user_id", target.ID, "actor_user_id", t.user.ID, "amount_paise", amount)
	t.say(msgDebitDone, vars{"Amount": amount, "User": label, "Balance": entry.BalanceAfterPaise})
	if duplicate {
		return nil
	}
	return t.e.tellUser(ctx, target.ID, t.text(msgDebitNotice, vars{
		"Amount": amount, "Note": change.Note, "Balance": entry.BalanceAfterPaise,
	}))
}

// runUser shows a user to an admin: role, balance, chats and latest orders. Phone numbers
// and recharged numbers are masked, because the admin is not their owner.
func runUser(ctx context.Context, t *turn, args string) error {
	if args == "" {
		t.say(msgUserUsage, nil)
		return nil
	}
	target, ok, err := t.findUser(ctx, args)
	if !ok {
		return err
	}
	balance, err := t.e.store.Balance(ctx, target.ID)
	if err != nil {
		return err
	}
	identities, err := t.e.store.Identities(ctx, target.ID)
	if err != nil {
		return err
	}
	orders, err := t.e.store.UserOrders(ctx, target.ID, userOrdersShown, 0)
	if err != nil {
		return err
	}
	label, err := t.userLabel(ctx, target)
	if err != nil {
		return err
	}

	chats := make([]string, len(identities))
	for i, id := range identities {
		chats[i] = id.Channel + " " + maskedExternalID(id)
		if id.Unreachable {
			chats[i] += " (" + t.text(msgUnreachable, nil) + ")"
		}
	}
	lines := make([]string, len(orders))
	for i, o := range orders {
		lines[i] = t.adminOrderLine(o, label)
	}
	t.say(msgUserInfo, vars{
		"User": label, "Role": string(target.Role), "Balance": balance,
		"Chats": strings.Join(chats, ", "), "Orders": lines, "Since": dateTime(target.CreatedAt),
	})
	return nil
}

// maskedExternalID masks a WhatsApp phone number and shows a Telegram user id or a console
// name as it is.
func maskedExternalID(id models.Identity) string {
	if id.Channel == models.ChannelWhatsApp {
		return bot.Mask(id.ExternalID)
	}
	return id.ExternalID
}

// adminOrderLine is one order in an admin's list, with the number masked and the user as
// userLabel names them: "26120412345678 · 04 Dec 14:05 · Asha (tg:123456789) · ₹199 ·
// ******3210 · Airtel · pending".
func (t *turn) adminOrderLine(o models.Order, user string) string {
	status := string(o.Status)
	if o.Checks > 0 {
		status += " (" + strconv.Itoa(o.Checks) + " checks)"
	}
	return strings.Join([]string{
		strconv.FormatInt(o.ID, 10), dateTime(o.CreatedAt), user,
		formatRupees(o.AmountPaise), bot.Mask(o.Number), o.OperatorName, status,
	}, " · ")
}

// tellUser queues text for the user's first reachable chat; a user without one is skipped.
func (e *Engine) tellUser(ctx context.Context, userID int64, text string) error {
	identities, err := e.store.Identities(ctx, userID)
	if err != nil {
		return err
	}
	for _, id := range identities {
		if id.Unreachable || id.ChatID == "" {
			continue
		}
		err := e.store.Enqueue(ctx, models.OutboxMessage{Channel: id.Channel, ChatID: id.ChatID, Text: text, Kind: models.OutboxNotice})
		if err != nil {
			return err
		}
		e.notify()
		return nil
	}
	return nil
}
