package host

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// maxRequestBody caps what the sandbox reads of a request.
const maxRequestBody = 64 << 10

// router mounts one platform's fake under /<platform>.
type router struct {
	s *Sandbox
	p taro.Platform
}

// Handle implements fake.Router: pattern is "METHOD /path", served as
// "METHOD /<platform>/path" behind request counting and fault injection,
// with the sandbox's lock held while h runs.
func (rt router) Handle(ep Endpoint, pattern string, h fake.Handler) {
	s, p := rt.s, rt.p
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		panic("sandbox: a fake's route must be \"METHOD /path\", got " + pattern) // a fake's programming error, at New
	}
	s.mux.HandleFunc(method+" /"+string(p)+path, func(rw http.ResponseWriter, r *http.Request) {
		w := &statusWriter{ResponseWriter: rw}
		var applied FaultKind
		defer func() {
			out := outcome(w.status, w.head)
			if applied != "" {
				out = "fault: " + string(applied)
			}
			s.ev.publish(Event{Time: s.Now(), RealTime: time.Now(), Platform: p, Endpoint: ep, Method: r.Method, Path: r.URL.Path,
				Status: w.status, Fault: applied, Outcome: out})
		}()
		// Read the body first: the server notices a client hanging up (and
		// cancels r.Context, ending a Slow fault) only once it has.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		if err != nil {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		st := s.stateFor(s.ps[p], r, body)
		s.mu.Unlock()
		if f, ok := s.enter(p, st.App().ID, ep); ok {
			applied = f.kind
			if s.applyFault(w, r, p, ep, f) {
				return
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if applied == fake.NoMarker {
			s.withoutMarker(w, r, h, p, ep, st)
			return
		}
		h(w, r, st)
	})
}

// withoutMarker answers as h does, minus the top-level member the fake
// declares as ep's success marker; s.mu is held.
func (s *Sandbox) withoutMarker(w http.ResponseWriter, r *http.Request, h fake.Handler, p taro.Platform, ep Endpoint, st *fake.State) {
	rec := httptest.NewRecorder()
	h(rec, r, st)
	body := rec.Body.Bytes()
	var m map[string]json.RawMessage
	if md, ok := s.ps[p].fake.(fake.MarkerDeclarer); ok && json.Unmarshal(body, &m) == nil {
		delete(m, md.SuccessMarker(ep))
		body, _ = json.Marshal(m)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// echoSecret is the platform's busy answer with the app's secret echoed in
// its message members.
func (s *Sandbox) echoSecret(w http.ResponseWriter, p taro.Platform, ep Endpoint) {
	s.mu.Lock()
	body := s.ps[p].fake.FaultBody(ep, fake.Busy)
	secret := s.ps[p].st.App().Secret
	if secret == "" {
		secret = s.ps[p].st.App().PrivateKey
	}
	s.mu.Unlock()
	if a, ok := body.(fake.HTTPAnswer); ok {
		http.Error(w, a.Text+" "+secret, a.Status)
		return
	}
	b, _ := json.Marshal(body)
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		m = map[string]any{}
	}
	if !echoInto(m, secret, 2) {
		m["errmsg"] = "invalid appsecret " + secret
	}
	fake.WriteJSON(w, m)
}

// echoInto appends secret to the message members of m and of the objects
// in it, depth levels deep; it reports whether any was found.
func echoInto(m map[string]any, secret string, depth int) bool {
	echoed := false
	for k, v := range m {
		lk := strings.ToLower(k)
		switch v := v.(type) {
		case string:
			if strings.Contains(lk, "msg") || strings.Contains(lk, "tips") || strings.Contains(lk, "error") || strings.Contains(lk, "desc") {
				m[k] = v + ": invalid appsecret " + secret
				echoed = true
			}
		case map[string]any:
			if depth > 1 && echoInto(v, secret, depth-1) {
				echoed = true
			}
		}
	}
	return echoed
}

// applyFault produces f; it reports whether the request was answered.
func (s *Sandbox) applyFault(w http.ResponseWriter, r *http.Request, p taro.Platform, ep Endpoint, f fault) bool {
	switch f.kind {
	case fake.Busy, fake.RateLimit, fake.TokenInvalid:
		s.mu.Lock()
		body := s.ps[p].fake.FaultBody(ep, f.kind)
		s.mu.Unlock()
		if a, ok := body.(fake.HTTPAnswer); ok {
			http.Error(w, a.Text, a.Status)
			break
		}
		fake.WriteJSON(w, body)
	case fake.EchoSecret:
		s.echoSecret(w, p, ep)
	case fake.NoMarker:
		return false // answered by withoutMarker
	case fake.ServerError:
		http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
	case fake.HTMLBody:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case fake.Truncated:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"o`)
	case fake.Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		http.Error(w, "", http.StatusBadGateway)
	case fake.Slow:
		d := f.delay
		if d <= 0 {
			d = s.opts.SlowDelay
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return true
		case <-t.C:
		}
		return false // then answer normally
	}
	return true
}
