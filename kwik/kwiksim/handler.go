package kwiksim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rechargebot/rechargebot/kwik"
)

// endpointHandler wraps one endpoint with what every KwikAPI call goes through: counting,
// latency, injected faults, the method, the API key and the daily limit.
func (s *Simulator) endpointHandler(ep kwik.Endpoint, route kwik.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[ep]++
		fault, faulty := s.takeFault(ep)
		s.mu.Unlock()
		s.logger.Debug("KwikAPI simulator call", "endpoint", ep, "method", r.Method)

		if !sleep(r.Context(), s.latency) {
			return
		}
		if faulty {
			writeFault(w, r, fault)
			return
		}
		if r.Method != route.Method {
			w.Header().Set("Allow", route.Method)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{
				"status": "FAILED", "message": "Method not allowed: use " + route.Method,
			})
			return
		}

		form, err := requestForm(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": "FAILED", "message": "Malformed request body"})
			return
		}
		if form.Get("api_key") != s.key {
			writeJSON(w, http.StatusOK, map[string]any{"success": false, "status": "FAILED", "message": "Invalid API Key"})
			return
		}
		if !s.spend(ep) {
			writeJSON(w, http.StatusTooManyRequests, map[string]any{
				"success": false, "status": "FAILED", "message": "Rate limit exceeded: daily limit of this API reached",
			})
			return
		}
		s.serve(ep, w, r, form)
	})
}

func (s *Simulator) serve(ep kwik.Endpoint, w http.ResponseWriter, r *http.Request, form url.Values) {
	switch ep {
	case kwik.EndpointCategories:
		s.handleCategories(w)
	case kwik.EndpointOperators:
		s.handleOperators(w, form)
	case kwik.EndpointOperatorDetails:
		s.handleOperatorDetails(w, form)
	case kwik.EndpointCircles:
		s.handleCircles(w)
	case kwik.EndpointDetect:
		s.handleDetect(w, form)
	case kwik.EndpointPlans:
		s.handlePlans(w, form)
	case kwik.EndpointDTHPlans:
		s.handleDTHPlans(w, form)
	case kwik.EndpointROffers:
		s.handleROffers(w, form)
	case kwik.EndpointRecharge:
		s.handleRecharge(w, r, form)
	case kwik.EndpointStatus:
		s.handleStatus(w, form)
	case kwik.EndpointBalance:
		s.handleBalance(w)
	case kwik.EndpointTransactions:
		s.handleTransactions(w)
	}
}

// requestForm returns the query of a GET and the body fields of a POST, where KwikAPI reads them.
func requestForm(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodGet {
		return r.URL.Query(), nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// takeFault pops the next injected fault of an endpoint; the caller holds s.mu.
func (s *Simulator) takeFault(ep kwik.Endpoint) (Outcome, bool) {
	queue := s.faults[ep]
	if len(queue) == 0 {
		return 0, false
	}
	s.faults[ep] = queue[1:]
	return queue[0], true
}

// spend counts a call against the endpoint's daily limit and reports whether it is allowed.
func (s *Simulator) spend(ep kwik.Endpoint) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if day := indiaDay(s.now()); day != s.usedDay {
		s.usedDay = day
		clear(s.used)
	}
	if limit, ok := s.limits[ep]; ok && s.used[ep] >= limit {
		return false
	}
	s.used[ep]++
	return true
}

// sleep waits for d or until ctx ends, and reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

const htmlErrorPage = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
`

// writeFault replies as a failing server or proxy would: HTTP 500, an HTML page with status
// 200, or no reply until the request's context ends.
func writeFault(w http.ResponseWriter, r *http.Request, o Outcome) {
	switch o {
	case Hang:
		// The server notices a closed connection, and ends the context, only after the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	case ServerError:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case HTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(htmlErrorPage))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode reply: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// number sends an amount as a JSON number, the less common of KwikAPI's two forms.
func number(paise int64) json.Number { return json.Number(kwik.FormatAmount(paise)) }

// yesNo is how KwikAPI writes flags.
func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}
