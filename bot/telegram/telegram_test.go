package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/bot/telegram"
	"github.com/rechargebot/rechargebot/bot/telegram/telegramtest"
)

func TestStartSetsCommandMenus(t *testing.T) {
	h := newHarness(t).start(t)

	want := []string{"start", "cancel"}
	var got []string
	for _, c := range h.fake.Commands("default") {
		got = append(got, c.Command)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default commands (-want +got):\n%s", diff)
	}

	got = nil
	for _, c := range h.fake.Commands(fmt.Sprintf("chat:%d", admin)) {
		got = append(got, c.Command)
	}
	if diff := cmp.Diff([]string{"start", "credit"}, got); diff != "" {
		t.Errorf("admin chat commands (-want +got):\n%s", diff)
	}
	if n := len(h.fake.Calls("deleteWebhook")); n != 1 {
		t.Errorf("deleteWebhook called %d times in polling mode, want 1", n)
	}
	if got := h.adapter.Username(); got != telegramtest.BotUsername {
		t.Errorf("Username() = %q, want %q", got, telegramtest.BotUsername)
	}
}

func TestStartCommandReachesHandler(t *testing.T) {
	h := newHarness(t).start(t)
	u := h.fake.TextUpdate(alice, "/start")
	h.fake.Push(u)

	msgs := h.waitReplies(t, alice, 1)
	in := h.handler.inbounds()[0]
	want := bot.Inbound{
		Chat:        chat(alice),
		UserID:      strconv.FormatInt(alice, 10),
		DisplayName: "Test " + strconv.FormatInt(alice, 10),
		Text:        "/start",
		UpdateID:    strconv.FormatInt(u.ID, 10),
		ReceivedAt:  h.clock.Now(),
	}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("inbound (-want +got):\n%s", diff)
	}

	if msgs[0].Text != welcome.Text {
		t.Errorf("reply text = %q, want %q", msgs[0].Text, welcome.Text)
	}
	wantKeyboard := [][]telegramtest.Button{{{Text: "₹10", Data: "amount:10"}, {Text: "₹20", Data: "amount:20"}, {Text: "₹50", Data: "amount:50"}}}
	if diff := cmp.Diff(wantKeyboard, msgs[0].Keyboard); diff != "" {
		t.Errorf("keyboard (-want +got):\n%s", diff)
	}
}

func TestCommandWithBotNameIsStripped(t *testing.T) {
	h := newHarness(t).start(t)
	h.fake.Push(h.fake.TextUpdate(alice, "/start@"+telegramtest.BotUsername))

	h.waitReplies(t, alice, 1)
	if got := h.handler.inbounds()[0].Text; got != "/start" {
		t.Errorf("handler got %q, want /start", got)
	}
}

func TestButtonPressAnsweredAndEditedInPlace(t *testing.T) {
	h := newHarness(t).start(t)
	h.fake.Push(h.fake.TextUpdate(alice, "/start"))
	first := h.waitReplies(t, alice, 1)[0]

	press := h.fake.ButtonUpdate(alice, first.ID, "amount:20")
	h.fake.Push(press)
	h.fake.WaitCalls(t, "editMessageText", 1)

	answers := h.fake.Calls("answerCallbackQuery")
	if len(answers) != 1 || answers[0].Params["callback_query_id"] != press.CallbackQuery.ID {
		t.Fatalf("answerCallbackQuery calls = %+v, want one for %s", answers, press.CallbackQuery.ID)
	}
	if order := methodOrder(h.fake.Calls("")); strings.Index(order, "answerCallbackQuery") > strings.Index(order, "editMessageText") {
		t.Errorf("button answered after the edit; calls: %s", order)
	}

	msgs := h.fake.Messages(alice)
	if len(msgs) != 1 {
		t.Fatalf("chat has %d messages, want the one message edited in place", len(msgs))
	}
	if msgs[0].Text != "Recharge ₹20?" || msgs[0].Edits != 1 {
		t.Errorf("message = %q after %d edits, want %q after 1", msgs[0].Text, msgs[0].Edits, "Recharge ₹20?")
	}
	wantKeyboard := [][]telegramtest.Button{{{Text: "Pay", Data: "pay"}, {Text: "« Back", Data: "back"}}}
	if diff := cmp.Diff(wantKeyboard, msgs[0].Keyboard); diff != "" {
		t.Errorf("keyboard (-want +got):\n%s", diff)
	}

	in := h.handler.inbounds()[1]
	if in.Data != "amount:20" || in.MessageRef != bot.MessageRef(strconv.Itoa(first.ID)) || in.Text != "" {
		t.Errorf("inbound = %+v, want data amount:20 on message %d", in, first.ID)
	}
}

