package main

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// telegramTokenPattern is the shape of a BotFather token: the bot's numeric id, a colon, then
// letters, digits, '_' and '-'. A token outside it cannot be sent as a URL path unchanged, so
// the Bot API client would print it, escaped, in its errors, where log scrubbing misses it.
var telegramTokenPattern = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// rupeesPattern is an amount of rupees in configuration: digits, optionally grouped with
// commas (50,000 or 5,00,000), with at most two decimals.
var rupeesPattern = regexp.MustCompile(`^[0-9](,?[0-9]){0,8}(\.[0-9]{1,2})?$`)

// parseRupees returns a configured amount of rupees in paise. Unlike KwikAPI's replies, which
// kwik.ParsePaise reads leniently, configuration takes only plain non-negative amounts.
func parseRupees(value string) (int64, error) {
	if !rupeesPattern.MatchString(value) {
		return 0, fmt.Errorf("amount %q is not rupees with at most two decimals", value)
	}
	return kwik.ParsePaise(strings.ReplaceAll(value, ",", ""))
}

// validateEndpoints checks the addresses, the bot token and the admin ids. Its errors name
// the variable and never contain a secret's value.
func (c *Config) validateEndpoints() error {
	if c.TelegramBotToken != "" && !telegramTokenPattern.MatchString(c.TelegramBotToken) {
		return fmt.Errorf("TELEGRAM_BOT_TOKEN is invalid: a BotFather token is digits, a colon, then letters, digits, _ or -. Copy it again from BotFather")
	}
	urls := []struct{ name, value string }{
		{"KWIKAPI_BASE_URL", c.KwikAPIBaseURL},
		{"TELEGRAM_API_URL", c.TelegramAPIURL},
		{"TELEGRAM_WEBHOOK_URL", c.TelegramWebhookURL},
	}
	for _, u := range urls {
		if err := checkHTTPURL(u.name, u.value); err != nil {
			return err
		}
	}
	if err := checkListenAddress("HTTP_ADDR", c.HTTPAddr); err != nil {
		return err
	}
	for _, number := range c.AdminWhatsAppNumbers {
		if digits := models.NormalizePhone(number); len(digits) < 11 || len(digits) > 15 {
			return fmt.Errorf("ADMIN_WHATSAPP_NUMBERS has an entry ending %s, which is not a phone number: use numbers with the country code, such as 919876543210", bot.Mask(number))
		}
	}
	for _, id := range c.AdminTelegramIDs {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			return fmt.Errorf("ADMIN_TELEGRAM_IDS has %q, which is not a Telegram user id: use positive numbers separated by commas", id)
		}
	}
	return nil
}

// checkHTTPURL rejects a non-empty value that is not an absolute http or https URL with a
// host, or that carries a user name or a query. The error never repeats the value, because a
// key pasted into it by mistake must not reach the log.
func checkHTTPURL(name, value string) error {
	if value == "" {
		return nil
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return fmt.Errorf("%s is invalid: use an http or https URL such as https://host.example, "+
			"without a user name or a query (secrets have variables of their own)", name)
	}
	return nil
}

// checkListenAddress rejects a value that is not host:port with a port from 0 to 65535.
func checkListenAddress(name, value string) error {
	_, port, err := net.SplitHostPort(value)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return fmt.Errorf("%s %q is invalid: use host:port, such as 127.0.0.1:8080", name, value)
	}
	return nil
}
