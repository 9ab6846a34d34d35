package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/rechargebot/rechargebot/bot/whatsapp"
	"github.com/rechargebot/rechargebot/models"
)

func init() {
	commands["whatsapp-login"] = command{
		summary: "link the bot's WhatsApp number by QR code or pairing code",
		run:     runWhatsAppLogin,
	}
}

// runWhatsAppLogin links the bot's WhatsApp number as a device whose session is stored in
// the database, so that serve can use it with WHATSAPP_ENABLED=true.
func runWhatsAppLogin(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("whatsapp-login", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	phone := flags.String("phone", "", "link by pairing code typed on this phone (number with country code, e.g. 919876543210) instead of a QR code")
	force := flags.Bool("force", false, "unlink and delete the device already linked, then link again")
	flags.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: rechargebot whatsapp-login [--phone NUMBER] [--force]")
		fmt.Fprintln(env.stderr, "Links the bot's WhatsApp number as a linked device, by a QR code drawn here or by a pairing")
		fmt.Fprintln(env.stderr, "code with --phone. The session is stored in the database (DATABASE_URL or DATA_DIR).")
		flags.PrintDefaults()
	}
	if err := parseFlags(env, flags, args); err != nil {
		return err
	}
	opts := whatsapp.LoginOptions{Force: *force, Out: env.stdout}
	if *phone != "" {
		normalized, err := whatsapp.NormalizePhone(*phone)
		if err != nil {
			fmt.Fprintf(env.stderr, "rechargebot whatsapp-login: --phone: %v\n", err)
			return errUsage
		}
		opts.Phone = normalized
	}

	logger := newLogger(env.cfg, env.stderr)
	opts.Logger = logger
	store, err := models.Open(ctx, env.cfg.storeOptions(logger))
	if err != nil {
		return err
	}
	defer store.Close()

	waStore, err := openWhatsAppStore(ctx, store, logger)
	if err != nil {
		return err
	}
	return whatsapp.Login(ctx, waStore, opts)
}

// openWhatsAppStore opens whatsmeow's device tables and the adapter's own table in the
// product's database, on the same connection pool.
func openWhatsAppStore(ctx context.Context, store *models.Store, logger *slog.Logger) (*whatsapp.Store, error) {
	db, err := store.SQLDB()
	if err != nil {
		return nil, fmt.Errorf("open whatsapp store: %w", err)
	}
	return whatsapp.OpenStore(ctx, db, whatsmeowDialect(store.Dialect()), logger)
}

// whatsmeowDialect names the store's engine as whatsmeow's sqlstore does. The SQLite file is
// opened with foreign keys on, which whatsmeow requires.
func whatsmeowDialect(d models.Dialect) string {
	if d == models.Postgres {
		return whatsapp.DialectPostgres
	}
	return whatsapp.DialectSQLite
}
