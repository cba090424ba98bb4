// Package xhsfake is the fake of Xiaohongshu (miniapp.xiaohongshu.com) for
// package sandbox: its paths, the {success, code, msg, data} envelope and
// its codes over the sandbox's platform-neutral state. sandbox.NewServer
// serves it by default under /xhs.
package xhsfake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// New returns the fake, a fake.Platform: codes live five minutes,
// keys are 16 bytes and client data is sealed as WeChat's.
func New() *fake.Spec {
	return &fake.Spec{Platform: "xhs", AppFields: []string{"app_id", "appid"}, App: fake.App{ID: "xhs-sandbox-app", Secret: "xhs-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{fake.Code2Session}, Seal: fake.SealWeChat, Markers: map[fake.Endpoint]string{fake.Code2Session: "success"}, Paths: routes, Faults: faultBody}
}

// routes are the fake's handlers (fake.Spec.Paths).
var routes = []fake.Route{
	{Endpoint: fake.Token, Pattern: "POST /api/rmp/token", Handler: token},
	{Endpoint: fake.Code2Session, Pattern: "GET /api/rmp/session", Handler: session},
}

// answer is the envelope.
type answer struct {
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Msg     string `json:"msg"`
	Data    any    `json:"data,omitempty"`
}

func fail(code int, msg string) answer { return answer{false, code, msg, nil} }

// faultBody is the fake's Faults (fake.Platform's FaultBody): 2 is a system error and 410101 a
// stale app token. No rate-limit code is documented: a rate limit is the
// gateway's HTTP 429.
func faultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	switch kind {
	case fake.Busy:
		return fail(2, "system error")
	case fake.TokenInvalid:
		return fail(410101, "app access token mismatch")
	}
	return fake.HTTPAnswer{Status: http.StatusTooManyRequests, Text: "Too Many Requests"}
}

// token serves POST /api/rmp/token: each call mints a token and shortens
// the previous ones to five minutes.
func token(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		AppID  string `json:"appid"`
		Secret string `json:"secret"`
	}
	switch {
	case !fake.ReadJSON(r, &req) || req.AppID == "":
		fake.WriteJSON(w, fail(410002, "app invalid"))
		return
	case req.AppID != st.App().ID:
		fake.WriteJSON(w, fail(410002, "app invalid"))
		return
	case req.Secret != st.App().Secret:
		fake.WriteJSON(w, fail(410004, "app secret mismatch"))
		return
	}
	st.ShortenTokens()
	tok, ttl := st.MintToken()
	fake.WriteJSON(w, answer{true, 0, "success", map[string]any{"access_token": tok, "expire_in": int(ttl / time.Second)}})
}

// session serves GET /api/rmp/session?app_id&access_token&code.
func session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	if q.Get("app_id") != st.App().ID && q.Get("appid") != st.App().ID {
		fake.WriteJSON(w, fail(410002, "app invalid"))
		return
	}
	if ok, _ := st.TokenState(q.Get("access_token")); !ok {
		fake.WriteJSON(w, fail(410101, "app access token mismatch"))
		return
	}
	openid, res := st.Redeem(q.Get("code"), false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, fail(410103, "code not bound to the app"))
		return
	}
	u, _ := st.User(openid)
	fake.WriteJSON(w, answer{true, 0, "success", map[string]string{"openid": openid, "session_key": u.Key}})
}
