// Package kwaifake is the fake of Kuaishou's open platform
// (open.kuaishou.com) for package sandbox: code2session and the access
// token in the shapes the kwai driver's package doc describes (and marks
// confirmed or not), over the sandbox's platform-neutral state. It imports
// only public packages, as a fake written outside this module would.
package kwaifake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// New returns the fake, a fake.Platform: codes live ten minutes, as
// the SDKs say; keys and client data as WeChat's.
func New() *fake.Spec {
	return &fake.Spec{Platform: "kwai", AppFields: []string{"app_id"}, App: fake.App{ID: "ks-sandbox-app", Secret: "ks-sandbox-secret"}, CodeLife: 10 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{}, Seal: fake.SealWeChat, Markers: map[fake.Endpoint]string{fake.Code2Session: "result"}, Paths: routes, Faults: faultBody}
}

// routes are the fake's handlers (fake.Spec.Paths). Both take their fields as a form body
// or as query parameters (the SDKs send either), by POST or GET.
var routes = []fake.Route{
	{Endpoint: fake.Code2Session, Pattern: "POST /oauth2/mp/code2session", Handler: code2Session},
	{Endpoint: fake.Token, Pattern: "POST /oauth2/access_token", Handler: token},
	{Endpoint: fake.Token, Pattern: "GET /oauth2/access_token", Handler: token},
}

// answer is Kuaishou's frame.
type answer struct {
	Result   int    `json:"result"`
	ErrorMsg string `json:"error_msg,omitempty"`
}

// faultBody is the fake's Faults (fake.Platform's FaultBody) with Kuaishou's result codes: a busy
// platform is 100200500 (server error) and an expired token 100200108.
// No source documents a rate-limit code for these endpoints, so a rate
// limit is the gateway's HTTP 429.
func faultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	switch kind {
	case fake.Busy:
		return answer{100200500, "server error"}
	case fake.TokenInvalid:
		return answer{100200108, "access token expired"}
	}
	return fake.HTTPAnswer{Status: http.StatusTooManyRequests, Text: "Too Many Requests"}
}

func code2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if err := r.ParseForm(); err != nil || r.Form.Get("app_id") == "" || r.Form.Get("js_code") == "" {
		fake.WriteJSON(w, answer{100200100, "invalid parameters"})
		return
	}
	if r.Form.Get("app_id") != st.App().ID || r.Form.Get("app_secret") != st.App().Secret {
		fake.WriteJSON(w, answer{100200101, "app_id or app_secret rejected"})
		return
	}
	openid, res := st.Redeem(r.Form.Get("js_code"), false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, answer{100200105, "invalid code"})
		return
	}
	u, _ := st.User(openid)
	fake.WriteJSON(w, struct {
		Result     int    `json:"result"`
		OpenID     string `json:"open_id"`
		SessionKey string `json:"session_key"`
	}{1, openid, u.Key})
}

// token mints a 48-hour token; the previous ones keep working.
func token(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" {
		fake.WriteJSON(w, answer{100200100, "invalid parameters"})
		return
	}
	if r.Form.Get("app_id") != st.App().ID || r.Form.Get("app_secret") != st.App().Secret {
		fake.WriteJSON(w, answer{100200101, "app_id or app_secret rejected"})
		return
	}
	tok, ttl := st.MintToken() // the sandbox's token lifetime; Kuaishou's is 48 hours
	fake.WriteJSON(w, struct {
		Result      int    `json:"result"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}{1, tok, int(ttl / time.Second), "bearer"})
}
