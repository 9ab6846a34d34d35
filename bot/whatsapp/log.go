package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/rechargebot/rechargebot/bot"
)

// maxLogMessage caps a whatsmeow log line, which may embed a whole XML stanza.
const maxLogMessage = 500

var (
	// digitRuns matches phone numbers and LIDs, alone or inside a JID.
	digitRuns = regexp.MustCompile(`\d{6,}`)
	// opaqueRuns matches long hex or base64 runs, the shape of keys and encrypted payloads.
	opaqueRuns = regexp.MustCompile(`[A-Za-z0-9+/=_-]{32,}`)
)

// waLogger forwards whatsmeow's log lines to slog. Debug lines are dropped because they dump
// whole stanzas; whatsmeow's Info lines go to Debug. Every line passes through scrubLog.
type waLogger struct {
	log    *slog.Logger
	module string
}

func newWALogger(log *slog.Logger, module string) waLog.Logger {
	return &waLogger{log: log, module: module}
}

func (l *waLogger) Errorf(msg string, args ...any) { l.emit(slog.LevelError, msg, args) }
func (l *waLogger) Warnf(msg string, args ...any)  { l.emit(slog.LevelWarn, msg, args) }
func (l *waLogger) Infof(msg string, args ...any)  { l.emit(slog.LevelDebug, msg, args) }
func (l *waLogger) Debugf(string, ...any)          {}

func (l *waLogger) Sub(module string) waLog.Logger {
	return &waLogger{log: l.log, module: l.module + "/" + module}
}

func (l *waLogger) emit(level slog.Level, msg string, args []any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, "whatsmeow: "+scrubLog(fmt.Sprintf(msg, args...)), "module", l.module)
}

// scrubLog masks every phone number and LID to its last four digits, replaces key-shaped runs
// and truncates the line, so that no whatsmeow message can leak a number or a session key.
func scrubLog(s string) string {
	s = opaqueRuns.ReplaceAllString(s, "[redacted]")
	s = digitRuns.ReplaceAllStringFunc(s, bot.Mask)
	if len(s) > maxLogMessage {
		s = s[:maxLogMessage] + "…"
	}
	return s
}
