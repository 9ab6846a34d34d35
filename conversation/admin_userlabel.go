package conversation

import (
	"context"
	"errors"
	"strconv"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// userLabelNameRunes is how much of a display name an admin reply shows.
const userLabelNameRunes = 40

// userLabel names a user to an admin by display name and a reference that FindUser accepts
// back: "Asha (tg:123456789)". A WhatsApp number is masked for anyone but its owner, so a user
// without a Telegram or console chat is named by internal id: "Ravi (#12, wa:******3210)".
func (t *turn) userLabel(ctx context.Context, user models.User) (string, error) {
	identities, err := t.e.store.Identities(ctx, user.ID)
	if err != nil {
		return "", err
	}

	ref, masked := "", ""
	for _, id := range identities {
		switch {
		case id.Channel == models.ChannelTelegram && ref == "":
			ref = "tg:" + id.ExternalID
		case id.Channel == models.ChannelWhatsApp && masked == "":
			masked = bot.Mask(id.ExternalID)
		}
	}
	for _, id := range identities {
		if id.Channel == models.ChannelConsole && ref == "" {
			ref = "console:" + id.ExternalID
		}
	}
	if ref == "" {
		ref = "#" + strconv.FormatInt(user.ID, 10)
	} else {
		masked = ""
	}
	return t.text(msgUserLabel, vars{"Name": clip(user.Name, userLabelNameRunes), "Ref": ref, "Masked": masked}), nil
}

// userLabelByID returns userLabel of the user with id, looking each user up once per labels
// map. A user missing from the store is named by internal id alone.
func (t *turn) userLabelByID(ctx context.Context, store opsStore, id int64, labels map[int64]string) (string, error) {
	if label, ok := labels[id]; ok {
		return label, nil
	}
	user, err := store.GetUser(ctx, id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		user = models.User{ID: id}
	case err != nil:
		return "", err
	}
	label, err := t.userLabel(ctx, user)
	if err != nil {
		return "", err
	}
	labels[id] = label
	return label, nil
}
