package console

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rechargebot/rechargebot/bot"
)

// echoHandler replies to each message with its text and two options, and records the inbounds.
type echoHandler struct {
	mu  sync.Mutex
	ins []bot.Inbound
}

func (h *echoHandler) Handle(_ context.Context, in bot.Inbound) ([]bot.Outbound, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ins = append(h.ins, in)
	if in.Text == "fail" {
		return nil, errors.New("handler failed")
	}
	return []bot.Outbound{{
		Text:    "you said " + in.Text,
		Options: []bot.Option{{Label: "Yes", Data: "y"}, {Label: "No", Data: "n"}},
	}}, nil
}

func TestRunPipedInput(t *testing.T) {
	var out strings.Builder
	c := New(Options{In: strings.NewReader("hello\n\n  1  \n"), Out: &out, Name: "Asha", Echo: true})
	h := &echoHandler{}

	if err := c.Run(context.Background(), h); err != nil {
		t.Fatalf("Run: %v", err)
	}

	want := "> hello\nyou said hello\n  1) Yes\n  2) No\n\n> 1\nyou said 1\n  1) Yes\n  2) No\n\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	if len(h.ins) != 2 {
		t.Fatalf("handled %d messages, want 2 (the blank line is skipped)", len(h.ins))
	}
	in := h.ins[0]
	if in.Chat != (bot.ChatID{Channel: bot.Console, ID: DefaultUser}) || in.UserID != DefaultUser || in.DisplayName != "Asha" {
		t.Errorf("inbound = %+v", in)
	}
	if h.ins[0].UpdateID == "" || h.ins[0].UpdateID == h.ins[1].UpdateID {
		t.Errorf("update ids %q, %q are not distinct", h.ins[0].UpdateID, h.ins[1].UpdateID)
	}
}

func TestRunJoinsContinuedLines(t *testing.T) {
	var out strings.Builder
	c := New(Options{In: strings.NewReader("/bulk \\\n9876543210 199\\\n9123456780 50\nnext\n"), Out: &out})
	h := &echoHandler{}

	if err := c.Run(context.Background(), h); err != nil {
		t.Fatalf("Run: %v", err)
	}

	if len(h.ins) != 2 {
		t.Fatalf("handled %d messages, want 2", len(h.ins))
	}
	if want := "/bulk \n9876543210 199\n9123456780 50"; h.ins[0].Text != want {
		t.Errorf("first message = %q, want %q", h.ins[0].Text, want)
	}
	if h.ins[1].Text != "next" {
		t.Errorf("second message = %q, want next", h.ins[1].Text)
	}
}

// signalHandler is an echoHandler that reports each handled message on handled.
type signalHandler struct {
	echoHandler
	handled chan string
}

func (h *signalHandler) Handle(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
	out, err := h.echoHandler.Handle(ctx, in)
	h.handled <- in.Text
	return out, err
}

func TestRunJoinsPastedLines(t *testing.T) {
	in, typing := io.Pipe()
	c := New(Options{In: in, Out: io.Discard, PasteWindow: 500 * time.Millisecond})
	h := &signalHandler{handled: make(chan string, 2)}
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background(), h) }()

	// A paste arrives in one write; the next line comes only after the paste was handled.
	io.WriteString(typing, "/bulk\n9876543210 199\n9123456780 50\n")
	if got := <-h.handled; got != "/bulk\n9876543210 199\n9123456780 50" {
		t.Errorf("pasted message = %q, want the three lines as one", got)
	}
	io.WriteString(typing, "1\n")
	if got := <-h.handled; got != "1" {
		t.Errorf("typed message = %q, want 1", got)
	}
	typing.Close()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestJoinPastedKeepsTypedLinesApart(t *testing.T) {
	c := New(Options{PasteWindow: 100 * time.Millisecond})
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	// Read while the bot was busy: a paste of two lines, then a line typed five seconds later.
	lines := make(chan inputLine, 3)
	lines <- inputLine{text: "9876543210 199", at: start.Add(10 * time.Millisecond)}
	lines <- inputLine{text: "/history", at: start.Add(5 * time.Second)}
	close(lines)

	joined, held, ended := c.joinPasted(lines, inputLine{text: "/bulk", at: start})
	if joined.text != "/bulk\n9876543210 199" {
		t.Errorf("joined = %q, want the two pasted lines", joined.text)
	}
	if held == nil || held.text != "/history" || ended {
		t.Fatalf("held = %+v, ended = %v; want /history held for the next message", held, ended)
	}

	joined, held, ended = c.joinPasted(lines, *held)
	if joined.text != "/history" || held != nil || !ended {
		t.Errorf("second message = %q, held %+v, ended %v; want /history alone at the end", joined.text, held, ended)
	}
}

