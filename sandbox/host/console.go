package host

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tarogo/adapter/taro"
)

//go:embed console/index.html
var consoleFS embed.FS

// Event is one request a fake answered, for the console's live log. It
// holds no query, no body and no header: nothing an SDK sent as a secret.
type Event struct {
	// Time is the sandbox's clock (which Advance moves); RealTime the
	// machine's.
	Time     time.Time     `json:"time"`
	RealTime time.Time     `json:"realTime"`
	Platform taro.Platform `json:"platform"`
	Endpoint Endpoint      `json:"endpoint"`
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Status   int           `json:"status"`
	Fault    FaultKind     `json:"fault,omitempty"`
	// Outcome is what the answer said: "accepted", "refused" with the
	// platform's code (or HTTP status), or "fault: <kind>".
	Outcome string `json:"outcome"`
}

// maxEvents is how many past events a new console is sent.
const maxEvents = 200

// events fans the request log out to the consoles listening.
type events struct {
	mu     sync.Mutex
	recent []Event
	subs   map[chan Event]struct{}
	closed chan struct{}
}

func newEvents() *events {
	return &events{subs: map[chan Event]struct{}{}, closed: make(chan struct{})}
}

func (e *events) publish(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recent = append(e.recent, ev)
	if len(e.recent) > maxEvents {
		e.recent = e.recent[len(e.recent)-maxEvents:]
	}
	for ch := range e.subs {
		select {
		case ch <- ev:
		default: // a slow console misses events rather than slowing the fakes
		}
	}
}

func (e *events) subscribe() (chan Event, []Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := make(chan Event, 64)
	e.subs[ch] = struct{}{}
	return ch, append([]Event(nil), e.recent...)
}

func (e *events) unsubscribe(ch chan Event) {
	e.mu.Lock()
	delete(e.subs, ch)
	e.mu.Unlock()
}

// Events returns the requests the fakes answered, oldest first (at most
// the last 200).
func (s *Sandbox) Events() []Event {
	s.ev.mu.Lock()
	defer s.ev.mu.Unlock()
	return append([]Event(nil), s.ev.recent...)
}

// statusWriter records the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
	head   []byte // the first bytes of the answer, for its outcome
}

// maxHead bounds what statusWriter keeps of an answer.
const maxHead = 4 << 10

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := maxHead - len(w.head); room > 0 {
		w.head = append(w.head, b[:min(len(b), room)]...)
	}
	return w.ResponseWriter.Write(b)
}

// codeMembers are the members platforms put their error codes in; a
// non-zero (or, for "error" and "sub_code", non-empty) value is a refusal.
var codeMembers = []string{"errcode", "err_no", "errno", "error_code", "sub_code", "error"}

// outcome reads an answer's status and head: accepted, or refused with the
// platform's code.
func outcome(status int, head []byte) string {
	if status >= 400 {
		return fmt.Sprintf("refused (HTTP %d)", status)
	}
	var m map[string]any
	if json.Unmarshal(head, &m) != nil {
		return "accepted"
	}
	if e, ok := m["error_response"].(map[string]any); ok {
		m = e
	}
	if d, ok := m["data"].(map[string]any); ok {
		if _, has := d["error_code"]; has {
			m = d
		}
	}
	for _, k := range codeMembers {
		switch v := m[k].(type) {
		case float64:
			if v != 0 {
				return fmt.Sprintf("refused (%s %v)", k, v)
			}
		case string:
			if v != "" && v != "0" {
				return fmt.Sprintf("refused (%s %s)", k, v)
			}
		}
	}
	if v, ok := m["success"].(bool); ok && !v {
		return fmt.Sprintf("refused (code %v)", m["code"])
	}
	if v, ok := m["result"].(float64); ok && v != 1 {
		return fmt.Sprintf("refused (result %v)", v)
	}
	return "accepted"
}

// Hijack lets the Reset fault close the connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("hijacking unsupported")
	}
	return h.Hijack()
}

// adminRoute is one route of the admin API, for GET /admin.
type adminRoute struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Params string `json:"params,omitempty"`
	Curl   string `json:"curl"`
}

