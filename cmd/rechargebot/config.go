package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/rechargebot/rechargebot/models"
)

// Config is the whole service configuration, read once from environment variables.
// --help prints each field's help tag. A field tagged secret may instead be read from the file
// that the same variable with a _FILE suffix names.
type Config struct {
	DatabaseURL      string `env:"DATABASE_URL" secret:"true" help:"PostgreSQL connection URL; empty uses the embedded SQLite file"`
	DatabaseMaxConns int    `env:"DATABASE_MAX_CONNS" envDefault:"40" help:"maximum PostgreSQL connections of this process; keep instances × this under the server's max_connections"`
	DataDir          string `env:"DATA_DIR" envDefault:"." help:"directory of the SQLite file rechargebot.db when DATABASE_URL is empty"`

	KwikAPIBaseURL         string        `env:"KWIKAPI_BASE_URL" help:"KwikAPI base URL, e.g. https://www.kwikapi.com or https://uat.kwikapi.com; required with KWIKAPI_API_KEY, empty for the built-in simulator"`
	KwikAPIKey             string        `env:"KWIKAPI_API_KEY" secret:"true" help:"KwikAPI api_key; empty runs the built-in simulator"`
	KwikAPISimulator       bool          `env:"KWIKAPI_SIMULATOR" envDefault:"false" help:"let serve run on the built-in simulator when KWIKAPI_API_KEY is empty, for demos only: wallets are debited for recharges that are never sent"`
	KwikAPITimeout         time.Duration `env:"KWIKAPI_TIMEOUT" envDefault:"15s" help:"timeout of one KwikAPI read call (duration)"`
	KwikAPIRechargeTimeout time.Duration `env:"KWIKAPI_RECHARGE_TIMEOUT" envDefault:"60s" help:"timeout of one recharge call; past it the outcome is unknown and is polled (duration)"`

	// Daily KwikAPI call budgets, counted per India-time day in the database. The defaults of
	// the catalog and polling endpoints are KwikAPI's documented daily limits.
	BudgetCategories      int `env:"KWIKAPI_BUDGET_CATEGORIES" envDefault:"10" help:"calls per India day to the category list (Service-Category-List.php); 0 means no limit"`
	BudgetOperators       int `env:"KWIKAPI_BUDGET_OPERATORS" envDefault:"20" help:"calls per India day to the operator list, one per page (operator_codes.php); 0 means no limit"`
	BudgetOperatorDetails int `env:"KWIKAPI_BUDGET_OPERATOR_DETAILS" envDefault:"20" help:"calls per India day to operator details (operatorFetch.php); 0 means no limit"`
	BudgetCircles         int `env:"KWIKAPI_BUDGET_CIRCLES" envDefault:"2" help:"calls per India day to the circle list (circle_codes.php); 0 means no limit"`
	BudgetStatus          int `env:"KWIKAPI_BUDGET_STATUS" envDefault:"100" help:"calls per India day to the order status check (status.php); 0 means no limit"`
	BudgetBalance         int `env:"KWIKAPI_BUDGET_BALANCE" envDefault:"48" help:"calls per India day to the merchant balance (balance.php); 0 means no limit"`
	BudgetTransactions    int `env:"KWIKAPI_BUDGET_TRANSACTIONS" envDefault:"48" help:"calls per India day to the transaction list (transactions.php); 0 means no limit"`
	BudgetDetect          int `env:"KWIKAPI_BUDGET_DETECT" envDefault:"0" help:"calls per India day to operator detection (operator_fetch_v2.php); 0 means no limit"`
	BudgetPlans           int `env:"KWIKAPI_BUDGET_PLANS" envDefault:"0" help:"calls per India day to mobile plans (recharge_plans.php); 0 means no limit"`
	BudgetDTHPlans        int `env:"KWIKAPI_BUDGET_DTH_PLANS" envDefault:"0" help:"calls per India day to DTH plans (DTH_plans.php); 0 means no limit"`
	BudgetROffers         int `env:"KWIKAPI_BUDGET_R_OFFERS" envDefault:"0" help:"calls per India day to special offers (R-OFFER_check.php); 0 means no limit"`
	BudgetRecharge        int `env:"KWIKAPI_BUDGET_RECHARGE" envDefault:"0" help:"recharges per India day (recharge.php); 0 means no limit"`

	TelegramBotToken      string `env:"TELEGRAM_BOT_TOKEN" secret:"true" help:"bot token from BotFather; empty disables Telegram"`
	TelegramAPIURL        string `env:"TELEGRAM_API_URL" envDefault:"https://api.telegram.org" help:"Bot API server URL (a self-hosted Bot API server works too)"`
	TelegramWebhookURL    string `env:"TELEGRAM_WEBHOOK_URL" help:"public HTTPS URL of the webhook; empty uses long polling"`
	TelegramWebhookSecret string `env:"TELEGRAM_WEBHOOK_SECRET" secret:"true" help:"secret token Telegram sends with each webhook request; required with TELEGRAM_WEBHOOK_URL"`

	WhatsAppEnabled           bool `env:"WHATSAPP_ENABLED" envDefault:"false" help:"serve WhatsApp through the linked device stored in the database (link it with whatsapp-login)"`
	WhatsAppMessagesPerMinute int  `env:"WHATSAPP_MESSAGES_PER_MINUTE" envDefault:"20" help:"maximum number of WhatsApp messages the bot sends in any 60 seconds; WhatsApp bans numbers that send in bursts"`

	HTTPAddr string `env:"HTTP_ADDR" envDefault:"127.0.0.1:8080" help:"listen address of /healthz, /metrics and the Telegram webhook"`

	AdminTelegramIDs     []string `env:"ADMIN_TELEGRAM_IDS" envSeparator:"," help:"comma-separated Telegram user ids of admins"`
	AdminWhatsAppNumbers []string `env:"ADMIN_WHATSAPP_NUMBERS" envSeparator:"," help:"comma-separated phone numbers of admins, with country code, e.g. 919876543210"`

	PendingCheckInterval time.Duration `env:"PENDING_CHECK_INTERVAL" envDefault:"45s" help:"time between two status checks of a pending or unknown recharge (duration)"`
	PendingMaxChecks     int           `env:"PENDING_MAX_CHECKS" envDefault:"5" help:"status checks of a recharge before it is marked stuck and admins are alerted"`
	StuckCheckInterval   time.Duration `env:"STUCK_CHECK_INTERVAL" envDefault:"1h" help:"time between two status checks of a stuck recharge (duration)"`
	AlertLowBalance      string        `env:"ALERT_LOW_BALANCE" envDefault:"1000" help:"KwikAPI wallet balance in rupees under which admins are alerted, e.g. 1000 or 499.50; 0 disables the check"`
	BalanceCheckInterval time.Duration `env:"BALANCE_CHECK_INTERVAL" envDefault:"1h" help:"time between two reads of the KwikAPI wallet balance (duration); each read uses one of the balance calls allowed a day"`
	AlertRepeatInterval  time.Duration `env:"ALERT_REPEAT_INTERVAL" envDefault:"1h" help:"time during which an alert about the same subject is held back; the next one says how many were held back (duration)"`
	AlertTimeoutRun      int           `env:"ALERT_TIMEOUT_RUN" envDefault:"3" help:"KwikAPI calls in a row that time out before an admin alert is raised"`
	ReconcileInterval    time.Duration `env:"RECONCILE_INTERVAL" envDefault:"24h" help:"time between two comparisons of the orders of the last day with KwikAPI's last 100 transactions (duration)"`

	SessionIdleTimeout time.Duration `env:"SESSION_IDLE_TIMEOUT" envDefault:"15m" help:"an unfinished conversation idle this long returns to the start (duration)"`

	BulkMaxLines       int    `env:"BULK_MAX_LINES" envDefault:"1000" help:"maximum number of lines in one bulk run, pasted or in a CSV file"`
	BulkConcurrency    int    `env:"BULK_CONCURRENCY" envDefault:"5" help:"recharges of one bulk run sent at once, and operator lookups of its preview; 1 to 50"`
	DailyLimitCustomer string `env:"DAILY_LIMIT_CUSTOMER" envDefault:"0" help:"maximum a customer may spend on recharges per India day, in rupees such as 5000; 0 means no cap"`
	DailyLimitAgent    string `env:"DAILY_LIMIT_AGENT" envDefault:"0" help:"maximum an agent may spend on recharges per India day, bulk runs included, in rupees; 0 means no cap"`
	MessagesPerMinute  int    `env:"MESSAGES_PER_MINUTE" envDefault:"30" help:"messages one sender may send per minute before the bot skips them (configured admins are exempt); 0 means no limit"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info" help:"debug, info, warn or error"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"text" help:"text or json"`
}

