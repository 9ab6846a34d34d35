package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

func init() {
	commands["sync"] = command{
		summary: "fetch the KwikAPI catalog (categories, operators, circles) now and print the counts",
		run:     runSync,
	}
}

// runSync syncs every catalog part now, whatever its age, within the daily call budgets.
func runSync(ctx context.Context, env *environment, args []string) error {
	flags := flag.NewFlagSet("sync", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	flags.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: rechargebot sync")
		fmt.Fprintln(env.stderr, "Fetches categories, Prepaid and DTH operators with their details, and circles from KwikAPI")
		fmt.Fprintln(env.stderr, "into the database, within the daily call budgets (KWIKAPI_BUDGET_*). With no")
		fmt.Fprintln(env.stderr, "KWIKAPI_API_KEY it syncs from the built-in simulator.")
	}
	if err := parseFlags(env, flags, args); err != nil {
		return err
	}

	logger := newLogger(env.cfg, env.stderr)
	store, err := models.Open(ctx, env.cfg.storeOptions(logger))
	if err != nil {
		return err
	}
	defer store.Close()

	client, stop, err := openKwik(env.cfg, store, logger)
	if err != nil {
		return err
	}
	defer stop()

	catalog := &scheduler.CatalogSync{Store: store, Client: client, Logger: logger}
	report, err := catalog.Sync(ctx)
	if errors.Is(err, scheduler.ErrSyncInProgress) {
		return fmt.Errorf("another process is syncing the catalog: try again when it has finished")
	}
	printSyncReport(env.stdout, report)
	if err != nil {
		return fmt.Errorf("%d of %d catalog parts failed; stored rows are kept and the next sync retries them", failedParts(report), len(report.Parts))
	}
	return nil
}

// printSyncReport writes one line per catalog part: what it stored, or why it failed.
func printSyncReport(w io.Writer, report scheduler.SyncReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, part := range report.Parts {
		line := fmt.Sprintf("%s\t%d stored", part.Part, part.Stored)
		if part.Deactivated > 0 {
			line += fmt.Sprintf(", %d deactivated", part.Deactivated)
		}
		if part.Err != nil {
			line += fmt.Sprintf(", failed: %v", part.Err)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func failedParts(report scheduler.SyncReport) int {
	n := 0
	for _, part := range report.Parts {
		if part.Err != nil {
			n++
		}
	}
	return n
}