func TestEditNotModifiedIsNotAnError(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	ref, err := h.adapter.Send(ctx, chat(alice), welcome)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	same := welcome
	same.Edit = ref
	got, err := h.adapter.Send(ctx, chat(alice), same)
	if err != nil {
		t.Fatalf("Send of an unchanged edit: %v", err)
	}
	if got != ref {
		t.Errorf("ref = %q, want %q", got, ref)
	}

	edits := h.fake.Calls("editMessageText")
	if len(edits) != 1 || edits[0].Err == nil || !strings.Contains(edits[0].Err.Description, "message is not modified") {
		t.Errorf("editMessageText calls = %+v, want one answered with 'message is not modified'", edits)
	}
	if n := len(h.fake.Messages(alice)); n != 1 {
		t.Errorf("chat has %d messages, want 1", n)
	}
}

func TestEditOfMissingMessageSendsNew(t *testing.T) {
	h := newHarness(t)
	ref, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "Plans, page 2", Edit: "424242"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := h.fake.Messages(alice)
	if len(msgs) != 1 || bot.MessageRef(strconv.Itoa(msgs[0].ID)) != ref {
		t.Errorf("messages = %+v, ref %q; want one new message with that ref", msgs, ref)
	}
}

func TestEditRemovesKeyboard(t *testing.T) {
	h := newHarness(t)
	ref, err := h.adapter.Send(t.Context(), chat(alice), welcome)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "Cancelled.", Edit: ref}); err != nil {
		t.Fatalf("Send edit: %v", err)
	}
	msg := h.fake.Messages(alice)[0]
	if msg.Text != "Cancelled." || len(msg.Keyboard) != 0 {
		t.Errorf("message = %q with keyboard %v, want Cancelled. without buttons", msg.Text, msg.Keyboard)
	}
}

func TestRateLimitAnswerWaitsRetryAfter(t *testing.T) {
	h := newHarness(t)
	h.fake.Fail("sendMessage", telegramtest.TooManyRequests(7))

	if _, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "Your recharge succeeded."}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	calls := h.fake.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Err == nil || calls[1].Err != nil {
		t.Fatalf("sendMessage calls = %+v, want a 429 then a success", calls)
	}
	if !containsDuration(h.clock.Sleeps(), 7*time.Second) {
		t.Errorf("slept %v, want a 7s wait", h.clock.Sleeps())
	}
	if n := len(h.fake.Messages(alice)); n != 1 {
		t.Errorf("chat has %d messages, want 1", n)
	}
}

func TestRateLimitGivesUpAfterRetries(t *testing.T) {
	h := newHarness(t)
	for range 10 {
		h.fake.Fail("sendMessage", telegramtest.TooManyRequests(1))
	}
	_, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "hello"})
	if err == nil {
		t.Fatal("Send succeeded against endless 429 answers")
	}
	if n := len(h.fake.Calls("sendMessage")); n != 6 {
		t.Errorf("sendMessage called %d times, want 6 (one try and 5 retries)", n)
	}
}

func TestBlockedUserIsUnreachable(t *testing.T) {
	h := newHarness(t)
	h.fake.Block(bob)

	_, err := h.adapter.Send(t.Context(), chat(bob), bot.Outbound{Text: "Your refund arrived."})
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("Send error = %v, want bot.ErrUnreachable", err)
	}
	if n := len(h.fake.Calls("sendMessage")); n != 1 {
		t.Errorf("sendMessage called %d times, want 1 (no retry)", n)
	}
	if strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("error contains the token: %v", err)
	}
}

