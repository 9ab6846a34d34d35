package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Bot API limits the fake enforces.
const (
	maxTextUnits    = 4096
	maxCaptionUnits = 1024
	maxCallbackData = 64
	maxUpdates      = 100
)

// handle answers every method except getUpdates; the caller holds s.mu.
func (s *Server) handle(call Call) (any, *APIError) {
	switch call.Method {
	case "getMe":
		return models.User{ID: BotID, IsBot: true, FirstName: "Recharge Test", Username: BotUsername}, nil
	case "setWebhook":
		s.webhookURL, s.webhookSecret = call.Params["url"], call.Params["secret_token"]
		return true, nil
	case "deleteWebhook":
		s.webhookURL, s.webhookSecret = "", ""
		return true, nil
	case "setMyCommands":
		return s.setCommands(call)
	case "answerCallbackQuery":
		return true, nil
	case "sendMessage":
		return s.sendMessage(call)
	case "editMessageText":
		return s.editMessageText(call)
	case "sendDocument":
		return s.sendDocument(call)
	case "getFile":
		return s.getFile(call)
	default:
		return nil, &APIError{Code: 404, Description: "Not Found: method not found"}
	}
}

func (s *Server) setCommands(call Call) (any, *APIError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(call.Params["commands"]), &cmds); err != nil {
		return nil, &APIError{Code: 400, Description: "Bad Request: can't parse commands JSON object"}
	}
	scope := "default"
	if raw := call.Params["scope"]; raw != "" {
		var sc struct {
			Type   string `json:"type"`
			ChatID int64  `json:"chat_id"`
		}
		if err := json.Unmarshal([]byte(raw), &sc); err != nil {
			return nil, &APIError{Code: 400, Description: "Bad Request: can't parse BotCommandScope JSON object"}
		}
		if sc.Type == "chat" {
			scope = fmt.Sprintf("chat:%d", sc.ChatID)
		} else {
			scope = sc.Type
		}
	}
	s.commands[scope] = cmds
	return true, nil
}

func (s *Server) sendMessage(call Call) (any, *APIError) {
	chat, apiErr := s.writableChat(call)
	if apiErr != nil {
		return nil, apiErr
	}
	text := call.Params["text"]
	if apiErr := checkText(text, call.Params["parse_mode"], maxTextUnits, "message text is empty", "message is too long"); apiErr != nil {
		return nil, apiErr
	}
	keyboard, apiErr := parseKeyboard(call.Params["reply_markup"])
	if apiErr != nil {
		return nil, apiErr
	}

	m := s.store(chat, &Message{Text: text, Keyboard: keyboard})
	return wireMessage(m), nil
}

func (s *Server) editMessageText(call Call) (any, *APIError) {
	chat, apiErr := s.writableChat(call)
	if apiErr != nil {
		return nil, apiErr
	}
	id, _ := strconv.Atoi(call.Params["message_id"])
	var m *Message
	for _, candidate := range s.messages[chat] {
		if candidate.ID == id {
			m = candidate
		}
	}
	if m == nil {
		return nil, &APIError{Code: 400, Description: "Bad Request: message to edit not found"}
	}
	if m.Document != nil {
		return nil, &APIError{Code: 400, Description: "Bad Request: there is no text in the message to edit"}
	}

	text := call.Params["text"]
	if apiErr := checkText(text, call.Params["parse_mode"], maxTextUnits, "message text is empty", "MESSAGE_TOO_LONG"); apiErr != nil {
		return nil, apiErr
	}
	keyboard, apiErr := parseKeyboard(call.Params["reply_markup"])
	if apiErr != nil {
		return nil, apiErr
	}
	if text == m.Text && sameKeyboard(keyboard, m.Keyboard) {
		return nil, &APIError{Code: 400, Description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}
	}

	m.Text, m.Keyboard = text, keyboard
	m.Edits++
	return wireMessage(m), nil
}

func (s *Server) sendDocument(call Call) (any, *APIError) {
	chat, apiErr := s.writableChat(call)
	if apiErr != nil {
		return nil, apiErr
	}
	doc, ok := call.Files["document"]
	if !ok {
		return nil, &APIError{Code: 400, Description: "Bad Request: there is no document in the request"}
	}
	caption := call.Params["caption"]
	if caption != "" {
		if apiErr := checkText(caption, call.Params["parse_mode"], maxCaptionUnits, "", "message caption is too long"); apiErr != nil {
			return nil, apiErr
		}
	}
	keyboard, apiErr := parseKeyboard(call.Params["reply_markup"])
	if apiErr != nil {
		return nil, apiErr
	}

	m := s.store(chat, &Message{Text: caption, Keyboard: keyboard, Document: &doc})
	return wireMessage(m), nil
}

func (s *Server) getFile(call Call) (any, *APIError) {
	id := call.Params["file_id"]
	f, ok := s.files[id]
	if !ok {
		return nil, &APIError{Code: 400, Description: "Bad Request: invalid file_id"}
	}
	return models.File{FileID: id, FileUniqueID: "u" + id, FileSize: int64(len(f.data)), FilePath: f.path}, nil
}

// writableChat returns the call's chat, or 403 when the chat blocked the bot.
func (s *Server) writableChat(call Call) (int64, *APIError) {
	chat, apiErr := chatParam(call)
	if apiErr != nil {
		return 0, apiErr
	}
	if s.blocked[chat] {
		e := Blocked
		return 0, &e
	}
	return chat, nil
}

