package whatsapp

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

func TestInboundEvents(t *testing.T) {
	type want struct {
		inbound *bot.Inbound // what reaches the handler; nil for nothing
		sent    []string     // texts sent back
	}
	customerChat := bot.ChatID{Channel: bot.WhatsApp, ID: customerPhone}

	cases := map[string]struct {
		event func(now time.Time) any
		want  want
	}{
		"text": {
			event: func(now time.Time) any { return textEvent(fromPerson(customerJID, now), "hi") },
			want: want{
				inbound: &bot.Inbound{Chat: customerChat, UserID: customerPhone, DisplayName: "Asha", Text: "hi"},
				sent:    []string{"echo: hi"},
			},
		},
		"extended text": {
			event: func(now time.Time) any {
				return &events.Message{Info: fromPerson(customerJID, now), Message: &waE2E.Message{
					ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: ptr("recharge 9876543210 199")},
				}}
			},
			want: want{
				inbound: &bot.Inbound{Chat: customerChat, UserID: customerPhone, DisplayName: "Asha", Text: "recharge 9876543210 199"},
				sent:    []string{"echo: recharge 9876543210 199"},
			},
		},
		"LID sender with phone alongside": {
			event: func(now time.Time) any {
				info := fromPerson(lidJID, now)
				info.AddressingMode = types.AddressingModeLID
				info.SenderAlt = customerJID
				return textEvent(info, "hi")
			},
			want: want{
				inbound: &bot.Inbound{Chat: customerChat, UserID: customerPhone, DisplayName: "Asha", Text: "hi"},
				sent:    []string{"echo: hi"},
			},
		},
		"LID sender mapped in store": {
			event: func(now time.Time) any { return textEvent(fromPerson(lidJID, now), "hi") },
			want: want{
				inbound: &bot.Inbound{Chat: customerChat, UserID: customerPhone, DisplayName: "Asha", Text: "hi"},
				sent:    []string{"echo: hi"},
			},
		},
		"LID sender without mapping": {
			event: func(now time.Time) any {
				return textEvent(fromPerson(types.NewJID("999999999999999", types.HiddenUserServer), now), "hi")
			},
		},
		"group": {
			event: func(now time.Time) any {
				info := fromPerson(customerJID, now)
				info.Chat = types.NewJID("120363000000000000", types.GroupServer)
				info.IsGroup = true
				return textEvent(info, "hi all")
			},
		},
		"status broadcast": {
			event: func(now time.Time) any {
				info := fromPerson(customerJID, now)
				info.Chat = types.StatusBroadcastJID
				info.IsGroup = true
				return textEvent(info, "my status")
			},
		},
		"broadcast list": {
			event: func(now time.Time) any {
				info := fromPerson(customerJID, now)
				info.Chat = types.NewJID("1700000000", types.BroadcastServer)
				return textEvent(info, "offer")
			},
		},
		"newsletter": {
			event: func(now time.Time) any {
				channel := types.NewJID("120363111111111111", types.NewsletterServer)
				return textEvent(fromPerson(channel, now), "news")
			},
		},
		"own message": {
			event: func(now time.Time) any {
				info := fromPerson(customerJID, now)
				info.IsFromMe = true
				return textEvent(info, "sent from the phone")
			},
		},
		"edit": {
			event: func(now time.Time) any {
				evt := textEvent(fromPerson(customerJID, now), "2")
				evt.IsEdit = true
				return evt
			},
		},
		"reaction": {
			event: func(now time.Time) any {
				return &events.Message{Info: fromPerson(customerJID, now), Message: &waE2E.Message{
					ReactionMessage: &waE2E.ReactionMessage{Text: ptr("👍")},
				}}
			},
		},
		"history sync": {
			event: func(now time.Time) any {
				return &events.HistorySync{Data: &waHistorySync.HistorySync{
					Conversations: []*waHistorySync.Conversation{{ID: ptr(customerJID.String())}},
				}}
			},
		},
		"message from before the connection": {
			event: func(now time.Time) any { return textEvent(fromPerson(customerJID, now.Add(-2*time.Hour)), "1") },
			want:  want{sent: []string{noticeBacklog}},
		},
		"message from days before the connection": {
			event: func(now time.Time) any { return textEvent(fromPerson(customerJID, now.Add(-72*time.Hour)), "1") },
		},
		"undecryptable": {
			event: func(now time.Time) any {
				return &events.UndecryptableMessage{Info: fromPerson(customerJID, now)}
			},
			want: want{sent: []string{noticeUndecryptable}},
		},
		"undecryptable hidden": {
			event: func(now time.Time) any {
				return &events.UndecryptableMessage{Info: fromPerson(customerJID, now), DecryptFailMode: events.DecryptFailHide}
			},
		},
		"undecryptable in group": {
			event: func(now time.Time) any {
				info := fromPerson(customerJID, now)
				info.Chat = types.NewJID("120363000000000000", types.GroupServer)
				info.IsGroup = true
				return &events.UndecryptableMessage{Info: info}
			},
		},
		"picture": {
			event: func(now time.Time) any {
				return &events.Message{Info: fromPerson(customerJID, now), Message: &waE2E.Message{
					ImageMessage: &waE2E.ImageMessage{Caption: ptr("screenshot")},
				}}
			},
			want: want{sent: []string{noticeUnsupported}},
		},
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.client.LIDs[customerLID] = customerPhone
			now := h.clock.Now()

			h.deliver(tc.event(now))

			var wantInbound []bot.Inbound
			if tc.want.inbound != nil {
				in := *tc.want.inbound
				in.ReceivedAt = now
				wantInbound = []bot.Inbound{in}
			}
			got := h.handler.Got()
			if diff := cmp.Diff(wantInbound, got, cmp.FilterPath(isUpdateID, cmp.Ignore())); diff != "" {
				t.Errorf("handler input (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want.sent, h.client.SentTexts()); diff != "" {
				t.Errorf("sent texts (-want +got):\n%s", diff)
			}
			for _, m := range h.client.Sent() {
				if m.To.Server != types.DefaultUserServer && m.To.Server != types.HiddenUserServer {
					t.Errorf("reply sent to %s, want a person's chat", m.To)
				}
			}
		})
	}
}