func TestDuplicateUpdateHandledOnce(t *testing.T) {
	var duplicates atomic.Int32
	h := newHarness(t, func(c *telegram.Config) {
		c.Received = func(kind string) {
			if kind == "duplicate" {
				duplicates.Add(1)
			}
		}
	}).start(t)

	u := h.fake.TextUpdate(alice, "9876543210")
	h.fake.Push(u, u)
	h.fake.Push(h.fake.TextUpdate(alice, "after"))

	h.waitReplies(t, alice, 2)
	var texts []string
	for _, in := range h.handler.inbounds() {
		texts = append(texts, in.Text)
	}
	if diff := cmp.Diff([]string{"9876543210", "after"}, texts); diff != "" {
		t.Errorf("handled texts (-want +got):\n%s", diff)
	}
	if duplicates.Load() != 1 {
		t.Errorf("Received(duplicate) called %d times, want 1", duplicates.Load())
	}
}

func TestBurstFromOneUserHandledInOrder(t *testing.T) {
	h := newHarness(t)
	var inFlight, overlaps atomic.Int32
	h.handler.setHook(func(_ context.Context, in bot.Inbound) ([]bot.Outbound, bool, error) {
		if in.Chat != chat(alice) {
			return nil, false, nil
		}
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inFlight.Add(-1)
		time.Sleep(time.Millisecond)
		return []bot.Outbound{{Text: "echo " + in.Text}}, true, nil
	})
	h.start(t)

	var want []string
	for i := range 10 {
		text := fmt.Sprintf("message %d", i)
		want = append(want, "echo "+text)
		h.fake.Push(h.fake.TextUpdate(alice, text))
		if i == 4 {
			h.fake.Push(h.fake.TextUpdate(bob, "/start"))
		}
	}

	msgs := h.waitReplies(t, alice, 10)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	if overlaps.Load() != 0 {
		t.Errorf("%d updates of one user were handled at the same time", overlaps.Load())
	}
	h.waitReplies(t, bob, 1)

	// Ten replies in one chat at one message per second with a burst of three need at least
	// seven seconds of waiting on the fake clock.
	var slept time.Duration
	for _, d := range h.clock.Sleeps() {
		slept += d
	}
	if slept < 6*time.Second {
		t.Errorf("slept %v in total, want the per-chat limit to space ten replies out", slept)
	}
}

func TestPanicAnsweredWithApology(t *testing.T) {
	h := newHarness(t).start(t)
	u := h.fake.TextUpdate(alice, "panic")
	h.fake.Push(u)

	msgs := h.waitReplies(t, alice, 1)
	if !strings.HasPrefix(msgs[0].Text, "Sorry, something went wrong") {
		t.Errorf("reply = %q, want the apology", msgs[0].Text)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "update_id="+strconv.FormatInt(u.ID, 10)) || !strings.Contains(logs, "script handler told to panic") {
		t.Errorf("log lacks the update id or the panic:\n%s", logs)
	}

	h.fake.Push(h.fake.TextUpdate(bob, "/start"), h.fake.TextUpdate(alice, "/start"))
	h.waitReplies(t, bob, 1)
	if got := h.waitReplies(t, alice, 2)[1].Text; got != welcome.Text {
		t.Errorf("reply after the panic = %q, want the welcome", got)
	}
}

func TestHandlerErrorAnsweredWithApology(t *testing.T) {
	h := newHarness(t)
	h.handler.setHook(func(context.Context, bot.Inbound) ([]bot.Outbound, bool, error) {
		return nil, true, errors.New("database is down")
	})
	h.start(t)
	h.fake.Push(h.fake.TextUpdate(alice, "hello"))

	msgs := h.waitReplies(t, alice, 1)
	if !strings.HasPrefix(msgs[0].Text, "Sorry, something went wrong") {
		t.Errorf("reply = %q, want the apology", msgs[0].Text)
	}
}

func TestGroupMessageGetsHintOnly(t *testing.T) {
	var groupUpdates atomic.Int32
	h := newHarness(t, func(c *telegram.Config) {
		c.Received = func(kind string) {
			if kind == "group" {
				groupUpdates.Add(1)
			}
		}
	}).start(t)
	const group int64 = -100123
	h.fake.Push(h.fake.GroupUpdate(group, alice, "/start"), h.fake.GroupUpdate(group, bob, "recharge please"))

	waitUntil(t, "both group updates", func() bool { return groupUpdates.Load() == 2 })
	msgs := h.fake.Messages(group)
	if len(msgs) != 1 {
		t.Fatalf("group got %d messages, want one hint", len(msgs))
	}
	if !strings.Contains(msgs[0].Text, "@"+telegramtest.BotUsername) || strings.Contains(msgs[0].Text, "\n") {
		t.Errorf("hint = %q, want one line naming @%s", msgs[0].Text, telegramtest.BotUsername)
	}
	if n := len(h.handler.inbounds()); n != 0 {
		t.Errorf("handler got %d group messages, want 0", n)
	}
}

