package main

import (
	"strings"
	"testing"
)

func TestLoadConfigRejectsBadEndpoints(t *testing.T) {
	cases := map[string]struct {
		vars map[string]string
		want string
	}{
		"listen address no port":  {map[string]string{"HTTP_ADDR": "nonsense"}, "HTTP_ADDR"},
		"listen port too large":   {map[string]string{"HTTP_ADDR": "127.0.0.1:99999"}, "HTTP_ADDR"},
		"kwikapi url no scheme":   {map[string]string{"KWIKAPI_API_KEY": "k", "KWIKAPI_BASE_URL": "notaurl"}, "KWIKAPI_BASE_URL"},
		"kwikapi url ftp":         {map[string]string{"KWIKAPI_API_KEY": "k", "KWIKAPI_BASE_URL": "ftp://x"}, "KWIKAPI_BASE_URL"},
		"telegram api url":        {map[string]string{"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL"},
		"key in the url query":    {map[string]string{"KWIKAPI_API_KEY": "k", "KWIKAPI_BASE_URL": "https://www.kwikapi.com/?api_key=Secret1"}, "KWIKAPI_BASE_URL"},
		"password in the url":     {map[string]string{"TELEGRAM_API_URL": "https://bot:Secret2@api.example"}, "TELEGRAM_API_URL"},
		"admin id not a number":   {map[string]string{"ADMIN_TELEGRAM_IDS": "12,abc"}, "ADMIN_TELEGRAM_IDS"},
		"admin id negative":       {map[string]string{"ADMIN_TELEGRAM_IDS": "-5"}, "ADMIN_TELEGRAM_IDS"},
		"token with a space":      {map[string]string{"TELEGRAM_BOT_TOKEN": "123:Secret Part"}, "TELEGRAM_BOT_TOKEN"},
		"token with percent sign": {map[string]string{"TELEGRAM_BOT_TOKEN": "123:Secret%zz"}, "TELEGRAM_BOT_TOKEN"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(envFrom(tc.vars))
			if err == nil {
				t.Fatalf("LoadConfig(%v) succeeded, want an error naming %s", tc.vars, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadConfig error = %q, want it to name %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "Secret") {
				t.Errorf("LoadConfig error = %q contains the bot token", err)
			}
		})
	}
}

func TestLoadConfigAcceptsGoodEndpoints(t *testing.T) {
	_, err := LoadConfig(envFrom(map[string]string{
		"TELEGRAM_BOT_TOKEN": "123456789:AAE-x_Yz09", "TELEGRAM_API_URL": "http://127.0.0.1:8081",
		"HTTP_ADDR": ":8080", "ADMIN_TELEGRAM_IDS": "123456789,42",
		"KWIKAPI_API_KEY": "k", "KWIKAPI_BASE_URL": "https://uat.kwikapi.com",
	}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
}
