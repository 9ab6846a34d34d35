package conversation

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/models"
)

// command is one slash command. Each file that adds commands registers them in an init
// function with registerCommand, so the table grows without touching this file.
type command struct {
	// Name is the command without its slash, in lower case.
	Name string
	// Description is the catalogue key of the one-line description shown by /help and in
	// the channel's command menu.
	Description msgKey
	// Roles may run the command; empty means everyone.
	Roles []models.Role
	// Order places the command in /help and menus, lowest first.
	Order int
	// Run handles the command; args is the text after the name, trimmed.
	Run func(ctx context.Context, t *turn, args string) error
}

// allowed reports whether role may run the command.
func (c command) allowed(role models.Role) bool {
	return len(c.Roles) == 0 || slices.Contains(c.Roles, role)
}

// commands holds every registered command by name.
var commands = map[string]command{}

// registerCommand adds c to the table. It panics at start-up for a second command of the same
// name, which is a programming error.
func registerCommand(c command) {
	if _, ok := commands[c.Name]; ok {
		panic("conversation: command /" + c.Name + " registered twice")
	}
	commands[c.Name] = c
}

// addMessages adds the texts of another file's commands to a language's catalogue. Call it
// from an init function, before any Engine compiles the catalogue.
func addMessages(language string, c Catalog) {
	for key, text := range c {
		catalogs[language][key] = text
	}
}

// wordCommands are plain words that act as commands in every state. Greetings start over, so
// a first "hi" gets the welcome rather than a hint.
var wordCommands = map[string]string{
	"back": "back", "cancel": "cancel", "stop": "cancel", "help": "help", "menu": "start", "start": "start",
	"hi": "start", "hello": "start", "hey": "start", "namaste": "start",
}

// Commands returns the commands role may use, in menu order, with English descriptions, for
// the channels' command menus.
func Commands(role models.Role) []bot.Command {
	compiled, err := englishTexts()
	if err != nil {
		return nil
	}
	var out []bot.Command
	for _, c := range sortedCommands(role) {
		out = append(out, bot.Command{Name: c.Name, Description: compiled.render(c.Description, nil)})
	}
	return out
}

// englishTexts compiles the English catalogue once, after every init has added its texts.
var englishTexts = sync.OnceValues(func() (texts, error) { return compile(catalogs["en"]) })

func sortedCommands(role models.Role) []command {
	var list []command
	for _, c := range commands {
		if c.allowed(role) {
			list = append(list, c)
		}
	}
	slices.SortFunc(list, func(a, b command) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Name, b.Name)
	})
	return list
}

// command runs a slash command after checking the sender's role.
func (t *turn) command(ctx context.Context, name, args string) error {
	c, ok := commands[name]
	if !ok {
		t.say(msgUnknownCommand, vars{"Name": name})
		return nil
	}
	if !c.allowed(t.user.Role) {
		t.e.log.Info("Refused a command for the sender's role", "user_id", t.user.ID, "command", name, "role", t.user.Role)
		t.say(msgNotAllowed, vars{"Name": name})
		return nil
	}
	return c.Run(ctx, t, args)
}

func init() {
	for _, c := range []command{
		{Name: "start", Description: cmdPrefix + "start", Order: 10, Run: runStart},
		{Name: "help", Description: cmdPrefix + "help", Order: 20, Run: runHelp},
		{Name: "recharge", Description: cmdPrefix + "recharge", Order: 30, Run: runRecharge},
		{Name: "dth", Description: cmdPrefix + "dth", Order: 40, Run: runDTH},
		{Name: "repeat", Description: cmdPrefix + "repeat", Order: 50, Run: runRepeat},
		{Name: "balance", Description: cmdPrefix + "balance", Order: 60, Run: runBalance},
		{Name: "history", Description: cmdPrefix + "history", Order: 70, Run: runHistory},
		{Name: "status", Description: cmdPrefix + "status", Order: 80, Run: runStatus},
		{Name: "numbers", Description: cmdPrefix + "numbers", Order: 90, Run: runNumbers},
		{Name: "back", Description: cmdPrefix + "back", Order: 100, Run: runBack},
		{Name: "cancel", Description: cmdPrefix + "cancel", Order: 110, Run: runCancel},
	} {
		registerCommand(c)
	}
}

// runStart greets the user with their balance and the main choices, and ends any recharge
// in progress.
func runStart(ctx context.Context, t *turn, _ string) error {
	balance, err := t.e.store.Balance(ctx, t.user.ID)
	if err != nil {
		return err
	}
	if t.state() != stateIdle && t.state() != statePaying {
		t.flow.reset()
		if err := t.fire(ctx, evCancel); err != nil {
			return err
		}
	}
	if t.e.cfg.Simulated {
		t.say(msgSimulation, nil)
	}
	t.ask(msgWelcome, vars{"Name": t.user.Name, "Balance": balance},
		t.option(optMobile, "/recharge", nil),
		t.option(optDTH, "/dth", nil),
		t.option(optRepeat, "/repeat", nil),
		t.option(optBalance, "/balance", nil),
		t.option(optHistory, "/history", nil),
	)
	return nil
}

func runHelp(_ context.Context, t *turn, _ string) error {
	var list []bot.Command
	for _, c := range sortedCommands(t.user.Role) {
		list = append(list, bot.Command{Name: c.Name, Description: t.text(c.Description, nil)})
	}
	t.say(msgHelp, vars{"Commands": list})
	return nil
}

// runRecharge starts a mobile recharge; "/recharge NUMBER [AMOUNT]" starts it with the number.
func runRecharge(ctx context.Context, t *turn, args string) error {
	if args != "" {
		if number, amount, ok := parseNumberAmount(args); ok {
			return t.startMobile(ctx, number, amount)
		}
		if number, ok := parseMobile(args); ok {
			return t.startMobile(ctx, number, 0)
		}
	}
	t.flow.reset()
	return t.fire(ctx, evStartMobile)
}

func runDTH(ctx context.Context, t *turn, _ string) error { return t.startDTH(ctx) }

func runBack(ctx context.Context, t *turn, _ string) error { return t.back(ctx) }

func runCancel(ctx context.Context, t *turn, _ string) error { return t.cancel(ctx) }

func runBalance(ctx context.Context, t *turn, _ string) error {
	balance, err := t.e.store.Balance(ctx, t.user.ID)
	if err != nil {
		return err
	}
	t.say(msgBalance, vars{"Balance": balance})
	return nil
}
