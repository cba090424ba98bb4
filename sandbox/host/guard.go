package host

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// ConsoleHeader is the header the console sends with its admin requests;
// with it (any value), a state-changing admin request may have a body of
// any media type. Programs send Content-Type: application/json instead.
const ConsoleHeader = "X-Taro-Console"

// guard refuses, with 403 and before anything changes, the admin requests
// a web page the developer visits could make: any admin request (and the
// console page) whose Host is neither a loopback name nor the address the
// sandbox is served at (DNS rebinding), or whose Origin, when present, is
// not the sandbox itself; and a state-changing admin request that is not
// JSON (a cross-site form or text/plain POST needs no preflight) and does
// not carry ConsoleHeader. The platforms' own paths are not guarded: any
// SDK reaches them as it reaches the platform.
func (s *Sandbox) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" || r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
			if why := s.refuse(r); why != "" {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusForbidden)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": why})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// refuse says why r may not reach the admin API, or "".
func (s *Sandbox) refuse(r *http.Request) string {
	if !s.trustedHost(r.Host) {
		return "forbidden: the Host header must be a loopback name or the sandbox's own address"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, r.Host) {
			return "forbidden: a cross-site request (the Origin is not this sandbox)"
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return ""
	}
	if r.Header.Get(ConsoleHeader) != "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return "forbidden: a state-changing admin request must be sent with Content-Type: application/json"
	}
	return ""
}

// trustedHost reports whether host (a Host header) names this machine's
// loopback or the address the sandbox is served at.
func (s *Sandbox) trustedHost(host string) bool {
	if host == "" {
		return false
	}
	if u, err := url.Parse(s.URL()); err == nil && u.Host != "" && strings.EqualFold(u.Host, host) {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(name, "]"), "["), ".")
	if strings.EqualFold(name, "localhost") || strings.HasSuffix(strings.ToLower(name), ".localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}
