package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-telegram/bot/models"
)

// Push queues updates for getUpdates. An update pushed twice is delivered twice, as Telegram
// does after a restart or a lost confirmation.
func (s *Server) Push(updates ...*models.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, updates...)
	s.notify()
}

// TextUpdate builds a text message from user in their private chat, with a fresh update id.
func (s *Server) TextUpdate(user int64, text string) *models.Update {
	return &models.Update{ID: s.updateID(), Message: &models.Message{
		ID:   s.userMessageID(),
		Date: int(time.Now().Unix()),
		From: testUser(user),
		Chat: models.Chat{ID: user, Type: models.ChatTypePrivate, FirstName: "Test"},
		Text: text,
	}}
}

// ButtonUpdate builds a press of the button with data on the bot's message messageID in user's
// private chat.
func (s *Server) ButtonUpdate(user int64, messageID int, data string) *models.Update {
	s.mu.Lock()
	text := ""
	for _, m := range s.messages[user] {
		if m.ID == messageID {
			text = m.Text
		}
	}
	s.mu.Unlock()

	id := s.updateID()
	return &models.Update{ID: id, CallbackQuery: &models.CallbackQuery{
		ID:   fmt.Sprintf("cb%d", id),
		From: *testUser(user),
		Message: models.MaybeInaccessibleMessage{
			Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{
				ID:   messageID,
				Date: int(time.Now().Unix()),
				Chat: models.Chat{ID: user, Type: models.ChatTypePrivate},
				Text: text,
			},
		},
		ChatInstance: "1",
		Data:         data,
	}}
}

// DocumentUpdate stores a file on the fake and builds a message from user carrying it.
func (s *Server) DocumentUpdate(user int64, name string, data []byte, caption string) *models.Update {
	s.mu.Lock()
	s.nextFile++
	fileID := fmt.Sprintf("file%d", s.nextFile)
	s.files[fileID] = storedFile{path: fmt.Sprintf("documents/%s_%s", fileID, name), data: data}
	s.mu.Unlock()

	u := s.TextUpdate(user, "")
	u.Message.Caption = caption
	u.Message.Document = &models.Document{
		FileID:       fileID,
		FileUniqueID: "u" + fileID,
		FileName:     name,
		MimeType:     "text/csv",
		FileSize:     int64(len(data)),
	}
	return u
}

// GroupUpdate builds a text message from user in the group chat group (a negative id).
func (s *Server) GroupUpdate(group, user int64, text string) *models.Update {
	u := s.TextUpdate(user, text)
	u.Message.Chat = models.Chat{ID: group, Type: models.ChatTypeSupergroup, Title: "Test group"}
	return u
}

func (s *Server) updateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate++
	return s.nextUpdate
}

// userMessageID numbers the users' own messages apart from the bot's.
func (s *Server) userMessageID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextMessage++
	return s.nextMessage
}

func testUser(id int64) *models.User {
	return &models.User{ID: id, FirstName: "Test", LastName: fmt.Sprint(id), LanguageCode: "en"}
}

// PostWebhook sends u to handler as Telegram would, with secret in the secret token header
// (none when empty), and returns the response.
func PostWebhook(handler http.Handler, secret string, u *models.Update) *http.Response {
	body, err := json.Marshal(u)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: encode update: %v", err))
	}
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	return rec.Result()
}
