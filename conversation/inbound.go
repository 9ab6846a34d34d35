package conversation

import (
	"strings"

	"github.com/rechargebot/rechargebot/bot"
)

// cleanInbound returns in with the texts a user controls made safe to store: invalid UTF-8
// becomes U+FFFD and NUL characters are dropped. PostgreSQL text columns reject both, and a
// display name that cannot be stored would lock its owner out.
func cleanInbound(in bot.Inbound) bot.Inbound {
	in.DisplayName = cleanText(in.DisplayName)
	in.Text = cleanText(in.Text)
	in.Data = cleanText(in.Data)
	if in.File != nil {
		file := *in.File
		file.Name = cleanText(file.Name)
		in.File = &file
	}
	return in
}

func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
