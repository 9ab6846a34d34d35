// Package console chats with the bot in a terminal: each line read is one message from one
// user, replies print as text with their options numbered, and typing an option's number
// picks it. It reads piped input as well, so a session can be scripted, and it implements
// bot.Sender so notifications print in the same conversation.
package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rechargebot/rechargebot/bot"
)

// DefaultUser is the console user's id when Options leave it empty.
const DefaultUser = "local"

// maxLine is the longest input line accepted, in bytes; a longer line is skipped with a notice.
const maxLine = 64 * 1024

// maxMessage is the longest message joined from continued lines, in bytes; the line that
// would pass it ends the message.
const maxMessage = 1024 * 1024

// Options configure a Console.
type Options struct {
	In  io.Reader
	Out io.Writer
	// User is the sender id and chat id of the console user; empty means DefaultUser.
	User string
	// Name is the user's display name.
	Name string
	// Prompt is printed before each line is read, for an interactive terminal; empty prints none.
	Prompt string
	// Echo prints each line read after "> ", so that a transcript of piped input reads as a chat.
	Echo bool
	// PasteWindow, when positive, joins the lines that follow each other within it into one
	// message, as lines pasted into a terminal do, so a pasted bulk list stays one message.
	// Zero reads each line as a message of its own, as a script expects.
	PasteWindow time.Duration
	// AfterMessage, when set, runs after the replies to a message have printed and before the
	// next line is read, without holding the output. The console command delivers queued
	// notifications there, so a result prints before the next message of a script.
	AfterMessage func(ctx context.Context)
	// Now is the clock of Inbound.ReceivedAt; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Console is one terminal chat. Replies and notifications never interleave: a notification
// sent while a message is being handled prints after that message's replies.
type Console struct {
	in     io.Reader
	out    io.Writer
	chat   bot.ChatID
	user   string
	name   string
	prompt string
	echo   bool
	paste  time.Duration
	after  func(ctx context.Context)
	now    func() time.Time
	log    *slog.Logger
	// run prefixes update ids, so that two sessions never reuse one.
	run string

	mu sync.Mutex
}

// New returns a Console.
func New(opts Options) *Console {
	if opts.User == "" {
		opts.User = DefaultUser
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	run := make([]byte, 4)
	rand.Read(run)
	return &Console{
		in: opts.In, out: opts.Out, chat: bot.ChatID{Channel: bot.Console, ID: opts.User},
		user: opts.User, name: opts.Name, prompt: opts.Prompt, echo: opts.Echo, paste: opts.PasteWindow,
		after: opts.AfterMessage, now: opts.Now, log: opts.Logger, run: hex.EncodeToString(run),
	}
}

// Chat returns the console user's chat.
func (c *Console) Chat() bot.ChatID { return c.chat }

// Run reads lines until the input ends or ctx ends, hands each non-empty message to h and
// prints the replies. A line longer than maxLine is skipped with a notice. It returns nil at
// the end of the input, ctx's error when ctx ends first, and the read error when reading fails.
func (c *Console) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan inputLine, readAhead)
	go c.read(ctx, lines)

	var held *inputLine
	for n := 1; ; n++ {
		c.printPrompt()
		var line inputLine
		if held != nil {
			line, held = *held, nil
		} else {
			var ok bool
			select {
			case <-ctx.Done():
				return ctx.Err()
			case line, ok = <-lines:
			}
			if !ok {
				return nil
			}
		}
		if line.err != nil {
			return line.err
		}

		var ended bool
		line, held, ended = c.joinPasted(lines, line)
		if line.tooLong {
			c.notice(fmt.Sprintf("That line is longer than %d KiB and was skipped; send a shorter message.", maxLine/1024))
			continue
		}
		c.handle(ctx, h, line.text, n)
		if ended {
			return nil
		}
		if c.after != nil {
			c.after(ctx)
		}
	}
}

// readAhead is how many lines the console reads while the bot is busy, so that each keeps the
// time it was typed. It is far more than a bulk paste has (1,000 lines by default), because
// lines past it are stamped only when read and would split the paste.
const readAhead = 16384

// joinPasted appends to first the lines that were read within the paste window of the one
// before, up to maxMessage bytes. A line read later is returned as held, for the next
// message, and ended reports that the input ended. An overlong line among them makes the
// whole paste overlong.
func (c *Console) joinPasted(lines <-chan inputLine, first inputLine) (joined inputLine, held *inputLine, ended bool) {
	if c.paste <= 0 {
		return first, nil, false
	}
	joined, last := first, first.at
	timer := time.NewTimer(c.paste)
	defer timer.Stop()
	for len(joined.text) < maxMessage {
		select {
		case next, ok := <-lines:
			if !ok {
				return joined, nil, true
			}
			if next.err != nil || next.at.Sub(last) > c.paste {
				return joined, &next, false
			}
			joined.tooLong = joined.tooLong || next.tooLong
			joined.text += "\n" + next.text
			last = next.at
			timer.Reset(c.paste)
		case <-timer.C:
			return joined, nil, false
		}
	}
	return joined, nil, false
}