func TestDocumentDownloadedForHandler(t *testing.T) {
	h := newHarness(t).start(t)
	csv := []byte("9876543210,199\n9123456780,299\n")
	h.fake.Push(h.fake.DocumentUpdate(alice, "bulk.csv", csv, "/bulk"))

	h.waitReplies(t, alice, 1)
	in := h.handler.inbounds()[0]
	want := &bot.File{Name: "bulk.csv", MIME: "text/csv", Data: csv}
	if diff := cmp.Diff(want, in.File); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	if in.Text != "/bulk" {
		t.Errorf("text = %q, want the caption /bulk", in.Text)
	}
	if n := len(h.fake.Calls("getFile")); n != 1 {
		t.Errorf("getFile called %d times, want 1", n)
	}
}

func TestDocumentOverLimitRejected(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.MaxFileBytes = 1024 }).start(t)
	h.fake.Push(h.fake.DocumentUpdate(alice, "big.csv", make([]byte, 4096), ""))

	msgs := h.waitReplies(t, alice, 1)
	if !strings.Contains(msgs[0].Text, "too large") || !strings.Contains(msgs[0].Text, "1 KB") {
		t.Errorf("reply = %q, want a too-large message naming the 1 KB limit", msgs[0].Text)
	}
	if n := len(h.handler.inbounds()); n != 0 {
		t.Errorf("handler called %d times, want 0", n)
	}
	if n := len(h.fake.Calls("getFile")); n != 0 {
		t.Errorf("getFile called %d times, want 0", n)
	}
}

func TestUnsupportedMessageAnswered(t *testing.T) {
	h := newHarness(t).start(t)
	h.fake.Push(h.fake.TextUpdate(alice, "")) // a sticker or photo carries no text

	msgs := h.waitReplies(t, alice, 1)
	if !strings.Contains(msgs[0].Text, "text messages") {
		t.Errorf("reply = %q, want the unsupported-message hint", msgs[0].Text)
	}
	if n := len(h.handler.inbounds()); n != 0 {
		t.Errorf("handler called %d times, want 0", n)
	}
}

func TestWebhookRejectsWrongSecret(t *testing.T) {
	const secret = "s3cret-webhook-token"
	h := newHarness(t, func(c *telegram.Config) {
		c.WebhookURL = "https://bot.example.test/telegram/webhook"
		c.WebhookSecret = secret
	}).start(t)

	url, registered := h.fake.Webhook()
	if url != "https://bot.example.test/telegram/webhook" || registered != secret {
		t.Errorf("setWebhook got url %q secret %q", url, registered)
	}
	callsBefore := len(h.fake.Calls(""))

	hook := h.adapter.WebhookHandler()
	for name, header := range map[string]string{"wrong": "guess", "missing": ""} {
		resp := telegramtest.PostWebhook(hook, header, h.fake.TextUpdate(alice, "/start"))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s secret: status %d, want 401", name, resp.StatusCode)
		}
	}
	if n := len(h.handler.inbounds()); n != 0 {
		t.Errorf("handler called %d times after rejected requests, want 0", n)
	}
	if n := len(h.fake.Calls("")); n != callsBefore {
		t.Errorf("rejected requests caused %d Bot API calls", n-callsBefore)
	}

	u := h.fake.TextUpdate(alice, "/start")
	for range 2 {
		if resp := telegramtest.PostWebhook(hook, secret, u); resp.StatusCode != http.StatusOK {
			t.Errorf("right secret: status %d, want 200", resp.StatusCode)
		}
	}
	h.waitReplies(t, alice, 1)
	if n := len(h.handler.inbounds()); n != 1 {
		t.Errorf("handler called %d times for one update posted twice, want 1", n)
	}
}