// LoadConfig reads the configuration through getenv and validates it. Errors name the variable.
func LoadConfig(getenv func(string) string) (Config, error) {
	vars, err := environmentWithFiles(getenv)
	if err != nil {
		return Config{}, err
	}

	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", describeParseError(err))
	}
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// environmentWithFiles returns the value of every configuration variable, reading a secret from
// the file named by its _FILE twin when the variable itself is unset.
func environmentWithFiles(getenv func(string) string) (map[string]string, error) {
	vars := map[string]string{}
	for _, field := range configFields() {
		name := field.Tag.Get("env")
		if v := getenv(name); v != "" {
			vars[name] = v
			continue
		}
		if field.Tag.Get("secret") != "true" {
			continue
		}
		path := getenv(name + "_FILE")
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("configuration: %s_FILE: read %s: %w", name, path, err)
		}
		// Editors on some systems start a text file with a byte order mark.
		vars[name] = strings.TrimSpace(strings.TrimPrefix(string(data), "\uFEFF"))
	}
	return vars, nil
}

// validate checks the configuration once, after parsing. Each check's error names its variable.
func (c *Config) validate() error {
	for _, check := range []func() error{
		c.validateBasics, c.validateTimeouts, c.validateBudgets, c.validateResolver,
		c.validateBulk, c.validateEndpoints,
	} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateBasics checks the database pool, the settings that must come in pairs, the WhatsApp
// pace and the log settings.
func (c *Config) validateBasics() error {
	if c.DatabaseMaxConns < 2 {
		return fmt.Errorf("DATABASE_MAX_CONNS %d is too small: use at least 2", c.DatabaseMaxConns)
	}
	if c.TelegramWebhookURL != "" && c.TelegramWebhookSecret == "" {
		return fmt.Errorf("TELEGRAM_WEBHOOK_SECRET is missing: set it when TELEGRAM_WEBHOOK_URL is set")
	}
	if c.KwikAPIKey != "" && c.KwikAPIBaseURL == "" {
		return fmt.Errorf("KWIKAPI_BASE_URL is missing: set it to https://www.kwikapi.com (or the UAT URL) when KWIKAPI_API_KEY is set")
	}
	if c.KwikAPIKey == "" && c.KwikAPIBaseURL != "" {
		// An empty key file must not turn a production setup into the simulator.
		return fmt.Errorf("KWIKAPI_API_KEY is empty while KWIKAPI_BASE_URL is set: set the key (or KWIKAPI_API_KEY_FILE), " +
			"or unset KWIKAPI_BASE_URL to use the built-in simulator")
	}
	if c.WhatsAppMessagesPerMinute <= 0 {
		return fmt.Errorf("WHATSAPP_MESSAGES_PER_MINUTE must be a positive number of messages, e.g. 20")
	}

	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("LOG_LEVEL %q is invalid: use debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("LOG_FORMAT %q is invalid: use text or json", c.LogFormat)
	}
	return nil
}

// validateTimeouts checks the KwikAPI call timeouts and the session idle timeout.
func (c *Config) validateTimeouts() error {
	for name, d := range map[string]time.Duration{
		"KWIKAPI_TIMEOUT":          c.KwikAPITimeout,
		"KWIKAPI_RECHARGE_TIMEOUT": c.KwikAPIRechargeTimeout,
		"SESSION_IDLE_TIMEOUT":     c.SessionIdleTimeout,
	} {
		if d <= 0 {
			return fmt.Errorf("%s must be a positive duration such as 30s or 15m", name)
		}
	}
	if c.KwikAPITimeout < time.Second || c.KwikAPIRechargeTimeout < 5*time.Second {
		return fmt.Errorf("KWIKAPI_TIMEOUT must be at least 1s and KWIKAPI_RECHARGE_TIMEOUT at least 5s: shorter calls time out before KwikAPI can respond")
	}

	// The resolver checks an order still in sending after models.SendingGrace. A recharge call
	// still running then could be failed and refunded while KwikAPI completes it.
	if maxRecharge := models.SendingGrace / 2; c.KwikAPIRechargeTimeout > maxRecharge {
		return fmt.Errorf("KWIKAPI_RECHARGE_TIMEOUT %s is too long: use at most %s", c.KwikAPIRechargeTimeout, maxRecharge)
	}
	return nil
}

// describeParseError rewrites the parser's errors to name the variable, not the Go field.
func describeParseError(err error) error {
	var aggregate env.AggregateError
	if !errors.As(err, &aggregate) {
		return err
	}
	messages := make([]string, 0, len(aggregate.Errors))
	for _, e := range aggregate.Errors {
		var parse env.ParseError
		if errors.As(e, &parse) {
			if field, ok := reflect.TypeFor[Config]().FieldByName(parse.Name); ok {
				messages = append(messages, fmt.Sprintf("%s is invalid: %v", field.Tag.Get("env"), parse.Err))
				continue
			}
		}
		messages = append(messages, e.Error())
	}
	return errors.New(strings.Join(messages, "; "))
}

// Simulated reports whether the service should run against the built-in KwikAPI simulator.
func (c *Config) Simulated() bool { return c.KwikAPIKey == "" }

func configFields() []reflect.StructField {
	t := reflect.TypeFor[Config]()
	fields := make([]reflect.StructField, 0, t.NumField())
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("env") != "" {
			fields = append(fields, t.Field(i))
		}
	}
	return fields
}

func printConfigHelp(w io.Writer) {
	for _, field := range configFields() {
		name := field.Tag.Get("env")
		if field.Tag.Get("secret") == "true" {
			name += " (secret)"
		}
		def := field.Tag.Get("envDefault")
		if def == "" {
			def = "empty"
		}
		fmt.Fprintf(w, "  %-34s %s [default: %s]\n", name, field.Tag.Get("help"), def)
	}
}

// storeOptions returns the options that open the configured database.
func (c *Config) storeOptions(logger *slog.Logger) models.Options {
	return models.Options{
		DatabaseURL: c.DatabaseURL,
		DataDir:     c.DataDir,
		MaxConns:    c.DatabaseMaxConns,
		Logger:      logger,
	}
}
