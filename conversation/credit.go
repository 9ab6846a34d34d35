package conversation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

func init() {
	registerCommand(command{
		Name: "credit", Description: cmdPrefix + "credit", Order: 200,
		Roles: []models.Role{models.RoleAdmin}, Run: runCredit,
	})
}

// runCredit adds money to a user's wallet: "/credit USER AMOUNT [note]", where USER is a
// Telegram user id or a phone number (or tg:ID, wa:PHONE). The same inbound update delivered
// twice credits once. The credited user is notified through the outbox.
func runCredit(ctx context.Context, t *turn, args string) error {
	ref, amount, note, ok := splitCreditArgs(args)
	if !ok {
		t.say(msgCreditUsage, nil)
		return nil
	}
	if t.noteTooLong(note) {
		return nil
	}

	target, err := t.e.store.FindUser(ctx, ref)
	switch {
	case errors.Is(err, models.ErrNotFound):
		t.say(msgUserNotFound, vars{"Ref": clip(ref, 32)})
		return nil
	case errors.Is(err, models.ErrAmbiguousUser):
		t.say(msgUserAmbiguous, vars{"Ref": clip(ref, 32)})
		return nil
	case err != nil:
		return err
	}
	label, err := t.userLabel(ctx, target)
	if err != nil {
		return err
	}

	change := models.WalletChange{
		UserID: target.ID, AmountPaise: amount, Kind: models.LedgerCredit, Note: note, ActorUserID: t.user.ID,
	}
	change.RefKey = walletRefKey("credit", t.in, args)
	entry, err := t.e.store.AdjustWallet(ctx, change)
	duplicate := errors.Is(err, models.ErrDuplicateRef)
	if err != nil && !duplicate {
		return err
	}
	t.acted = true

	t.e.log.Info("Admin credited a wallet", "user_id", target.ID, "actor_user_id", t.user.ID, "amount_paise", amount)
	t.say(msgCreditDone, vars{"Amount": amount, "User": label, "Balance": entry.BalanceAfterPaise})
	if duplicate {
		return nil
	}
	return t.tellCredit(ctx, target.ID, entry)
}

// splitCreditArgs splits "USER AMOUNT [note]". USER may be a phone number written with
// spaces ("+91 98765 43210"), so the longest run of leading words that reads as a mobile
// number is taken as USER; otherwise USER is the first word.
func splitCreditArgs(args string) (ref string, amountPaise int64, note string, ok bool) {
	fields := strings.Fields(args)
	for split := len(fields) - 1; split >= 1; split-- {
		if _, mobile := parseMobile(strings.Join(fields[:split], " ")); !mobile {
			continue
		}
		if amount, err := parseAmount(fields[split]); err == nil {
			return strings.Join(fields[:split], " "), amount, strings.Join(fields[split+1:], " "), true
		}
	}
	if len(fields) < 2 {
		return "", 0, "", false
	}
	amount, err := parseAmount(fields[1])
	if err != nil {
		return "", 0, "", false
	}
	return fields[0], amount, strings.Join(fields[2:], " "), true
}

// maxNoteRunes is the longest note a wallet change may carry, in characters.
const maxNoteRunes = 200

// noteTooLong reports whether a wallet change's note is longer than maxNoteRunes. When it is,
// it adds a reply with the limit.
func (t *turn) noteTooLong(note string) bool {
	if utf8.RuneCountInString(note) <= maxNoteRunes {
		return false
	}
	t.say(msgNoteTooLong, vars{"Max": maxNoteRunes})
	return true
}

// tellCredit queues a message about a credit to the credited user's first reachable chat.
func (t *turn) tellCredit(ctx context.Context, userID int64, entry models.LedgerEntry) error {
	e := t.e
	identities, err := e.store.Identities(ctx, userID)
	if err != nil {
		return err
	}
	for _, id := range identities {
		if id.Unreachable || id.ChatID == "" {
			continue
		}
		text := e.texts.render(msgCreditNotice, vars{"Amount": entry.AmountPaise, "Balance": entry.BalanceAfterPaise})
		err := e.store.Enqueue(ctx, models.OutboxMessage{
			Channel: id.Channel, ChatID: id.ChatID, Text: text, Kind: models.OutboxNotice,
		})
		if err != nil {
			return err
		}
		t.wake = true
		return nil
	}
	return nil
}

// walletRefKey returns the idempotency key of an admin's /credit or /debit, so that an update
// delivered twice changes the wallet once, or "" when the channel gives no update id. An
// update id alone can come back, because the Telegram Bot API picks the next id at random
// after a week without updates (Update.update_id). So the key also holds the chat and a digest
// of the arguments, and a later command under a reused id is a new change.
func walletRefKey(kind string, in bot.Inbound, args string) string {
	if in.UpdateID == "" {
		return ""
	}
	digest := sha256.Sum256([]byte(args))
	return kind + ":" + string(in.Chat.Channel) + ":" + in.Chat.ID + ":" + in.UpdateID + ":" + hex.EncodeToString(digest[:8])
}