// inputLine is one message read from the input with the time it was read, the mark of a
// skipped overlong line, or the error that ended reading.
type inputLine struct {
	text    string
	tooLong bool
	at      time.Time
	err     error
}

// read sends each message of the input to lines and closes it at the end of the input. A line
// ending in a backslash continues on the next line, so one message can hold several lines
// (a bulk paste), up to maxMessage bytes.
func (c *Console) read(ctx context.Context, lines chan<- inputLine) {
	defer close(lines)
	reader := bufio.NewReaderSize(c.in, 4096)
	var message strings.Builder
	for {
		line, tooLong, err := readLine(reader, maxLine)
		if err == io.EOF && line == "" && !tooLong {
			break
		}
		if err != nil && err != io.EOF {
			select {
			case lines <- inputLine{err: fmt.Errorf("read console input: %w", err)}:
			case <-ctx.Done():
			}
			return
		}

		var next inputLine
		switch body, continued := strings.CutSuffix(line, "\\"); {
		case tooLong:
			message.Reset()
			next = inputLine{tooLong: true}
		case continued && err == nil && message.Len()+len(body) < maxMessage:
			message.WriteString(body + "\n")
			continue
		default:
			message.WriteString(line)
			next = inputLine{text: message.String()}
			message.Reset()
		}
		next.at = c.now()
		select {
		case lines <- next:
		case <-ctx.Done():
			return
		}
		if err == io.EOF {
			break
		}
	}
}

// readLine returns the next line without its line ending. A line longer than limit bytes is
// read to its end and discarded, and reported by tooLong. err is io.EOF with the last line of
// an input that does not end in a newline.
func readLine(r *bufio.Reader, limit int) (line string, tooLong bool, err error) {
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			b = append(b, chunk...)
			tooLong = len(b) > limit+1
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			return "", true, err
		}
		return strings.TrimRight(string(b), "\r\n"), false, err
	}
}

func (c *Console) handle(ctx context.Context, h bot.Handler, line string, n int) {
	text := strings.TrimSpace(line)
	if text == "" {
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.echo {
		fmt.Fprintf(c.out, "> %s\n", text)
	}
	replies, err := h.Handle(ctx, bot.Inbound{
		Chat: c.chat, UserID: c.user, DisplayName: c.name, Text: text,
		UpdateID: c.run + "-" + strconv.Itoa(n), ReceivedAt: c.now(),
	})
	if err != nil {
		c.log.Error("Handling a console message failed", "error", err)
		fmt.Fprintln(c.out, "(The bot could not answer this message; the log has the details.)")
		return
	}
	for _, reply := range replies {
		c.print(c.chat, reply)
	}
}

func (c *Console) printPrompt() {
	if c.prompt == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprint(c.out, c.prompt)
}

// notice prints a line of the console's own, outside the conversation.
func (c *Console) notice(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.out, text)
}

// Send prints a message outside of a reply. A message for another chat names that chat
// (masked), because the console shows every chat of the process.
func (c *Console) Send(_ context.Context, to bot.ChatID, msg bot.Outbound) (bot.MessageRef, error) {
	if to.Channel != bot.Console {
		return "", fmt.Errorf("console send to %s: %w", to, bot.ErrNoChannel)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prompt != "" {
		fmt.Fprintln(c.out)
	}
	c.print(to, msg)
	if c.prompt != "" {
		fmt.Fprint(c.out, c.prompt)
	}
	return "", nil
}

// print writes one message: its text, its document and its options as a numbered list.
func (c *Console) print(to bot.ChatID, msg bot.Outbound) {
	var b strings.Builder
	if to != c.chat {
		fmt.Fprintf(&b, "[to %s]\n", to)
	}
	if msg.Text != "" {
		b.WriteString(msg.Text)
		b.WriteByte('\n')
	}
	if msg.Document != nil {
		fmt.Fprintf(&b, "[document %s, %d bytes]\n", msg.Document.Name, len(msg.Document.Data))
	}
	for i, opt := range msg.Options {
		fmt.Fprintf(&b, "  %d) %s\n", i+1, opt.Label)
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(c.out, b.String()); err != nil {
		c.log.Warn("Writing to the console failed", "error", err)
	}
}