func TestRunHandlerError(t *testing.T) {
	var out strings.Builder
	c := New(Options{In: strings.NewReader("fail\nok\n"), Out: &out})
	if err := c.Run(context.Background(), &echoHandler{}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(out.String(), "could not answer") || !strings.Contains(out.String(), "you said ok") {
		t.Errorf("output:\n%s", out.String())
	}
	if strings.Contains(out.String(), "handler failed") {
		t.Errorf("the internal error reached the chat:\n%s", out.String())
	}
}

func TestRunStopsWithContext(t *testing.T) {
	reader, writer := io.Pipe()
	defer writer.Close()
	c := New(Options{In: reader, Out: io.Discard})
	ctx, cancel := context.WithCancel(context.Background())

	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, &echoHandler{}) }()
	cancel()

	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the context ended")
	}
}

func TestRunLineTooLong(t *testing.T) {
	var out strings.Builder
	input := strings.Repeat("x", 3*maxLine) + "\nhello\n" + strings.Repeat("y", maxLine+2)
	c := New(Options{In: strings.NewReader(input), Out: &out})
	h := &echoHandler{}

	if err := c.Run(context.Background(), h); err != nil {
		t.Fatalf("Run: %v", err)
	}

	if len(h.ins) != 1 || h.ins[0].Text != "hello" {
		t.Errorf("handled %+v, want only hello", h.ins)
	}
	if n := strings.Count(out.String(), "was skipped"); n != 2 {
		t.Errorf("printed %d skip notices, want 2:\n%s", n, out.String())
	}
}

func TestReadLineEndings(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader("a\r\nb\nlast"), 16)
	for _, want := range []string{"a", "b", "last"} {
		line, tooLong, err := readLine(r, 8)
		if line != want || tooLong {
			t.Errorf("readLine = %q, %v, %v; want %q", line, tooLong, err, want)
		}
	}
	if _, _, err := readLine(r, 8); err != io.EOF {
		t.Errorf("readLine at the end = %v, want io.EOF", err)
	}
}

func TestSend(t *testing.T) {
	var out strings.Builder
	c := New(Options{Out: &out, User: "me"})

	ref, err := c.Send(context.Background(), c.Chat(), bot.Outbound{
		Text: "Recharge done", Document: &bot.File{Name: "report.csv", Data: []byte("a,b")},
		Options: []bot.Option{{Label: "Again", Data: "/recharge"}},
	})
	if err != nil || ref != "" {
		t.Fatalf("Send = %q, %v", ref, err)
	}
	_, err = c.Send(context.Background(), bot.ChatID{Channel: bot.Console, ID: "other-user"}, bot.Outbound{Text: "alert"})
	if err != nil {
		t.Fatalf("Send to another console chat: %v", err)
	}
	want := "Recharge done\n[document report.csv, 3 bytes]\n  1) Again\n\n[to console:******user]\nalert\n\n"
	if out.String() != want {
		t.Errorf("output:\n%q\nwant:\n%q", out.String(), want)
	}

	_, err = c.Send(context.Background(), bot.ChatID{Channel: bot.Telegram, ID: "1"}, bot.Outbound{Text: "x"})
	if !errors.Is(err, bot.ErrNoChannel) {
		t.Errorf("Send to Telegram = %v, want ErrNoChannel", err)
	}
}

// TestHandleHoldsOutput checks that the console holds its output while a message is handled
// and its replies print, so a notification sent meanwhile waits for them.
func TestHandleHoldsOutput(t *testing.T) {
	c := New(Options{In: strings.NewReader("pay\n"), Out: io.Discard})
	handler := bot.HandlerFunc(func(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
		if c.mu.TryLock() {
			c.mu.Unlock()
			t.Error("the output is not held while the message is handled")
		}
		return []bot.Outbound{{Text: "processing"}}, nil
	})
	if err := c.Run(context.Background(), handler); err != nil {
		t.Fatal(err)
	}
}

func TestSendReprintsPrompt(t *testing.T) {
	var out strings.Builder
	c := New(Options{Out: &out, Prompt: "> "})
	if _, err := c.Send(context.Background(), c.Chat(), bot.Outbound{Text: "result"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "\nresult\n\n> "; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
