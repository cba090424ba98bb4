// Package larkfake is the fake of Feishu / Lark (open.feishu.cn) for
// package sandbox, written from Feishu's docs: the internal app's
// app_access_token and mina/v2/tokenLoginValidate, in the {code, msg,
// data} envelope with HTTP 200 errors, single-use codes that live five
// minutes, and tokens that expire. sandbox.NewServer serves it by default
// under /lark.
//
// A user belongs to the tenant "sandbox-tenant" unless its name is
// "<tenant_key>/<open_id>": then the answer's tenant_key and open_id are
// the two parts.
package larkfake

import (
	"net/http"
	"strings"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// DefaultTenant is the tenant_key of a user named without one.
const DefaultTenant = "sandbox-tenant"

// New returns the fake, a fake.Platform: codes live five
// minutes; keys are 16 bytes; there is no client encryption to open.
func New() *fake.Spec {
	return &fake.Spec{Platform: "lark", AppFields: []string{"app_id"}, App: fake.App{ID: "cli_sandbox_app", Secret: "lark-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{fake.Code2Session},
		Markers: map[fake.Endpoint]string{fake.Code2Session: "code"},
		Paths: []fake.Route{
			{Endpoint: fake.Token, Pattern: "POST /open-apis/auth/v3/app_access_token/internal", Handler: token},
			{Endpoint: fake.Code2Session, Pattern: "POST /open-apis/mina/v2/tokenLoginValidate", Handler: code2Session},
		}, Faults: faultBody}
}

// answer is the envelope.
type answer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data,omitempty"`
}

// faultBody is the fake's Faults (fake.Platform's FaultBody): a rate limit is 99991400 (with HTTP
// 429 at Feishu's gateway), an invalid token 99991664; Feishu documents
// no busy code, so busy is the gateway's 503.
func faultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	switch kind {
	case fake.Busy:
		return fake.HTTPAnswer{Status: http.StatusServiceUnavailable, Text: "Service Unavailable"}
	case fake.RateLimit:
		return answer{Code: 99991400, Msg: "request trigger frequency limit"}
	}
	return answer{Code: 99991664, Msg: "Invalid access token for authorization. Please make a request with token attached."}
}

// token serves POST /open-apis/auth/v3/app_access_token/internal: JSON
// {app_id, app_secret} → {code:0, app_access_token, expire}. With 30
// minutes or more left the current token is answered again; with less, a
// new one, and both stay valid.
func token(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		AppID  string `json:"app_id"`
		Secret string `json:"app_secret"`
	}
	switch {
	case !fake.ReadJSON(r, &req):
		fake.WriteJSON(w, answer{Code: 9499, Msg: "Bad Request"})
		return
	case req.AppID != st.App().ID:
		fake.WriteJSON(w, answer{Code: 10003, Msg: "invalid param"})
		return
	case req.Secret != st.App().Secret:
		fake.WriteJSON(w, answer{Code: 10014, Msg: "app secret invalid"})
		return
	}
	tok, remaining := st.CurrentToken()
	if remaining < 30*time.Minute {
		tok, remaining = st.MintToken()
	}
	fake.WriteJSON(w, struct {
		Code   int    `json:"code"`
		Msg    string `json:"msg"`
		Token  string `json:"app_access_token"`
		Expire int    `json:"expire"`
		Tenant string `json:"tenant_access_token"`
	}{0, "ok", tok, int(remaining / time.Second), tok})
}

// code2Session serves POST /open-apis/mina/v2/tokenLoginValidate:
// Authorization: Bearer <app_access_token>, JSON {code}; 10202 for an
// invalid token, 10213 for a code that is unknown, used, expired or
// another app's.
func code2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if valid, _ := st.TokenState(tok); !valid {
		fake.WriteJSON(w, answer{Code: 10202, Msg: "access token invalid"})
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if !fake.ReadJSON(r, &req) {
		fake.WriteJSON(w, answer{Code: 9499, Msg: "Bad Request"})
		return
	}
	name, res := st.Redeem(req.Code, false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, answer{Code: 10213, Msg: "code appid not match"})
		return
	}
	u, _ := st.User(name)
	tenant, openID := DefaultTenant, name
	if t, id, found := strings.Cut(name, "/"); found && t != "" && id != "" {
		tenant, openID = t, id
	}
	type data struct {
		OpenID       string `json:"open_id"`
		SessionKey   string `json:"session_key"`
		TenantKey    string `json:"tenant_key"`
		AccessToken  string `json:"access_token"`
		ExpiresIn    int64  `json:"expires_in"` // a Unix time, as Feishu documents it
		RefreshToken string `json:"refresh_token"`
	}
	fake.WriteJSON(w, answer{Code: 0, Msg: "ok", Data: data{openID, u.Key, tenant, "u-" + fake.RandomHex(16), st.Now().Add(2 * time.Hour).Unix(), "ur-" + fake.RandomHex(16)}})
}
