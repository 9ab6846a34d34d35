package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

func whatsAppChat(phone string) bot.ChatID { return bot.ChatID{Channel: bot.WhatsApp, ID: phone} }

func TestSendOnlyToPeopleWhoWrote(t *testing.T) {
	h := newHarness(t, Config{})
	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))
	ctx := context.Background()

	cases := map[string]struct {
		to      bot.ChatID
		wantErr error
	}{
		"wrote first":          {to: whatsAppChat(customerPhone)},
		"never wrote":          {to: whatsAppChat(strangerPhone), wantErr: bot.ErrUnreachable},
		"not a phone number":   {to: whatsAppChat("12345"), wantErr: bot.ErrUnreachable},
		"letters":              {to: whatsAppChat("91987654321x"), wantErr: bot.ErrUnreachable},
		"other channel":        {to: bot.ChatID{Channel: bot.Telegram, ID: "42"}, wantErr: bot.ErrNoChannel},
		"LID instead of phone": {to: whatsAppChat(customerLID + "@lid"), wantErr: bot.ErrUnreachable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(h.client.Sent())
			ref, err := h.a.Send(ctx, tc.to, bot.Outbound{Text: "Your recharge succeeded."})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Send error = %v, want %v", err, tc.wantErr)
			}
			if ref != "" {
				t.Errorf("MessageRef = %q, want empty", ref)
			}
			sent := h.client.Sent()[before:]
			if tc.wantErr != nil {
				if len(sent) != 0 {
					t.Errorf("sent %d messages, want none", len(sent))
				}
				if strings.Contains(err.Error(), tc.to.ID) && len(tc.to.ID) > 4 {
					t.Errorf("error %q shows the full chat id", err)
				}
				return
			}
			if len(sent) != 1 || sent[0].To != customerJID || sent[0].Text != "Your recharge succeeded." {
				t.Errorf("sent %+v, want the text to the customer's phone JID", sent)
			}
		})
	}
}

func TestSendRemembersWritersAcrossRestart(t *testing.T) {
	h := newHarness(t, Config{})
	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))

	restarted := NewWithClient(Config{Handler: h.handler, Now: h.clock.Now, Sleep: h.clock.Sleep}, h.client, h.a.store.reopenForTest(t))
	if _, err := restarted.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{Text: "Refund done."}); err != nil {
		t.Fatalf("Send after restart: %v", err)
	}
}

func TestSendEditSendsNewMessage(t *testing.T) {
	h := newHarness(t, Config{})
	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))

	ref, err := h.a.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{Text: "Progress: 2 of 5", Edit: "earlier"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if ref != "" {
		t.Errorf("MessageRef = %q, want empty because edits are not supported", ref)
	}
	texts := h.client.SentTexts()
	if texts[len(texts)-1] != "Progress: 2 of 5" {
		t.Errorf("last text = %q, want the edit sent as a new message", texts[len(texts)-1])
	}
}

func TestSendDocument(t *testing.T) {
	h := newHarness(t, Config{})
	h.deliver(textEvent(fromPerson(agentJID, h.clock.Now()), "report"))
	report := []byte("order_id,status\n2612040001,success\n")

	_, err := h.a.Send(context.Background(), whatsAppChat(agentPhone), bot.Outbound{
		Text:     "Bulk run finished: 1 of 1 succeeded.",
		Document: &bot.File{Name: "run-7.csv", MIME: "text/csv", Data: report},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	sent := h.client.Sent()
	last, prev := sent[len(sent)-1], sent[len(sent)-2]
	if prev.Text != "Bulk run finished: 1 of 1 succeeded." {
		t.Errorf("text before the document = %q", prev.Text)
	}
	if last.Doc == nil {
		t.Fatal("last message is not a document")
	}
	if last.Doc.GetFileName() != "run-7.csv" || last.Doc.GetMimetype() != "text/csv" || last.Doc.GetFileLength() != uint64(len(report)) {
		t.Errorf("document = %s (%s, %d bytes), want run-7.csv (text/csv, %d bytes)",
			last.Doc.GetFileName(), last.Doc.GetMimetype(), last.Doc.GetFileLength(), len(report))
	}
	if last.Doc.GetDirectPath() != "/d/1" || string(last.Doc.GetMediaKey()) != "media-key" {
		t.Error("document does not carry the upload's path and media key")
	}
	if diff := cmp.Diff([][]byte{report}, h.client.Uploads()); diff != "" {
		t.Errorf("uploads (-want +got):\n%s", diff)
	}
}

func TestSendErrorHidesNumbers(t *testing.T) {
	h := newHarness(t, Config{})
	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))
	cause := fmt.Errorf("failed to get device list of %s: %w", customerJID, errBoom)
	h.client.SendErr = cause

	_, err := h.a.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{Text: "hello"})

	if !errors.Is(err, errBoom) {
		t.Errorf("Send error = %v, want it to wrap the client's error", err)
	}
	if strings.Contains(err.Error(), customerPhone) {
		t.Errorf("error %q shows the full phone number", err)
	}
	if errors.Is(err, bot.ErrUnreachable) {
		t.Error("a send failure must stay retryable, not ErrUnreachable")
	}
}

func TestPacingCapsMessagesPerMinute(t *testing.T) {
	h := newHarness(t, Config{MessagesPerMinute: 3})
	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))
	start := h.clock.Now()
	before := len(h.client.Sent())

	for i := range 7 {
		if _, err := h.a.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{Text: fmt.Sprint(i)}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}

	var offsets []time.Duration
	for _, m := range h.client.Sent()[before:] {
		offsets = append(offsets, m.At.Sub(start))
	}
	// The reply to "hi" went out at start too, so the first window has room for two more.
	want := []time.Duration{0, 0, time.Minute, time.Minute, time.Minute, 2 * time.Minute, 2 * time.Minute}
	if diff := cmp.Diff(want, offsets); diff != "" {
		t.Errorf("send times after start (-want +got):\n%s", diff)
	}
}

func TestPacerWindow(t *testing.T) {
	clock := newTestClock()
	p := newPacer(2, time.Minute, clock.Now, clock.Sleep)
	ctx := context.Background()
	var at []time.Duration
	start := clock.Now()

	for range 5 {
		if err := p.wait(ctx); err != nil {
			t.Fatalf("wait: %v", err)
		}
		at = append(at, clock.Now().Sub(start))
		clock.Advance(10 * time.Second)
	}

	// Sends at 0 and 10s fill the window; the third waits until 60s, the fourth until 70s.
	want := []time.Duration{0, 10 * time.Second, 60 * time.Second, 70 * time.Second, 120 * time.Second}
	if diff := cmp.Diff(want, at); diff != "" {
		t.Errorf("send offsets (-want +got):\n%s", diff)
	}
}

func TestPacerStopsWithContext(t *testing.T) {
	clock := newTestClock()
	p := newPacer(1, time.Minute, clock.Now, clock.Sleep)
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.wait(ctx); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	cancel()
	if err := p.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("wait on a full window with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestSendAfterStop(t *testing.T) {
	h := newHarness(t, Config{})
	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))
	h.deliver(&events.StreamReplaced{})

	_, err := h.a.Send(context.Background(), whatsAppChat(customerPhone), bot.Outbound{Text: "late"})
	if !errors.Is(err, ErrStopped) {
		t.Errorf("Send after stop = %v, want ErrStopped", err)
	}
}
