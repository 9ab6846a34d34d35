// Package telegramtest is a fake Telegram Bot API server for tests. It keeps the chats' messages
// so edits and "message is not modified" behave as on Telegram, serves getUpdates from a queue
// the test fills, records every call, and fails calls on request (429, 403, any Bot API error).
package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// The bot the fake pretends to be.
const (
	Token       = "7000000001:AAHfakeTokenForTests_abcdefghijklmnop"
	BotID       = 7000000001
	BotUsername = "recharge_test_bot"
)

// Call is one request the fake received.
type Call struct {
	Method string
	// Params holds the request's fields; JSON values (reply_markup, scope) stay JSON text.
	Params map[string]string
	Files  map[string]Upload
	// Err is the error response the fake returned, nil on success.
	Err *APIError
}

// Upload is a file sent to the fake.
type Upload struct {
	Name string
	Data []byte
}

// APIError is a Bot API error response.
type APIError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Description) }

// TooManyRequests is a 429 response that requests a wait of retryAfter seconds.
func TooManyRequests(retryAfter int) APIError {
	return APIError{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), RetryAfter: retryAfter}
}

// Blocked is Telegram's response to a send to a user who blocked the bot.
var Blocked = APIError{Code: 403, Description: "Forbidden: bot was blocked by the user"}

// Message is a message the bot sent, with any edits applied.
type Message struct {
	ID       int
	Chat     int64
	Text     string
	Keyboard [][]Button
	Document *Upload
	Edits    int
}

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// Server is the fake Bot API. Create it with New; its URL goes into the adapter's API URL.
type Server struct {
	URL string

	srv     *httptest.Server
	closing chan struct{}

	mu            sync.Mutex
	changed       chan struct{}
	calls         []Call
	pending       []*models.Update
	nextUpdate    int64
	nextMessage   int
	nextFile      int
	messages      map[int64][]*Message
	files         map[string]storedFile
	blocked       map[int64]bool
	failures      map[string][]APIError
	webhookURL    string
	webhookSecret string
	commands      map[string][]models.BotCommand
}

type storedFile struct {
	path string
	data []byte
}

// New starts a fake server and stops it when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		closing:    make(chan struct{}),
		changed:    make(chan struct{}),
		nextUpdate: 1000,
		messages:   map[int64][]*Message{},
		files:      map[string]storedFile{},
		blocked:    map[int64]bool{},
		failures:   map[string][]APIError{},
		commands:   map[string][]models.BotCommand{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, ending any getUpdates call that is waiting.
func (s *Server) Close() {
	select {
	case <-s.closing:
		return
	default:
	}
	close(s.closing)
	s.srv.Close()
}

// Fail makes the next calls of method answer with errs, one error per call, in order.
func (s *Server) Fail(method string, errs ...APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], errs...)
}

// Block makes every send to chat fail with 403, as after the user blocked the bot.
func (s *Server) Block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chat] = true
}

// Calls returns the calls of method received so far; all calls when method is empty.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages the bot sent to chat, oldest first, as they stand now.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[chat]))
	for _, m := range s.messages[chat] {
		out = append(out, *m)
	}
	return out
}

// Commands returns the command menu set for scope: "default", or "chat:ID" for one chat.
func (s *Server) Commands(scope string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[scope]
}

// Webhook returns the URL and secret token registered with setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookSecret
}

// Wait blocks until cond returns true, and fails the test after five seconds. cond may call the
// server's methods.
func (s *Server) Wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// WaitCalls waits until method has been called at least n times and returns its calls.
func (s *Server) WaitCalls(t testing.TB, method string, n int) []Call {
	t.Helper()
	s.Wait(t, fmt.Sprintf("%d %s calls", n, method), func() bool { return len(s.Calls(method)) >= n })
	return s.Calls(method)
}

// notify wakes every Wait and every waiting getUpdates; the caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+Token+"/"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, found := strings.Cut(rest, "/")
	if !ok || !found {
		writeError(w, &APIError{Code: 404, Description: "Not Found"})
		return
	}
	if token != Token {
		writeError(w, &APIError{Code: 401, Description: "Unauthorized"})
		return
	}

	call := Call{Method: method, Params: map[string]string{}, Files: map[string]Upload{}}
	if err := readParams(r, &call); err != nil {
		writeError(w, &APIError{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}

	if method == "getUpdates" {
		s.serveUpdates(w, r, call)
		return
	}

	s.mu.Lock()
	result, apiErr := s.scripted(method)
	if apiErr == nil {
		result, apiErr = s.handle(call)
	}
	call.Err = apiErr
	s.calls = append(s.calls, call)
	s.notify()
	s.mu.Unlock()

	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeResult(w, result)
}

// scripted returns the next failure queued with Fail for method; the caller holds s.mu.
func (s *Server) scripted(method string) (any, *APIError) {
	queue := s.failures[method]
	if len(queue) == 0 {
		return nil, nil
	}
	e := queue[0]
	s.failures[method] = queue[1:]
	return nil, &e
}

func (s *Server) serveFile(w http.ResponseWriter, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.path == path {
			w.Write(f.data)
			return
		}
	}
	http.NotFound(w, nil)
}

func readParams(r *http.Request, call *Call) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		// The library sends an empty body, not an empty form, for methods without parameters.
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		var fields map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
			return err
		}
		for k, v := range fields {
			var str string
			if json.Unmarshal(v, &str) == nil {
				call.Params[k] = str
			} else {
				call.Params[k] = string(v)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return err
		}
		for k, v := range r.MultipartForm.Value {
			call.Params[k] = v[0]
		}
		for k, headers := range r.MultipartForm.File {
			f, err := headers[0].Open()
			if err != nil {
				return err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return err
			}
			call.Files[k] = Upload{Name: headers[0].Filename, Data: data}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return err
		}
		for k, v := range r.Form {
			call.Params[k] = v[0]
		}
	}
	return nil
}

type response struct {
	OK          bool        `json:"ok"`
	Result      any         `json:"result,omitempty"`
	ErrorCode   int         `json:"error_code,omitempty"`
	Description string      `json:"description,omitempty"`
	Parameters  *parameters `json:"parameters,omitempty"`
}

type parameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(response{OK: true, Result: result})
}

func writeError(w http.ResponseWriter, e *APIError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	resp := response{ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		resp.Parameters = &parameters{RetryAfter: e.RetryAfter}
	}
	json.NewEncoder(w).Encode(resp)
}

func chatParam(call Call) (int64, *APIError) {
	id, err := strconv.ParseInt(call.Params["chat_id"], 10, 64)
	if err != nil {
		return 0, &APIError{Code: 400, Description: "Bad Request: chat not found"}
	}
	return id, nil
}
