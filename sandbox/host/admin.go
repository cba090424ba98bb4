package host

import (
	"context"
	"encoding/json"
	"errors"
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
//	GET    /admin/apps       {"weapp":{"appid":..,"secret":..,"baseUrl":..},"alipay":{"appid":..,"privateKey":..,...},...} (the default apps)
//	GET    /admin/apps/{p}   [{"appid":..,"secret":..,"baseUrl":..,"users":[..]},...] every app of p, the default first
//	POST   /admin/apps       {"platform":"weapp","appid":"wx-2","secret":".."} adds an app (AddApp)
//	GET    /admin/components [{"appid":..,"authorized":[..],"ticketsPushed":1},...] WeChat's third-party platforms
//	POST   /admin/components {"appid","secret","token","encodingAesKey"} adds one (AddComponent)
//	POST   /admin/authorize  {"component":"wx-comp","appid":"wx-shop-2"} → {"refreshToken":".."} (Authorize)
//	POST   /admin/push-ticket {"component":"wx-comp","url":"http://127.0.0.1:9000/wechat/events"} pushes a ticket (PushTicket)
//	POST   /admin/login      {"platform":"weapp","openid":"u1"} (tt also "anonymous":true) → {"code":".."}
//	POST   /admin/faults     {"platform":"weapp","endpoint":"checksession","kind":"busy","count":1,"delayMs":0}
//	DELETE /admin/faults     clears every pending fault
//	GET    /admin/requests   {"weapp":{"checksession":3,...},...}
//	DELETE /admin/requests   sets the counters to zero
//	POST   /admin/advance    {"seconds":300} moves the clock forward
//	POST   /admin/phonecode  {"platform":"weapp","openid":"u1","phoneNumber":"13800138000"} → {"code":".."}
//	POST   /admin/encrypt    {"platform":"weapp","openid":"u1","data":{...}} → {"encryptedData":"..","iv":".."}
//
// login, phonecode, encrypt and faults take an optional "appid": an app of
// the platform other than the default one (faults: only that app's
// requests meet them).
//
// Errors answer HTTP 400 with {"error":"..."}.
func (s *Sandbox) admin() {
	s.mux.HandleFunc("GET /admin/apps", func(w http.ResponseWriter, r *http.Request) {
		out := map[taro.Platform]map[string]string{}
		for _, p := range s.Platforms() {
			out[p] = s.appJSON(p, s.App(p))
		}
		fake.WriteJSON(w, out)
	})
	s.mux.HandleFunc("GET /admin/apps/{platform}", func(w http.ResponseWriter, r *http.Request) {
		p := taro.Platform(r.PathValue("platform"))
		apps := s.Apps(p)
		if apps == nil {
			adminError(w, "unknown platform "+string(p))
			return
		}
		out := make([]map[string]any, 0, len(apps))
		for _, app := range apps {
			m := map[string]any{"users": s.users(p, app.ID)}
			for k, v := range s.appJSON(p, app) {
				m[k] = v
			}
			out = append(out, m)
		}
		fake.WriteJSON(w, out)
	})
	s.mux.HandleFunc("POST /admin/apps", adminDo(func(_ context.Context, req *struct {
		Platform taro.Platform `json:"platform"`
		App
	}) (any, error) {
		return nil, s.AddApp(req.Platform, req.App)
	}))
	s.mux.HandleFunc("GET /admin/components", func(w http.ResponseWriter, r *http.Request) {
		fake.WriteJSON(w, s.Components())
	})
	s.mux.HandleFunc("POST /admin/components", adminDo(func(_ context.Context, req *Component) (any, error) {
		return nil, s.AddComponent(*req)
	}))
	s.mux.HandleFunc("POST /admin/authorize", adminDo(func(_ context.Context, req *struct {
		Component string `json:"component"`
		AppID     string `json:"appid"`
	}) (any, error) {
		rt, err := s.Authorize(req.Component, req.AppID)
		return map[string]string{"refreshToken": rt}, err
	}))
	s.mux.HandleFunc("POST /admin/push-ticket", adminDo(func(ctx context.Context, req *struct {
		Component string `json:"component"`
		URL       string `json:"url"`
	}) (any, error) {
		return nil, s.PushTicketContext(ctx, req.Component, req.URL)
	}))
	s.mux.HandleFunc("GET /admin/env", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, s.EnvLines())
	})
	s.mux.HandleFunc("POST /admin/login", adminDo(func(_ context.Context, req *struct {
		Platform  taro.Platform `json:"platform"`
		AppID     string        `json:"appid"`
		OpenID    string        `json:"openid"`
		Anonymous bool          `json:"anonymous"`
	}) (any, error) {
		if req.Anonymous && req.Platform != taro.TT {
			return nil, errors.New("anonymous login exists only on tt")
		}
		code, err := s.login(req.Platform, req.AppID, req.OpenID, req.Anonymous)
		return map[string]string{"code": code}, err
	}))
	s.mux.HandleFunc("POST /admin/faults", adminDo(func(_ context.Context, req *struct {
		Platform taro.Platform `json:"platform"`
		AppID    string        `json:"appid"`
		Endpoint Endpoint      `json:"endpoint"`
		Kind     FaultKind     `json:"kind"`
		Count    int           `json:"count"`
		DelayMS  int           `json:"delayMs"`
		// OldDelayMS is the member's name in earlier releases.
		OldDelayMS int `json:"delay_ms"`
	}) (any, error) {
		if req.DelayMS == 0 {
			req.DelayMS = req.OldDelayMS
		}
		if req.Count == 0 {
			req.Count = 1
		}
		if req.DelayMS < 0 || req.DelayMS > 600_000 {
			return nil, errors.New("delayMs must be 0 to 600000")
		}
		f := fault{kind: req.Kind, app: req.AppID}
		if req.Kind == fake.Slow && req.DelayMS > 0 {
			f.delay = time.Duration(req.DelayMS) * time.Millisecond
		}
		return nil, s.inject(req.Platform, req.Endpoint, f, req.Count)
	}))
	s.mux.HandleFunc("DELETE /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /admin/requests", func(w http.ResponseWriter, r *http.Request) {
		out := map[taro.Platform]map[Endpoint]int{}
		for _, p := range s.Platforms() {
			out[p] = map[Endpoint]int{}
			for _, ep := range fake.Endpoints() {
				out[p][ep] = s.Requests(p, ep)
			}
		}
		fake.WriteJSON(w, out)
	})
	s.mux.HandleFunc("DELETE /admin/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ResetCounters()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("POST /admin/phonecode", adminDo(func(_ context.Context, req *struct {
		Platform    taro.Platform `json:"platform"`
		AppID       string        `json:"appid"`
		OpenID      string        `json:"openid"`
		PhoneNumber string        `json:"phoneNumber"`
	}) (any, error) {
		code, err := s.phoneCode(req.Platform, req.AppID, req.OpenID, req.PhoneNumber)
		return map[string]string{"code": code}, err
	}))
	s.mux.HandleFunc("POST /admin/encrypt", adminDo(func(_ context.Context, req *struct {
		Platform taro.Platform   `json:"platform"`
		AppID    string          `json:"appid"`
		OpenID   string          `json:"openid"`
		Data     json.RawMessage `json:"data"`
	}) (any, error) {
		data, iv, err := s.encrypt(req.Platform, req.AppID, req.OpenID, req.Data)
		return map[string]string{"encryptedData": data, "iv": iv}, err
	}))
	s.mux.HandleFunc("POST /admin/advance", adminDo(func(_ context.Context, req *struct {
		Seconds int `json:"seconds"`
	}) (any, error) {
		if req.Seconds < 0 || int64(req.Seconds) > int64(MaxAdvance/time.Second) {
			return nil, errors.New("seconds must be 0 to a century")
		}
		return nil, s.Advance(time.Duration(req.Seconds) * time.Second)
	}))
}

// users lists the openids of p's app appID, sorted.
func (s *Sandbox) users(p taro.Platform, appID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, st, err := s.app(p, appID); err == nil {
		return st.OpenIDs()
	}
	return nil
}

// appJSON is app of p as GET /admin/apps lists it: its credentials by
// their one name (Options.Credentials), its id and p's base URL.
func (s *Sandbox) appJSON(p taro.Platform, app App) map[string]string {
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
	return m
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

// adminDo serves an admin route: the JSON body decoded into a Req (unknown
// members refused), then do, whose error answers 400 {"error":…}, whose nil
// result answers 204 and whose other results are the JSON answer.
func adminDo[Req any](do func(ctx context.Context, req *Req) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if !decodeAdmin(w, r, &req) {
			return
		}
		out, err := do(r.Context(), &req)
		switch {
		case err != nil:
			adminError(w, err.Error())
		case out == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			fake.WriteJSON(w, out)
		}
	}
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
