// Package bot defines the chat-neutral messages that pass between the chat adapters
// (Telegram, WhatsApp, console) and the conversation engine, and the Handler and Sender
// interfaces through which they meet. It contains nothing specific to recharges.
package bot

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Channel names a chat network.
type Channel string

// The channels this service speaks.
const (
	Telegram Channel = "telegram"
	WhatsApp Channel = "whatsapp"
	Console  Channel = "console"
)

// ChatID is one chat on one channel. ID is a Telegram chat id in decimal, a WhatsApp phone
// number as digits with the country code (no "+"), or a console session name.
type ChatID struct {
	Channel Channel
	ID      string
}

// String returns the chat for logs: the channel and the ID masked to its last four characters,
// because a WhatsApp chat ID is a phone number.
func (c ChatID) String() string {
	return string(c.Channel) + ":" + Mask(c.ID)
}

// MessageRef identifies a message the bot sent, so that a later Outbound can edit it.
// It is empty where the channel cannot edit messages.
type MessageRef string

// File is a document received from or sent to a user.
type File struct {
	Name string
	MIME string
	Data []byte
}

// Inbound is one message from a user, already translated from the platform's update.
type Inbound struct {
	Chat ChatID
	// UserID is the sender on the channel: a Telegram user id, or a WhatsApp phone number as digits.
	UserID      string
	DisplayName string
	// Text is the text the user typed, empty for a button press.
	Text string
	// Data is the Option.Data of a pressed button; empty for typed text.
	Data string
	// MessageRef is the bot's message that carried the pressed button, so a reply can edit it.
	MessageRef MessageRef
	File       *File
	// UpdateID is the platform's id of the update, for logs and duplicate detection.
	UpdateID   string
	ReceivedAt time.Time
}

// Option is one choice offered to the user. Adapters render options as buttons or as a
// numbered list. Data must fit MaxOptionData bytes; a user may also type the number or the label.
type Option struct {
	Label string
	Data  string
}

// MaxOptionData is the maximum length of Option.Data in bytes (Telegram's callback_data limit).
const MaxOptionData = 64

// Outbound is one message to a user.
type Outbound struct {
	Text    string
	Options []Option
	// Edit, when non-empty, is the message the adapter replaces instead of sending a new one.
	// Adapters that cannot edit send a new message.
	Edit     MessageRef
	Document *File
}

// Command is a slash command shown in a channel's command menu. Name has no leading slash.
type Command struct {
	Name        string
	Description string
}

// Handler turns one inbound message into the replies to send back to the same chat.
// Implementations handle the messages of one user one at a time, in order.
type Handler interface {
	Handle(ctx context.Context, in Inbound) ([]Outbound, error)
}

// HandlerFunc adapts a function to the Handler interface.
type HandlerFunc func(ctx context.Context, in Inbound) ([]Outbound, error)

// Handle calls f(ctx, in).
func (f HandlerFunc) Handle(ctx context.Context, in Inbound) ([]Outbound, error) {
	return f(ctx, in)
}

// Sender delivers a message to a chat outside of a reply: notifications, alerts, progress.
// It returns a reference to the sent message, empty where the channel cannot edit.
// An error wrapping ErrUnreachable means the user cannot be reached (the bot was blocked,
// the account is gone) and retrying is pointless.
type Sender interface {
	Send(ctx context.Context, to ChatID, msg Outbound) (MessageRef, error)
}

// ErrUnreachable reports a chat that will not accept messages from the bot.
var ErrUnreachable = errors.New("chat unreachable")

// ErrNoChannel reports a message for a channel that is not running in this process.
var ErrNoChannel = errors.New("channel not configured")

// Senders routes each message to the Sender of its chat's channel.
type Senders map[Channel]Sender

// Send delivers msg through the sender registered for to.Channel, or returns ErrNoChannel.
func (s Senders) Send(ctx context.Context, to ChatID, msg Outbound) (MessageRef, error) {
	sender, ok := s[to.Channel]
	if !ok {
		return "", ErrNoChannel
	}
	return sender.Send(ctx, to, msg)
}

// MaskNumbers masks, as Mask does, every Indian mobile number in free text such as a reply of
// KwikAPI: 10 digits starting with 6 to 9, alone or after 91, +91 or 0, written in one run or
// in groups joined by single spaces, dashes or dots ("98765 43210", "+91 98765-43210"). Other
// digits, such as 14-digit order ids and amounts, stay as they are. Full-width digits are read
// as ASCII ones.
func MaskNumbers(text string) string {
	b := []byte(fullWidthDigits.Replace(text))
	groups := digitGroups(b)
	for i := 0; i < len(groups); {
		j, ok := mobileAt(b, groups, i)
		if !ok {
			i++
			continue
		}
		maskGroups(b, groups[i:j+1])
		i = j + 1
	}
	return string(b)
}

// maxNumberGroups is the most digit groups one written mobile number spans, as in "+91 987 654 3210".
const maxNumberGroups = 4

var fullWidthDigits = strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4",
	"５", "5", "６", "6", "７", "7", "８", "8", "９", "9")

// digitGroup is a run of ASCII digits in a text, [start, end), and whether a single space,
// dash or dot joins it to the group before.
type digitGroup struct {
	start, end int
	joined     bool
}

func digitGroups(b []byte) []digitGroup {
	var groups []digitGroup
	for i := 0; i < len(b); {
		if !isDigit(b[i]) {
			i++
			continue
		}
		g := digitGroup{start: i}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		g.end = i
		if n := len(groups); n > 0 && g.start-groups[n-1].end == 1 && strings.IndexByte(" -.", b[g.start-1]) >= 0 {
			g.joined = true
		}
		groups = append(groups, g)
	}
	return groups
}

// mobileAt reports whether groups from i on, joined to each other, make a mobile number, and
// returns the last group of the shortest one.
func mobileAt(b []byte, groups []digitGroup, i int) (int, bool) {
	var digits []byte
	for j := i; j < len(groups) && j < i+maxNumberGroups; j++ {
		if j > i && !groups[j].joined {
			break
		}
		digits = append(digits, b[groups[j].start:groups[j].end]...)
		if isMobileRun(string(digits)) {
			return j, true
		}
	}
	return 0, false
}

// maskGroups replaces the digits of groups with '*', except the last four.
func maskGroups(b []byte, groups []digitGroup) {
	keep := 4
	for k := len(groups) - 1; k >= 0; k-- {
		for p := groups[k].end - 1; p >= groups[k].start; p-- {
			if keep > 0 {
				keep--
				continue
			}
			b[p] = '*'
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isMobileRun reports whether a run of digits is a mobile number with an optional 91 or 0 prefix.
func isMobileRun(run string) bool {
	switch {
	case len(run) == 12 && strings.HasPrefix(run, "91"):
		run = run[2:]
	case len(run) == 11 && run[0] == '0':
		run = run[1:]
	}
	return len(run) == 10 && run[0] >= '6' && run[0] <= '9'
}

// Mask hides all but the last four characters of s, for logs and for messages to anyone other
// than the owner of a phone number or subscriber id.
func Mask(s string) string {
	const visible = 4
	if len(s) <= visible {
		return s
	}
	masked := make([]byte, len(s))
	for i := range masked {
		masked[i] = '*'
	}
	copy(masked[len(s)-visible:], s[len(s)-visible:])
	return string(masked)
}
