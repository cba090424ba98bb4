package sandboxtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
)

// Recorded is one request a Recorder received.
type Recorded struct {
	Method      string
	Path        string
	Query       url.Values
	RawQuery    string
	ContentType string
	Body        string
	// Header is the request's header.
	Header http.Header
}

// Recorder is a loopback server that records each request and answers with
// a canned status and body, for asserting the exact shape of what a driver
// sends and how it reads documented answers.
type Recorder struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []Recorded
	status int
	body   string
	ctype  string
}

// NewRecorder starts a recorder answering 200 with body as JSON.
func NewRecorder(body string) *Recorder {
	r := &Recorder{status: http.StatusOK, body: body, ctype: "application/json"}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, Recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Header: req.Header.Clone(),
			RawQuery: req.URL.RawQuery, ContentType: req.Header.Get("Content-Type"), Body: string(b)})
		status, body, ctype := r.status, r.body, r.ctype
		r.mu.Unlock()
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	return r
}

// Answer sets what the recorder answers from now on.
func (r *Recorder) Answer(status int, contentType, body string) {
	r.mu.Lock()
	r.status, r.ctype, r.body = status, contentType, body
	r.mu.Unlock()
}

// URL is the recorder's base URL.
func (r *Recorder) URL() string { return r.srv.URL }

// Client returns an HTTP client for the recorder.
func (r *Recorder) Client() *http.Client { return r.srv.Client() }

// Last returns the last request received.
func (r *Recorder) Last() Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		return Recorded{}
	}
	return r.reqs[len(r.reqs)-1]
}

// Close stops the recorder.
func (r *Recorder) Close() { r.srv.Close() }