func TestWebhookRejectsBadBodies(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) {
		c.WebhookURL = "https://bot.example.test/hook"
		c.WebhookSecret = "s"
	}).start(t)
	hook := h.adapter.WebhookHandler()

	cases := map[string]struct {
		method, body string
		want         int
	}{
		"not json":  {http.MethodPost, "{{{", http.StatusBadRequest},
		"no id":     {http.MethodPost, `{"message":{"text":"hi"}}`, http.StatusBadRequest},
		"get":       {http.MethodGet, "", http.StatusMethodNotAllowed},
		"too large": {http.MethodPost, `{"update_id":1,"x":"` + strings.Repeat("a", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(tc.method, tc.body)
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
			rec := serve(hook, req)
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

func TestWebhookUnavailableBeforeStart(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) {
		c.WebhookURL = "https://bot.example.test/hook"
		c.WebhookSecret = "s"
	})
	resp := telegramtest.PostWebhook(h.adapter.WebhookHandler(), "s", h.fake.TextUpdate(alice, "/start"))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 so Telegram delivers again later", resp.StatusCode)
	}
}

func TestLongTextSplitOnLines(t *testing.T) {
	h := newHarness(t)
	var b strings.Builder
	for i := 0; b.Len() < 10000; i++ {
		fmt.Fprintf(&b, "₹%d plan: unlimited calls, 1.5 GB a day, 28 days 📶\n", 100+i)
	}
	text := strings.TrimRight(b.String(), "\n")

	_, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: text, Options: confirmOptions})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := h.fake.Messages(alice)
	if len(msgs) < 3 {
		t.Fatalf("sent %d messages, want the text split in at least 3", len(msgs))
	}
	var parts []string
	for i, m := range msgs {
		if n := len(utf16.Encode([]rune(m.Text))); n > 4096 {
			t.Errorf("part %d is %d UTF-16 units, over 4096", i, n)
		}
		if strings.HasPrefix(m.Text, " ") || !strings.HasPrefix(m.Text, "₹") {
			t.Errorf("part %d does not start at a line: %q", i, m.Text[:20])
		}
		if (len(m.Keyboard) > 0) != (i == len(msgs)-1) {
			t.Errorf("part %d has keyboard %v; want buttons on the last part only", i, m.Keyboard)
		}
		parts = append(parts, m.Text)
	}
	if got := strings.Join(parts, "\n"); got != text {
		t.Error("the parts joined by newlines differ from the text")
	}
}

func TestUserTextShownVerbatim(t *testing.T) {
	h := newHarness(t).start(t)
	typed := "<b>5 & 6</b> *bold* _it_ [link](http://x.test) `code` \\ ~ # + - = | { } . !"
	h.fake.Push(h.fake.TextUpdate(alice, typed))

	msgs := h.waitReplies(t, alice, 1)
	if want := "You said: " + typed; msgs[0].Text != want {
		t.Errorf("reply = %q, want %q", msgs[0].Text, want)
	}
	for _, c := range h.fake.Calls("sendMessage") {
		if pm := c.Params["parse_mode"]; pm != "" {
			t.Errorf("sendMessage with parse_mode %q, want plain text", pm)
		}
	}
}

func TestOptionDataOver64BytesRejected(t *testing.T) {
	h := newHarness(t)
	// 22 Devanagari letters are 22 characters but 66 bytes.
	data := strings.Repeat("र", 22)
	_, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "Pick", Options: []bot.Option{{Label: "रिचार्ज", Data: data}}})
	if !errors.Is(err, telegram.ErrInvalidOption) {
		t.Fatalf("Send error = %v, want ErrInvalidOption", err)
	}
	if n := len(h.fake.Calls("sendMessage")); n != 0 {
		t.Errorf("sendMessage called %d times, want 0", n)
	}

	ok := strings.Repeat("र", 21) // 63 bytes
	if _, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "Pick", Options: []bot.Option{{Label: "रिचार्ज", Data: ok}}}); err != nil {
		t.Errorf("Send with 63 bytes of data: %v", err)
	}
}

