package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rechargebot/rechargebot/conversation"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
	"github.com/rechargebot/rechargebot/scheduler"
)

// maxBulkConcurrency bounds BULK_CONCURRENCY as the conversation engine does.
const maxBulkConcurrency = 50

// BulkConfig returns the settings of agents' bulk runs. validateBulk has checked them.
func (c *Config) BulkConfig() conversation.BulkConfig {
	return conversation.BulkConfig{MaxLines: c.BulkMaxLines, Concurrency: c.BulkConcurrency}
}

// DailyLimits returns the daily spending caps of customers and agents, without a message
// rate limit. validateBulk has checked them.
func (c *Config) DailyLimits() conversation.LimitsConfig {
	customer, _ := parseRupees(c.DailyLimitCustomer)
	agent, _ := parseRupees(c.DailyLimitAgent)
	return conversation.LimitsConfig{DailyCustomerPaise: customer, DailyAgentPaise: agent}
}

// ChatLimits returns the daily spending caps and the message rate limit of the chat channels.
func (c *Config) ChatLimits() conversation.LimitsConfig {
	limits := c.DailyLimits()
	limits.MessagesPerMinute = c.MessagesPerMinute
	return limits
}

func (c *Config) validateBulk() error {
	if c.BulkMaxLines < 1 {
		return fmt.Errorf("BULK_MAX_LINES is %d: use a positive number of lines, such as 1000", c.BulkMaxLines)
	}
	if c.BulkConcurrency < 1 || c.BulkConcurrency > maxBulkConcurrency {
		return fmt.Errorf("BULK_CONCURRENCY is %d: use 1 to %d recharges at once, such as 5", c.BulkConcurrency, maxBulkConcurrency)
	}
	for name, value := range map[string]string{
		"DAILY_LIMIT_CUSTOMER": c.DailyLimitCustomer,
		"DAILY_LIMIT_AGENT":    c.DailyLimitAgent,
	} {
		if _, err := parseRupees(value); err != nil {
			return fmt.Errorf("%s %q is invalid: use rupees such as 5000 or 2499.50, or 0 for no cap", name, value)
		}
	}
	if c.MessagesPerMinute < 0 {
		return fmt.Errorf("MESSAGES_PER_MINUTE is %d: use a positive number of messages, or 0 for no limit", c.MessagesPerMinute)
	}
	return nil
}

// catalogSyncHook returns the /sync command's catalog refresh: a full sync whose KwikAPI calls
// count against the client's daily budgets.
func catalogSyncHook(store *models.Store, client *kwik.Client, logger *slog.Logger) func(ctx context.Context) ([]string, error) {
	catalog := &scheduler.CatalogSync{Store: store, Client: client, Logger: logger}
	return func(ctx context.Context) ([]string, error) {
		report, err := catalog.Sync(ctx)
		var synced []string
		for _, part := range report.Parts {
			if part.Err == nil {
				synced = append(synced, part.Part)
			}
		}
		return synced, err
	}
}
