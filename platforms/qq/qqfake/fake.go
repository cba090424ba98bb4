// Package qqfake is the fake of QQ (api.q.qq.com) for package sandbox: its
// real paths, JSON shapes and error codes over the sandbox's
// platform-neutral state. sandbox.NewServer serves it by default under
// /qq.
package qqfake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// Fake is the fake; it implements fake.Platform: codes live five minutes;
// keys and client data as WeChat's, which QQ shares.
type Fake struct{ fake.Spec }

// New returns the fake.
func New() *Fake {
	return &Fake{fake.Spec{Platform: "qq", App: fake.App{ID: "qq-sandbox-app", Secret: "qq-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{}, Seal: fake.SealWeChat, Markers: map[fake.Endpoint]string{fake.Code2Session: "session_key"}, Paths: routes}}
}

var _ fake.Platform = (*Fake)(nil)

// routes are the fake's handlers (fake.Spec.Paths).
var routes = []fake.Route{
	{Endpoint: fake.Code2Session, Pattern: "GET /sns/jscode2session", Handler: qqCode2Session},
	{Endpoint: fake.Token, Pattern: "GET /api/getToken", Handler: qqToken},
}

// FaultBody implements fake.Platform with the platform's own answers.
func (*Fake) FaultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	switch kind {
	case fake.Busy:
		return wxError{-1, "system error"}
	case fake.RateLimit:
		return wxError{45011, "api minute-quota reach limit  mustslower  retry next minute"}
	}
	return wxError{40001, "invalid credential, access_token is invalid or not latest"}
}

// qqToken serves GET /api/getToken: each call mints a token, and the
// previous ones keep working for five more minutes at most.
func qqToken(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "client_credential":
		fake.WriteJSON(w, wxErr(40002, "invalid grant_type"))
		return
	case q.Get("appid") != st.App().ID:
		fake.WriteJSON(w, wxErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.App().Secret:
		fake.WriteJSON(w, wxErr(40001, "invalid credential"))
		return
	}
	st.ShortenTokens()
	tok, ttl := st.MintToken()
	fake.WriteJSON(w, struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{tok, int(ttl / time.Second)})
}

type wxError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func wxErr(code int, msg string) wxError { return wxError{code, msg + ", rid: " + fake.RandomHex(6)} }

// qqCode2Session serves GET /sns/jscode2session as QQ does (WeChat's shape).
func qqCode2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	switch {
	case q.Get("appid") != st.App().ID:
		fake.WriteJSON(w, wxErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.App().Secret:
		fake.WriteJSON(w, wxErr(40125, "invalid appsecret"))
		return
	case q.Get("grant_type") != "authorization_code":
		fake.WriteJSON(w, wxErr(40002, "invalid grant_type"))
		return
	case q.Get("js_code") == "":
		fake.WriteJSON(w, wxErr(41008, "missing code"))
		return
	}
	openid, cerr := st.Redeem(q.Get("js_code"), false)
	switch cerr {
	case fake.CodeUsed:
		fake.WriteJSON(w, wxErr(40163, "code been used"))
		return
	case fake.CodeUnknown, fake.CodeExpired:
		fake.WriteJSON(w, wxErr(40029, "invalid code"))
		return
	}
	u, _ := st.User(openid)
	fake.WriteJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		UnionID    string `json:"unionid,omitempty"`
	}{openid, u.Key, u.UnionID})
}