func TestSendDocumentWithCaption(t *testing.T) {
	h := newHarness(t)
	doc := &bot.File{Name: "report.csv", MIME: "text/csv", Data: []byte("line,status\n1,success\n")}
	ref, err := h.adapter.Send(t.Context(), chat(admin), bot.Outbound{Text: "Bulk run finished.", Document: doc, Options: confirmOptions})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := h.fake.Messages(admin)
	if len(msgs) != 1 || msgs[0].Document == nil {
		t.Fatalf("messages = %+v, want one document", msgs)
	}
	if diff := cmp.Diff(&telegramtest.Upload{Name: "report.csv", Data: doc.Data}, msgs[0].Document); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	if msgs[0].Text != "Bulk run finished." || len(msgs[0].Keyboard) == 0 {
		t.Errorf("caption %q keyboard %v, want the text and buttons", msgs[0].Text, msgs[0].Keyboard)
	}
	if ref != bot.MessageRef(strconv.Itoa(msgs[0].ID)) {
		t.Errorf("ref = %q, want %d", ref, msgs[0].ID)
	}
}

func TestSendToOtherChannelFails(t *testing.T) {
	h := newHarness(t)
	_, err := h.adapter.Send(t.Context(), bot.ChatID{Channel: bot.WhatsApp, ID: "919876543210"}, bot.Outbound{Text: "hi"})
	if !errors.Is(err, bot.ErrNoChannel) {
		t.Errorf("error = %v, want ErrNoChannel", err)
	}
}

func TestTokenAbsentFromErrorsAndLogs(t *testing.T) {
	h := newHarness(t)
	h.fake.Close() // every call now fails at the transport, with the token in the URL

	_, err := h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "hello"})
	if err == nil {
		t.Fatal("Send to a closed server succeeded")
	}
	if strings.Contains(err.Error(), telegramtest.Token) {
		t.Errorf("Send error contains the token: %v", err)
	}

	// Run keeps retrying getMe and logs each failure.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.adapter.Run(ctx) }()
	waitUntil(t, "a logged retry", func() bool { return strings.Contains(h.logs.String(), "retrying") })
	cancel()
	<-done

	if herr := h.adapter.Healthy(); herr == nil || strings.Contains(herr.Error(), telegramtest.Token) {
		t.Errorf("Healthy() = %v, want an error without the token", herr)
	}
	h.assertNoTokenInLogs(t)
}

func TestRejectedTokenStopsRun(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.Token = "7000000001:AAHwrongTokenForTests_zyxwvutsrqponmlk" })
	err := h.adapter.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Fatalf("Run error = %v, want one naming TELEGRAM_BOT_TOKEN", err)
	}
	if strings.Contains(err.Error(), "AAHwrongToken") || strings.Contains(h.logs.String(), "AAHwrongToken") {
		t.Errorf("error or log contains the token: %v", err)
	}
}

func TestShutdownFinishesInFlightAndConfirms(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	started := make(chan struct{})
	var once sync.Once
	h.handler.setHook(func(_ context.Context, in bot.Inbound) ([]bot.Outbound, bool, error) {
		if in.Text != "slow" {
			return nil, false, nil
		}
		once.Do(func() { close(started) })
		<-release
		return []bot.Outbound{{Text: "done"}}, true, nil
	})
	h.start(t)

	slow := h.fake.TextUpdate(alice, "slow")
	h.fake.Push(slow)
	<-started

	stopped := make(chan error, 1)
	go func() { stopped <- h.stop(t) }()
	waitUntil(t, "adapter to stop taking updates", func() bool { return h.adapter.Healthy() != nil })
	close(release)
	if err := <-stopped; err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}

	if msgs := h.fake.Messages(alice); len(msgs) != 1 || msgs[0].Text != "done" {
		t.Errorf("messages = %+v, want the in-flight reply sent", msgs)
	}
	polls := h.fake.Calls("getUpdates")
	last := polls[len(polls)-1]
	if want := strconv.FormatInt(slow.ID+1, 10); last.Params["offset"] != want || last.Params["timeout"] != "0" {
		t.Errorf("last getUpdates offset %s timeout %s, want offset %s timeout 0", last.Params["offset"], last.Params["timeout"], want)
	}
}