func isUpdateID(p cmp.Path) bool { return p.Last().String() == ".UpdateID" }

func TestInboundCarriesMessageID(t *testing.T) {
	h := newHarness(t, Config{})
	info := fromPerson(customerJID, h.clock.Now())

	h.deliver(textEvent(info, "hi"))

	got := h.handler.Got()
	if len(got) != 1 {
		t.Fatalf("handler got %d messages, want 1", len(got))
	}
	if got[0].UpdateID != string(info.ID) {
		t.Errorf("UpdateID = %q, want %q", got[0].UpdateID, info.ID)
	}
}

func TestLIDMessageReplyGoesToItsChat(t *testing.T) {
	h := newHarness(t, Config{})
	h.client.LIDs[customerLID] = customerPhone

	h.deliver(textEvent(fromPerson(lidJID, h.clock.Now()), "hi"))

	sent := h.client.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(sent))
	}
	if sent[0].To != lidJID {
		t.Errorf("reply went to %s, want the LID chat the message came from", sent[0].To)
	}
	wrote, err := h.a.store.hasWritten(context.Background(), customerPhone)
	if err != nil || !wrote {
		t.Errorf("hasWritten(phone) = %v, %v; want the phone number remembered", wrote, err)
	}
	wrote, _ = h.a.store.hasWritten(context.Background(), customerLID)
	if wrote {
		t.Error("the LID was stored as a user")
	}
}

func TestUndecryptableNoticeOncePerInterval(t *testing.T) {
	h := newHarness(t, Config{NoticeInterval: 10 * time.Minute})
	undecryptable := func() any {
		return &events.UndecryptableMessage{Info: fromPerson(customerJID, h.clock.Now())}
	}

	h.deliver(undecryptable())
	h.deliver(undecryptable())
	h.clock.Advance(11 * time.Minute)
	h.deliver(undecryptable())

	want := []string{noticeUndecryptable, noticeUndecryptable}
	if diff := cmp.Diff(want, h.client.SentTexts()); diff != "" {
		t.Errorf("sent texts (-want +got):\n%s", diff)
	}
	if got := h.handler.Got(); len(got) != 0 {
		t.Errorf("handler got %d messages, want none", len(got))
	}
}

func TestDocumentReachesHandler(t *testing.T) {
	h := newHarness(t, Config{MaxFileBytes: 1024})
	csv := []byte("number,amount\n9876543210,199\n")
	h.client.Download = csv
	doc := &waE2E.DocumentMessage{
		FileName:   ptr("bulk.csv"),
		Mimetype:   ptr("text/csv"),
		FileLength: ptr(uint64(len(csv))),
		Caption:    ptr("today's run"),
	}

	h.deliver(&events.Message{Info: fromPerson(agentJID, h.clock.Now()), Message: &waE2E.Message{DocumentMessage: doc}})

	got := h.handler.Got()
	if len(got) != 1 {
		t.Fatalf("handler got %d messages, want 1", len(got))
	}
	want := &bot.File{Name: "bulk.csv", MIME: "text/csv", Data: csv}
	if diff := cmp.Diff(want, got[0].File); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	if got[0].Text != "today's run" {
		t.Errorf("Text = %q, want the caption", got[0].Text)
	}
	if got[0].UserID != agentPhone {
		t.Errorf("UserID = %s, want the agent", bot.Mask(got[0].UserID))
	}
}