var adminRoutes = []adminRoute{
	{"GET", "/admin/apps", "", "curl -s $SB/admin/apps   # each platform's default app"},
	{"GET", "/admin/apps/{platform}", "", "curl -s $SB/admin/apps/weapp   # every app of a platform, with its users"},
	{"POST", "/admin/apps", `{"platform","appid","secret"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/apps -d '{"platform":"weapp","appid":"wx-shop-2","secret":"shop-2-secret"}'`},
	{"GET", "/admin/users", "", "curl -s $SB/admin/users"},
	{"GET", "/admin/components", "", "curl -s $SB/admin/components   # WeChat's third-party platforms and their authorized apps"},
	{"POST", "/admin/components", `{"appid","secret","token","encodingAesKey"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/components -d '{"appid":"wx-comp","secret":"comp-secret","token":"push-token","encodingAesKey":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}'`},
	{"POST", "/admin/authorize", `{"component","appid"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/authorize -d '{"component":"wx-comp","appid":"wx-sandbox-app"}'`},
	{"POST", "/admin/push-ticket", `{"component","url"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/push-ticket -d '{"component":"wx-comp","url":"http://127.0.0.1:9000/wechat/events"}'`},
	{"GET", "/admin/faults", "", "curl -s $SB/admin/faults   # pending faults, by platform and endpoint"},
	{"GET", "/admin/clock", "", "curl -s $SB/admin/clock   # the sandbox clock and how far it was advanced"},
	{"GET", "/admin/env", "", `eval "$(curl -s $SB/admin/env)"   # export lines for every app`},
	{"POST", "/admin/login", `{"platform","appid","openid","anonymous"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/login -d '{"platform":"weapp","openid":"u1"}'`},
	{"POST", "/admin/phonecode", `{"platform","appid","openid","phoneNumber"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/phonecode -d '{"platform":"weapp","openid":"u1","phoneNumber":"13800138000"}'`},
	{"POST", "/admin/encrypt", `{"platform","appid","openid","data"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/encrypt -d '{"platform":"weapp","openid":"u1","data":{"nickName":"Band"}}'`},
	{"POST", "/admin/faults", `{"platform","appid","endpoint","kind","count","delayMs"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/faults -d '{"platform":"weapp","endpoint":"checksession","kind":"busy","count":1}'`},
	{"DELETE", "/admin/faults", "", "curl -s -H 'Content-Type: application/json' -XDELETE $SB/admin/faults"},
	{"GET", "/admin/requests", "", "curl -s $SB/admin/requests"},
	{"DELETE", "/admin/requests", "", "curl -s -H 'Content-Type: application/json' -XDELETE $SB/admin/requests"},
	{"POST", "/admin/advance", `{"seconds"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/advance -d '{"seconds":300}'`},
	{"POST", "/admin/expire-tokens", `{"platform"}`, `curl -s -H 'Content-Type: application/json' -XPOST $SB/admin/expire-tokens -d '{"platform":"weapp"}'`},
	{"GET", "/admin/events", "", "curl -sN $SB/admin/events   # server-sent events: the live request log"},
}

// console mounts the console page, the admin index, the users, token
// expiry and the live log.
func (s *Sandbox) console() {
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := consoleFS.ReadFile("console/index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
		_, _ = w.Write(b)
	})
	s.mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "text/html") && !r.URL.Query().Has("text") {
			// A browser: the routes as a page.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
			var b strings.Builder
			b.WriteString(`<!doctype html><meta charset="utf-8"><title>taro sandbox admin API</title>` +
				`<style>body{font:14px system-ui,sans-serif;margin:1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}` +
				`table{border-collapse:collapse}code{font:12px ui-monospace,monospace}</style>` +
				`<h1>taro sandbox admin API</h1><p><a href="/">the console</a> · <a href="/admin?text">as text</a> · as JSON: <code>curl $SB/admin</code></p>` +
				`<table><tr><th>method</th><th>path</th><th>body</th><th>example</th></tr>`)
			for _, rt := range adminRoutes {
				fmt.Fprintf(&b, "<tr><td>%s</td><td><code>%s</code></td><td><code>%s</code></td><td><code>%s</code></td></tr>",
					html.EscapeString(rt.Method), html.EscapeString(rt.Path), html.EscapeString(rt.Params), html.EscapeString(rt.Curl))
			}
			b.WriteString("</table>")
			_, _ = io.WriteString(w, b.String())
			return
		}
		if strings.Contains(r.Header.Get("Accept"), "text/plain") || r.URL.Query().Has("text") {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			for _, rt := range adminRoutes {
				fmt.Fprintf(w, "%-6s %-22s %s\n       %s\n", rt.Method, rt.Path, rt.Params, rt.Curl)
			}
			return
		}
		writeJSONAny(w, map[string]any{"routes": adminRoutes})
	})
	s.mux.HandleFunc("GET /admin/clock", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		off := s.offset
		s.mu.Unlock()
		writeJSONAny(w, map[string]any{"now": s.Now(), "realTime": time.Now(), "advancedSeconds": int64(off / time.Second)})
	})
	s.mux.HandleFunc("GET /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSONAny(w, s.PendingFaults())
	})
	s.mux.HandleFunc("GET /admin/users", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		out := map[taro.Platform][]string{}
		for name, p := range s.ps {
			out[name] = p.st.OpenIDs()
		}
		s.mu.Unlock()
		writeJSONAny(w, out)
	})
	s.mux.HandleFunc("POST /admin/expire-tokens", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Platform taro.Platform `json:"platform"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		s.mu.Lock()
		_, err := s.platform(req.Platform)
		s.mu.Unlock()
		if err != nil {
			adminError(w, err.Error())
			return
		}
		s.ExpireTokens(req.Platform)
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /admin/events", func(w http.ResponseWriter, r *http.Request) {
		fl, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "streaming unsupported", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		ch, past := s.ev.subscribe()
		defer s.ev.unsubscribe(ch)
		send := func(ev Event) {
			b, _ := json.Marshal(ev)
			fmt.Fprintf(w, "data: %s\n\n", b)
		}
		for _, ev := range past {
			send(ev)
		}
		fl.Flush()
		for {
			select {
			case ev := <-ch:
				send(ev)
				fl.Flush()
			case <-r.Context().Done():
				return
			case <-s.ev.closed:
				return
			}
		}
	})
}

func writeJSONAny(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
