// Package qywxfake is the fake of WeCom (qyapi.weixin.qq.com) for package
// sandbox, written from WeCom's docs: GET /cgi-bin/gettoken and GET
// /cgi-bin/miniprogram/jscode2session with their errcodes, single-use
// codes that live five minutes, and tokens that expire. sandbox.NewServer
// serves it by default under /qywx.
//
// A user belongs to the app's own corp (the app id is the corpid) unless
// its name is "<corpid>/<userid>": then it belongs to that corp, as the
// users of several corps linked to one mini program do, and the answer's
// corpid and userid are the two parts.
package qywxfake

import (
	"net/http"
	"strings"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// New returns the fake, a fake.Platform: codes live five
// minutes; keys are 16 bytes; there is no client encryption to open.
func New() *fake.Spec {
	return &fake.Spec{Platform: "qywx", AppFields: []string{"corpid"}, App: fake.App{ID: "ww-sandbox-corp", Secret: "qywx-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{fake.Code2Session},
		Markers: map[fake.Endpoint]string{fake.Code2Session: "errcode"},
		Paths: []fake.Route{
			{Endpoint: fake.Token, Pattern: "GET /cgi-bin/gettoken", Handler: token},
			{Endpoint: fake.Code2Session, Pattern: "GET /cgi-bin/miniprogram/jscode2session", Handler: code2Session},
		}, Faults: faultBody}
}

// faultBody is the fake's Faults (fake.Platform's FaultBody) with WeCom's own codes: -1 busy,
// 45009 frequency over limit, 40014 an invalid access token.
func faultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	switch kind {
	case fake.Busy:
		return fake.WeChatError{ErrCode: -1, ErrMsg: "system busy"}
	case fake.RateLimit:
		return fake.WeChatError{ErrCode: 45009, ErrMsg: "api freq out of limit"}
	}
	return fake.WeChatError{ErrCode: 40014, ErrMsg: "invalid access_token"}
}

// ok is WeCom's success frame.
type ok struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// token serves GET /cgi-bin/gettoken?corpid=&corpsecret=: 40013 for
// another corpid, 40001 for a wrong secret; each call mints a token.
func token(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	switch {
	case q.Get("corpid") != st.App().ID:
		fake.WriteJSON(w, fake.WeChatErr(40013, "invalid corpid"))
		return
	case q.Get("corpsecret") != st.App().Secret:
		fake.WriteJSON(w, fake.WeChatErr(40001, "invalid secret"))
		return
	}
	st.ShortenTokens()
	tok, ttl := st.MintToken()
	fake.WriteJSON(w, struct {
		ok
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{ok{0, "ok"}, tok, int(ttl / time.Second)})
}

// code2Session serves GET /cgi-bin/miniprogram/jscode2session: 42001 for
// an expired token, 40014 for an unknown one, 40029 for a code that is
// unknown, used or expired; else {corpid, userid, session_key} with
// errcode 0.
func code2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	switch valid, expired := st.TokenState(q.Get("access_token")); {
	case expired:
		fake.WriteJSON(w, fake.WeChatErr(42001, "access_token expired"))
		return
	case !valid:
		fake.WriteJSON(w, fake.WeChatErr(40014, "invalid access_token"))
		return
	case q.Get("grant_type") != "authorization_code":
		fake.WriteJSON(w, fake.WeChatErr(40002, "invalid grant_type"))
		return
	}
	name, res := st.Redeem(q.Get("js_code"), false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, fake.WeChatErr(40029, "invalid code"))
		return
	}
	u, _ := st.User(name)
	corp, user := st.App().ID, name
	if c, id, found := strings.Cut(name, "/"); found && c != "" && id != "" {
		corp, user = c, id
	}
	fake.WriteJSON(w, struct {
		ok
		CorpID     string `json:"corpid"`
		UserID     string `json:"userid"`
		SessionKey string `json:"session_key"`
	}{ok{0, "ok"}, corp, user, u.Key})
}