func TestDocumentOverLimit(t *testing.T) {
	cases := map[string]struct {
		declared      uint64
		data          []byte
		wantDownloads int
	}{
		"declared too large":   {declared: 4096, data: make([]byte, 10), wantDownloads: 0},
		"larger than declared": {declared: 10, data: make([]byte, 2048), wantDownloads: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{MaxFileBytes: 1024})
			h.client.Download = tc.data
			doc := &waE2E.DocumentMessage{FileName: ptr("big.csv"), FileLength: ptr(tc.declared)}

			h.deliver(&events.Message{Info: fromPerson(agentJID, h.clock.Now()), Message: &waE2E.Message{DocumentMessage: doc}})

			if got := h.handler.Got(); len(got) != 0 {
				t.Errorf("handler got %d messages, want none", len(got))
			}
			want := []string{"That file is too large: I accept files up to 1 KB. Please send a smaller file."}
			if diff := cmp.Diff(want, h.client.SentTexts()); diff != "" {
				t.Errorf("sent texts (-want +got):\n%s", diff)
			}
			if h.client.Downloads() != tc.wantDownloads {
				t.Errorf("downloads = %d, want %d", h.client.Downloads(), tc.wantDownloads)
			}
		})
	}
}

func TestDocumentDownloadFailure(t *testing.T) {
	h := newHarness(t, Config{})
	h.client.DownloadErr = errBoom
	doc := &waE2E.DocumentMessage{FileName: ptr("bulk.csv"), FileLength: ptr(uint64(10))}

	h.deliver(&events.Message{Info: fromPerson(agentJID, h.clock.Now()), Message: &waE2E.Message{DocumentMessage: doc}})

	if got := h.handler.Got(); len(got) != 0 {
		t.Errorf("handler got %d messages, want none", len(got))
	}
	if diff := cmp.Diff([]string{noticeDownload}, h.client.SentTexts()); diff != "" {
		t.Errorf("sent texts (-want +got):\n%s", diff)
	}
}

func TestTypingWhileHandlerRuns(t *testing.T) {
	h := newHarness(t, Config{})
	info := fromPerson(customerJID, h.clock.Now())

	h.deliver(textEvent(info, "hi"))

	want := []string{"read " + string(info.ID), "typing composing", "typing paused", "send echo: hi"}
	if diff := cmp.Diff(want, h.client.Ops()); diff != "" {
		t.Errorf("client calls (-want +got):\n%s", diff)
	}
}

func TestHandlerErrorGetsApology(t *testing.T) {
	h := newHarness(t, Config{})
	h.handler.reply = func(bot.Inbound) ([]bot.Outbound, error) { return nil, errBoom }

	h.deliver(textEvent(fromPerson(customerJID, h.clock.Now()), "hi"))

	if diff := cmp.Diff([]string{noticeHandlerFailed}, h.client.SentTexts()); diff != "" {
		t.Errorf("sent texts (-want +got):\n%s", diff)
	}
}

func TestMessagesOfOneUserInOrder(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 10)
	handler := &recordingHandler{reply: func(in bot.Inbound) ([]bot.Outbound, error) {
		started <- in.Text
		if in.Text == "a1" {
			<-release
		}
		return nil, nil
	}}
	h := newHarness(t, Config{Handler: handler})
	now := h.clock.Now()

	h.a.HandleEvent(textEvent(fromPerson(customerJID, now), "a1"))
	h.a.HandleEvent(textEvent(fromPerson(customerJID, now), "a2"))
	h.a.HandleEvent(textEvent(fromPerson(agentJID, now), "b1"))

	first, second := <-started, <-started
	if first == "a2" || second == "a2" {
		t.Fatalf("a2 started before a1 finished (started %q, %q)", first, second)
	}
	if (first != "a1" || second != "b1") && (first != "b1" || second != "a1") {
		t.Fatalf("started %q, %q; want a1 and b1 in parallel", first, second)
	}

	close(release)
	h.a.queues.wait()
	if got := <-started; got != "a2" {
		t.Errorf("third message handled = %q, want a2", got)
	}

	var customerTexts []string
	for _, in := range handler.Got() {
		if in.UserID == customerPhone {
			customerTexts = append(customerTexts, in.Text)
		}
	}
	if diff := cmp.Diff([]string{"a1", "a2"}, customerTexts); diff != "" {
		t.Errorf("customer's messages in handler order (-want +got):\n%s", diff)
	}
}

func TestFloodFromOneChatIsBounded(t *testing.T) {
	release := make(chan struct{})
	handler := &recordingHandler{reply: func(in bot.Inbound) ([]bot.Outbound, error) {
		<-release
		return nil, nil
	}}
	h := newHarness(t, Config{Handler: handler})

	for range maxPendingPerChat + 5 {
		h.a.HandleEvent(textEvent(fromPerson(customerJID, h.clock.Now()), "spam"))
	}
	close(release)
	h.a.queues.wait()

	if got := len(handler.Got()); got != maxPendingPerChat {
		t.Errorf("handled %d messages, want the first %d", got, maxPendingPerChat)
	}
}
