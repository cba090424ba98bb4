package host

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// The admin API, for test suites in any language, served under /admin:
//
//	GET    /admin/apps       {"weapp":{"appid":..,"secret":..,"baseUrl":..},"alipay":{"appid":..,"privateKey":..,...},...}
//	POST   /admin/login      {"platform":"weapp","openid":"u1"} (tt also "anonymous":true) → {"code":".."}
//	POST   /admin/faults     {"platform":"weapp","endpoint":"checksession","kind":"busy","count":1,"delayMs":0}
//	DELETE /admin/faults     clears every pending fault
//	GET    /admin/requests   {"weapp":{"checksession":3,...},...}
//	DELETE /admin/requests   sets the counters to zero
//	POST   /admin/advance    {"seconds":300} moves the clock forward
//	POST   /admin/phonecode  {"platform":"weapp","openid":"u1","phoneNumber":"13800138000"} → {"code":".."}
//	POST   /admin/encrypt    {"platform":"weapp","openid":"u1","data":{...}} → {"encryptedData":"..","iv":".."}
//
// Errors answer HTTP 400 with {"error":"..."}.
func (s *Sandbox) admin() {
	s.mux.HandleFunc("GET /admin/apps", func(w http.ResponseWriter, r *http.Request) {
		out := map[taro.Platform]map[string]string{}
		for _, p := range s.Platforms() {
			app := s.App(p)
			m := map[string]string{}
			if s.opts.Credentials != nil {
				for k, v := range s.opts.Credentials(p, app) {
					if v != "" {
						m[k] = v
					}
				}
			} else {
				b, _ := json.Marshal(app)
				_ = json.Unmarshal(b, &m)
			}
			m["appid"], m["baseUrl"] = app.ID, s.BaseURL(p)
			out[p] = m
		}
		fake.WriteJSON(w, out)
	})
	s.mux.HandleFunc("GET /admin/env", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, s.EnvLines())
	})
	s.mux.HandleFunc("POST /admin/login", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Platform  taro.Platform `json:"platform"`
			OpenID    string        `json:"openid"`
			Anonymous bool          `json:"anonymous"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		var code string
		var err error
		if req.Anonymous {
			if req.Platform != taro.TT {
				adminError(w, "anonymous login exists only on tt")
				return
			}
			code, err = s.AnonymousLogin(req.OpenID)
		} else {
			code, err = s.Login(req.Platform, req.OpenID)
		}
		if err != nil {
			adminError(w, err.Error())
			return
		}
		fake.WriteJSON(w, map[string]string{"code": code})
	})
	s.mux.HandleFunc("POST /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Platform taro.Platform `json:"platform"`
			Endpoint Endpoint      `json:"endpoint"`
			Kind     FaultKind     `json:"kind"`
			Count    int           `json:"count"`
			DelayMS  int           `json:"delayMs"`
			// OldDelayMS is the member's name in earlier releases.
			OldDelayMS int `json:"delay_ms"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		if req.DelayMS == 0 {
			req.DelayMS = req.OldDelayMS
		}
		if req.Count == 0 {
			req.Count = 1
		}
		if req.DelayMS < 0 || req.DelayMS > 600_000 {
			adminError(w, "delayMs must be 0 to 600000")
			return
		}
		var err error
		if req.Kind == Slow && req.DelayMS > 0 {
			err = s.InjectDelay(req.Platform, req.Endpoint, time.Duration(req.DelayMS)*time.Millisecond, req.Count)
		} else {
			err = s.Inject(req.Platform, req.Endpoint, req.Kind, req.Count)
		}
		if err != nil {
			adminError(w, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("DELETE /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /admin/requests", func(w http.ResponseWriter, r *http.Request) {
		out := map[taro.Platform]map[Endpoint]int{}
		for _, p := range s.Platforms() {
			out[p] = map[Endpoint]int{}
			for _, ep := range Endpoints() {
				out[p][ep] = s.Requests(p, ep)
			}
		}
		fake.WriteJSON(w, out)
	})
	s.mux.HandleFunc("DELETE /admin/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ResetCounters()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("POST /admin/phonecode", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Platform    taro.Platform `json:"platform"`
			OpenID      string        `json:"openid"`
			PhoneNumber string        `json:"phoneNumber"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		code, err := s.PhoneCode(req.Platform, req.OpenID, req.PhoneNumber)
		if err != nil {
			adminError(w, err.Error())
			return
		}
		fake.WriteJSON(w, map[string]string{"code": code})
	})
	s.mux.HandleFunc("POST /admin/encrypt", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Platform taro.Platform   `json:"platform"`
			OpenID   string          `json:"openid"`
			Data     json.RawMessage `json:"data"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		data, iv, err := s.Encrypt(req.Platform, req.OpenID, req.Data)
		if err != nil {
			adminError(w, err.Error())
			return
		}
		fake.WriteJSON(w, map[string]string{"encryptedData": data, "iv": iv})
	})
	s.mux.HandleFunc("POST /admin/advance", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Seconds int `json:"seconds"`
		}
		if !decodeAdmin(w, r, &req) {
			return
		}
		if req.Seconds < 0 || int64(req.Seconds) > int64(MaxAdvance/time.Second) {
			adminError(w, "seconds must be 0 to a century")
			return
		}
		if err := s.Advance(time.Duration(req.Seconds) * time.Second); err != nil {
			adminError(w, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// EnvLines are "export NAME='value'" lines, sorted, of every app of the
// sandbox as a program reads them (Options.Env), so that
// eval "$(curl -s $SB/admin/env)" configures a shell.
func (s *Sandbox) EnvLines() string {
	if s.opts.Env == nil {
		return ""
	}
	vars := map[string]string{}
	for _, p := range s.Platforms() {
		for k, v := range s.opts.Env(p, s.App(p), s.BaseURL(p)) {
			vars[k] = v
		}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString("export " + k + "='" + strings.ReplaceAll(vars[k], "'", `'\''`) + "'\n")
	}
	return b.String()
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		adminError(w, "bad JSON body: "+err.Error())
		return false
	}
	return true
}

func adminError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