func TestShutdownDrainTimeoutLeavesUpdateUnconfirmed(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.DrainTimeout = 20 * time.Millisecond })
	started := make(chan struct{})
	var once sync.Once
	h.handler.setHook(func(ctx context.Context, in bot.Inbound) ([]bot.Outbound, bool, error) {
		once.Do(func() { close(started) })
		<-ctx.Done() // returns only when the adapter cancels it
		return nil, true, ctx.Err()
	})
	h.start(t)

	stuck := h.fake.TextUpdate(alice, "stuck")
	h.fake.Push(stuck)
	<-started
	if err := h.stop(t); err != nil {
		t.Fatalf("Run returned %v", err)
	}

	polls := h.fake.Calls("getUpdates")
	last := polls[len(polls)-1]
	if want := strconv.FormatInt(stuck.ID, 10); last.Params["offset"] != want {
		t.Errorf("last getUpdates offset %s, want %s so the unfinished update comes again", last.Params["offset"], want)
	}
}

func TestHealthyReflectsRunState(t *testing.T) {
	h := newHarness(t)
	if err := h.adapter.Healthy(); err == nil {
		t.Error("Healthy() = nil before Run")
	}
	h.start(t)
	if err := h.adapter.Healthy(); err != nil {
		t.Errorf("Healthy() = %v while running", err)
	}
	h.stop(t)
	if err := h.adapter.Healthy(); err == nil {
		t.Error("Healthy() = nil after Run returned")
	}
}

func TestSentHookCountsMessages(t *testing.T) {
	var mu sync.Mutex
	counts := map[string]int{}
	h := newHarness(t, func(c *telegram.Config) {
		c.Sent = func(method string, err error) {
			mu.Lock()
			defer mu.Unlock()
			key := method
			if err != nil {
				key += " error"
			}
			counts[key]++
		}
	})
	h.fake.Block(bob)
	h.adapter.Send(t.Context(), chat(alice), bot.Outbound{Text: "a"})
	h.adapter.Send(t.Context(), chat(bob), bot.Outbound{Text: "b"})

	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(map[string]int{"sendMessage": 1, "sendMessage error": 1}, counts); diff != "" {
		t.Errorf("Sent counts (-want +got):\n%s", diff)
	}
}

func methodOrder(calls []telegramtest.Call) string {
	names := make([]string, len(calls))
	for i, c := range calls {
		names[i] = c.Method
	}
	return strings.Join(names, ",")
}

func containsDuration(ds []time.Duration, want time.Duration) bool {
	for _, d := range ds {
		if d == want {
			return true
		}
	}
	return false
}

func TestBlockedReplyReportsUnreachable(t *testing.T) {
	reported := make(chan bot.ChatID, 1)
	h := newHarness(t, func(c *telegram.Config) {
		c.Unreachable = func(chat bot.ChatID) { reported <- chat }
	}).start(t)
	h.fake.Block(alice)
	h.fake.Push(h.fake.TextUpdate(alice, "/start"))

	select {
	case got := <-reported:
		if got != chat(alice) {
			t.Errorf("Unreachable(%v), want %v", got, chat(alice))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Unreachable was not called for a blocked chat")
	}
	if n := len(h.fake.Calls("sendMessage")); n != 1 {
		t.Errorf("sendMessage called %d times, want 1 (no retry, no apology)", n)
	}
}

func TestSendWaitsForReplyInProgress(t *testing.T) {
	h := newHarness(t)
	handling := make(chan struct{})
	release := make(chan struct{})
	h.handler.setHook(func(_ context.Context, in bot.Inbound) ([]bot.Outbound, bool, error) {
		close(handling)
		<-release
		return []bot.Outbound{{Text: "Your recharge is being processed."}}, true, nil
	})
	h.start(t)
	h.fake.Push(h.fake.TextUpdate(alice, "pay"))
	<-handling

	sent := make(chan error, 1)
	go func() {
		_, err := h.adapter.Send(context.Background(), chat(alice), bot.Outbound{Text: "Recharge successful."})
		sent <- err
	}()
	select {
	case err := <-sent:
		t.Fatalf("Send returned (%v) while the chat's message was still being handled", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if err := <-sent; err != nil {
		t.Fatalf("Send: %v", err)
	}

	msgs := h.fake.Messages(alice)
	if len(msgs) != 2 || msgs[0].Text != "Your recharge is being processed." || msgs[1].Text != "Recharge successful." {
		t.Errorf("messages = %+v, want the reply before the notification", msgs)
	}
}
