package conversation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// runNumbers manages saved numbers: "/numbers" lists them, "/numbers add NAME NUMBER" saves
// one and "/numbers remove NAME" deletes one.
func runNumbers(ctx context.Context, t *turn, args string) error {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return t.listNumbers(ctx)
	}
	switch strings.ToLower(fields[0]) {
	case "add", "save":
		if len(fields) < 3 {
			break
		}
		return t.addNumber(ctx, fields[1], strings.Join(fields[2:], " "))
	case "remove", "delete", "rm":
		if len(fields) != 2 {
			break
		}
		return t.removeNumber(ctx, fields[1])
	}
	t.say(msgNumbersUsage, nil)
	return nil
}

// listNumbers lists the saved numbers, each also an option that starts its recharge.
func (t *turn) listNumbers(ctx context.Context) error {
	saved, err := t.e.store.SavedNumbers(ctx, t.user.ID)
	if err != nil {
		return err
	}
	if len(saved) == 0 {
		t.say(msgNumbersEmpty, nil)
		return nil
	}
	lines := make([]string, len(saved))
	options := make([]bot.Option, len(saved))
	for i, n := range saved {
		lines[i] = n.Name + ": " + n.Number
		options[i] = bot.Option{Label: n.Name, Data: "/recharge " + n.Number}
	}
	t.ask(msgNumbersList, vars{"Numbers": lines}, options...)
	return nil
}

func (t *turn) addNumber(ctx context.Context, nameText, numberText string) error {
	name, ok := parseNickname(nameText)
	if !ok {
		t.say(msgBadNickname, nil)
		return nil
	}
	number, ok := parseMobile(numberText)
	if !ok {
		t.say(msgHintNumber, nil)
		return nil
	}
	err := t.e.store.SaveNumber(ctx, models.SavedNumber{UserID: t.user.ID, Name: name, Number: number})
	if key, ok := userMessage(err); ok {
		t.say(key, vars{"Max": strconv.Itoa(models.MaxSavedNumbers)})
		return nil
	}
	if err != nil {
		return err
	}
	t.say(msgNumberSaved, vars{"Name": name, "Number": number})
	return nil
}

func (t *turn) removeNumber(ctx context.Context, nameText string) error {
	name := strings.ToLower(strings.TrimSpace(nameText))
	err := t.e.store.RemoveSavedNumber(ctx, t.user.ID, name)
	if errors.Is(err, models.ErrNotFound) {
		t.say(msgNumberNotFound, vars{"Name": clip(name, 20)})
		return nil
	}
	if err != nil {
		return err
	}
	t.say(msgNumberRemoved, vars{"Name": name})
	return nil
}
