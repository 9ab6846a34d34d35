package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/rechargebot/rechargebot/bot"
)

// allowedUpdates are the update kinds the adapter asks for; Telegram holds back all others.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery}

// Back-off between failed startup calls.
const (
	firstRetryDelay = time.Second
	maxRetryDelay   = 30 * time.Second
)

// start reads the bot's username, registers or deletes the webhook and sets the command menus.
// Network failures are retried until ctx ends; a rejected token or webhook URL is returned.
func (a *Adapter) start(ctx context.Context) error {
	me, err := retryStartup(ctx, a, "getMe", func(ctx context.Context) (*models.User, error) {
		return a.api.GetMe(ctx)
	})
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.username = me.Username
	a.mu.Unlock()

	if a.cfg.WebhookURL != "" {
		_, err = retryStartup(ctx, a, "setWebhook", func(ctx context.Context) (bool, error) {
			return a.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
				URL:            a.cfg.WebhookURL,
				SecretToken:    a.cfg.WebhookSecret,
				AllowedUpdates: allowedUpdates,
			})
		})
	} else {
		// getUpdates fails with 409 Conflict while a webhook is registered.
		_, err = retryStartup(ctx, a, "deleteWebhook", func(ctx context.Context) (bool, error) {
			return a.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{})
		})
	}
	if err != nil {
		return err
	}

	a.setStartupCommands(ctx)
	return nil
}

// retryStartup calls fn until it succeeds, returns a permanent error, or ctx ends.
func retryStartup[T any](ctx context.Context, a *Adapter, method string, fn func(context.Context) (T, error)) (T, error) {
	delay := firstRetryDelay
	for {
		callCtx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
		v, err := fn(callCtx)
		cancel()
		if err == nil {
			return v, nil
		}

		err = a.scrubber.err(err)
		switch {
		case errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound):
			return v, fmt.Errorf("telegram: %s: the Bot API rejected the token, check TELEGRAM_BOT_TOKEN: %w", method, err)
		case errors.Is(err, tgbot.ErrorBadRequest):
			return v, fmt.Errorf("telegram: %s: %w", method, err)
		}

		a.log.Warn("Telegram startup call failed, retrying", "method", method, "retry_in", delay, "error", err)
		a.setHealth(err)
		if err := a.sleep(ctx, delay); err != nil {
			return v, err
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

// setStartupCommands sets the customer menu as the default and the admin menu in each admin's
// chat. A failure is logged and does not stop the bot: the menus are a convenience, and an admin
// who never opened the bot has no chat yet ("chat not found").
func (a *Adapter) setStartupCommands(ctx context.Context) {
	if len(a.cfg.CustomerCommands) > 0 {
		if err := a.setCommands(ctx, &models.BotCommandScopeDefault{}, a.cfg.CustomerCommands); err != nil {
			a.log.Warn("Set customer commands failed", "error", err)
		}
	}
	if len(a.cfg.AdminCommands) == 0 {
		return
	}
	for _, id := range a.admins {
		if err := a.setCommands(ctx, &models.BotCommandScopeChat{ChatID: id}, a.cfg.AdminCommands); err != nil {
			a.log.Warn("Set admin commands failed", "chat", chatOf(id).String(), "error", err)
		}
	}
}

// SetChatCommands replaces the command menu of one chat, for example after a user's role changes.
func (a *Adapter) SetChatCommands(ctx context.Context, chat bot.ChatID, cmds []bot.Command) error {
	id, err := parseChat(chat)
	if err != nil {
		return err
	}
	return a.setCommands(ctx, &models.BotCommandScopeChat{ChatID: id}, cmds)
}

func (a *Adapter) setCommands(ctx context.Context, scope models.BotCommandScope, cmds []bot.Command) error {
	list := make([]models.BotCommand, len(cmds))
	for i, c := range cmds {
		list[i] = models.BotCommand{Command: c.Name, Description: c.Description}
	}

	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	_, err := a.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: list, Scope: scope})
	if err != nil {
		return fmt.Errorf("set commands: %w", a.scrubber.err(err))
	}
	return nil
}