func (s *Server) store(chat int64, m *Message) *Message {
	s.nextMessage++
	m.ID = s.nextMessage
	m.Chat = chat
	s.messages[chat] = append(s.messages[chat], m)
	return m
}

func wireMessage(m *Message) *models.Message {
	return &models.Message{
		ID:   m.ID,
		Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: m.Chat, Type: models.ChatTypePrivate},
		Text: m.Text,
	}
}

// checkText applies Telegram's checks to a text or caption: not blank, within limit UTF-16 code
// units, valid UTF-8, and parseable in its parse mode.
func checkText(text, parseMode string, limit int, emptyError, longError string) *APIError {
	if strings.TrimSpace(text) == "" && emptyError != "" {
		return &APIError{Code: 400, Description: "Bad Request: " + emptyError}
	}
	if !utf8.ValidString(text) {
		return &APIError{Code: 400, Description: "Bad Request: text must be encoded in UTF-8"}
	}
	if len(utf16.Encode([]rune(text))) > limit {
		return &APIError{Code: 400, Description: "Bad Request: " + longError}
	}
	if problem := entityProblem(text, parseMode); problem != "" {
		return &APIError{Code: 400, Description: "Bad Request: can't parse entities: " + problem}
	}
	return nil
}

// entityProblem approximates Telegram's parse-mode checks closely enough to catch text that was
// not escaped: an unescaped reserved character in MarkdownV2, a stray < or & in HTML.
func entityProblem(text, parseMode string) string {
	switch parseMode {
	case "":
		return ""
	case "MarkdownV2":
		escaped := false
		for _, r := range text {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case strings.ContainsRune("_*[]()~`>#+-=|{}.!", r):
				return fmt.Sprintf("Character '%c' is reserved and must be escaped with the preceding '\\'", r)
			}
		}
		return ""
	case "HTML":
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '<':
				return "Unsupported start tag at byte offset " + strconv.Itoa(i)
			case '&':
				if !hasEntityAt(text[i:]) {
					return "Unsupported HTML entity at byte offset " + strconv.Itoa(i)
				}
			}
		}
		return ""
	default:
		return "unsupported parse_mode " + parseMode
	}
}

func hasEntityAt(s string) bool {
	for _, e := range []string{"&lt;", "&gt;", "&amp;", "&quot;"} {
		if strings.HasPrefix(s, e) {
			return true
		}
	}
	return false
}

// parseKeyboard reads an inline keyboard with the Bot API's checks on each button.
func parseKeyboard(raw string) ([][]Button, *APIError) {
	if raw == "" {
		return nil, nil
	}
	var markup struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &markup); err != nil {
		return nil, &APIError{Code: 400, Description: "Bad Request: can't parse reply keyboard markup JSON object"}
	}

	var rows [][]Button
	for _, row := range markup.InlineKeyboard {
		var buttons []Button
		for _, fields := range row {
			b, apiErr := parseButton(fields)
			if apiErr != nil {
				return nil, apiErr
			}
			buttons = append(buttons, b)
		}
		rows = append(rows, buttons)
	}
	return rows, nil
}

func parseButton(fields map[string]json.RawMessage) (Button, *APIError) {
	var b Button
	json.Unmarshal(fields["text"], &b.Text)
	json.Unmarshal(fields["callback_data"], &b.Data)
	if raw, ok := fields["copy_text"]; ok {
		var copyText struct{ Text string }
		json.Unmarshal(raw, &copyText)
		if copyText.Text == "" {
			return b, &APIError{Code: 400, Description: "Bad Request: BUTTON_COPY_TEXT_INVALID"}
		}
	}
	if strings.TrimSpace(b.Text) == "" {
		return b, &APIError{Code: 400, Description: "Bad Request: text buttons are unallowed in the inline keyboard"}
	}
	if b.Data == "" || len(b.Data) > maxCallbackData {
		return b, &APIError{Code: 400, Description: "Bad Request: BUTTON_DATA_INVALID"}
	}
	return b, nil
}

func sameKeyboard(a, b [][]Button) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// serveUpdates answers getUpdates: it drops the updates below offset (they are confirmed), and
// waits up to the requested timeout for one to arrive.
func (s *Server) serveUpdates(w http.ResponseWriter, r *http.Request, call Call) {
	offset, _ := strconv.ParseInt(call.Params["offset"], 10, 64)
	timeout, _ := strconv.Atoi(call.Params["timeout"])
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()

	for {
		s.mu.Lock()
		if s.webhookURL != "" {
			s.mu.Unlock()
			writeError(w, &APIError{Code: 409, Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
			return
		}
		s.confirm(offset)
		batch := s.pending[:min(len(s.pending), maxUpdates)]
		changed := s.changed
		if len(batch) > 0 || timeout == 0 {
			out := append([]*models.Update(nil), batch...)
			s.calls = append(s.calls, call)
			s.notify()
			s.mu.Unlock()
			writeResult(w, out)
			return
		}
		s.mu.Unlock()

		select {
		case <-changed:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

// confirm drops pending updates below offset; the caller holds s.mu.
func (s *Server) confirm(offset int64) {
	if offset == 0 {
		return
	}
	kept := s.pending[:0]
	for _, u := range s.pending {
		if u.ID >= offset {
			kept = append(kept, u)
		}
	}
	s.pending = kept
}
