// Package ttfake is the fake of Douyin (developer.toutiao.com, minigame.zijieapi.com) for package sandbox: its
// real paths, JSON shapes and error codes over the sandbox's
// platform-neutral state. sandbox.NewServer serves it by default under
// /tt.
package ttfake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Fake is the fake; it implements fake.Platform: codes live five minutes;
// keys and client data as WeChat's, which Douyin uses.
type Fake struct{ fake.Spec }

// New returns the fake.
func New() *Fake {
	return &Fake{fake.Spec{Platform: "tt", App: fake.App{ID: "tt-sandbox-app", Secret: "tt-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token, fake.CheckSession, fake.ResetKey}, TakesToken: []fake.Endpoint{fake.CheckSession, fake.ResetKey}, Seal: fake.SealWeChat}}
}

var _ fake.Platform = (*Fake)(nil)

// Routes implements fake.Platform.
func (*Fake) Routes(r fake.Router) {
	r.Handle(fake.Code2Session, "POST /api/apps/v2/jscode2session", ttCode2Session)
	r.Handle(fake.Token, "POST /api/apps/v2/token", ttToken)
	r.Handle(fake.CheckSession, "GET /mgplatform/api/apps/check_session_key", ttCheckSession)
	r.Handle(fake.ResetKey, "POST /mgplatform/api/apps/reset_session_key", ttReset)
}

// FaultBody implements fake.Platform with Douyin's own answers, in each
// host's vocabulary.
func (*Fake) FaultBody(ep fake.Endpoint, kind fake.FaultKind) any {
	if ep == fake.CheckSession || ep == fake.ResetKey { // minigame.zijieapi.com
		switch kind {
		case fake.Busy:
			return ttCheckResp{ErrNo: 28001005, ErrMsg: "system busy, please retry", LogID: fake.RandomHex(8)}
		case fake.RateLimit:
			return ttCheckResp{ErrNo: 28003018, ErrMsg: "request too frequent", LogID: fake.RandomHex(8)}
		}
		return ttCheckResp{ErrNo: 28001003, ErrMsg: "invalid access_token", LogID: fake.RandomHex(8)}
	}
	if kind == fake.Busy {
		return ttResp{ErrNo: -1, ErrTips: "system error"}
	}
	return ttResp{ErrNo: 28003018, ErrTips: "request too frequent"}
}

type ttResp struct {
	ErrNo   int    `json:"err_no"`
	ErrTips string `json:"err_tips"`
	Data    any    `json:"data,omitempty"`
}

type ttCheckResp struct {
	ErrNo  int    `json:"err_no"`
	ErrMsg string `json:"err_msg"`
	LogID  string `json:"log_id"`
}

func ttCode2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		AppID         string `json:"appid"`
		Secret        string `json:"secret"`
		Code          string `json:"code"`
		AnonymousCode string `json:"anonymous_code"`
	}
	switch {
	case !fake.ReadJSON(r, &req):
		fake.WriteJSON(w, ttResp{ErrNo: 40014, ErrTips: "bad params"})
		return
	case req.AppID != st.App().ID:
		fake.WriteJSON(w, ttResp{ErrNo: 40015, ErrTips: "bad appid"})
		return
	case req.Secret != st.App().Secret:
		fake.WriteJSON(w, ttResp{ErrNo: 40017, ErrTips: "bad secret"})
		return
	case req.Code == "" && req.AnonymousCode == "":
		fake.WriteJSON(w, ttResp{ErrNo: 40014, ErrTips: "bad params"})
		return
	}
	type data struct {
		SessionKey      string `json:"session_key"`
		OpenID          string `json:"openid"`
		AnonymousOpenID string `json:"anonymous_openid"`
		UnionID         string `json:"unionid"`
	}
	var out data
	if req.AnonymousCode != "" {
		openid, cerr := st.Redeem(req.AnonymousCode, true)
		if cerr != fake.CodeOK {
			fake.WriteJSON(w, ttResp{ErrNo: 40019, ErrTips: "bad anonymous_code"})
			return
		}
		// An anonymous-only login yields no session key, openid or
		// unionid: Douyin returns those only when a code was sent.
		out.AnonymousOpenID = openid
	}
	if req.Code != "" {
		openid, cerr := st.Redeem(req.Code, false)
		if cerr != fake.CodeOK {
			fake.WriteJSON(w, ttResp{ErrNo: 40018, ErrTips: "bad code"})
			return
		}
		u, _ := st.User(openid)
		out.OpenID, out.SessionKey, out.UnionID = openid, u.Key, u.UnionID
	}
	fake.WriteJSON(w, ttResp{ErrNo: 0, ErrTips: "success", Data: out})
}

func ttToken(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		AppID     string `json:"appid"`
		Secret    string `json:"secret"`
		GrantType string `json:"grant_type"`
	}
	type data struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	switch {
	case !fake.ReadJSON(r, &req):
		fake.WriteJSON(w, ttResp{ErrNo: 40014, ErrTips: "bad params", Data: data{}})
		return
	case req.AppID != st.App().ID:
		fake.WriteJSON(w, ttResp{ErrNo: 40015, ErrTips: "bad appid", Data: data{}})
		return
	case req.Secret != st.App().Secret:
		fake.WriteJSON(w, ttResp{ErrNo: 40017, ErrTips: "bad secret", Data: data{}})
		return
	case req.GrantType != "client_credential":
		fake.WriteJSON(w, ttResp{ErrNo: 40020, ErrTips: "bad grant_type", Data: data{}})
		return
	}
	// A new token shortens the previous ones to five minutes.
	st.ShortenTokens()
	tok, ttl := st.MintToken()
	fake.WriteJSON(w, ttResp{ErrNo: 0, ErrTips: "success", Data: data{tok, int(ttl / time.Second)}})
}

func ttCheckSession(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	answer := func(no int, msg string) {
		fake.WriteJSON(w, ttCheckResp{ErrNo: no, ErrMsg: msg, LogID: fake.RandomHex(8)})
	}
	if valid, _ := st.TokenState(q.Get("access_token")); !valid {
		answer(28001003, "invalid access_token")
		return
	}
	u, ok := st.User(q.Get("openid"))
	switch {
	case !ok:
		answer(28001004, "invalid openid")
	case q.Get("sig_method") != driverkit.SigMethod:
		answer(28001038, "invalid sig_method")
	case !driverkit.VerifyLoginState(u.Key, "", q.Get("signature")):
		answer(28001039, "invalid signature")
	default:
		answer(0, "")
	}
}

// ttReset serves the mini-game POST reset_session_key.
func ttReset(w http.ResponseWriter, r *http.Request, st *fake.State) {
	answer := func(no int, msg string) {
		fake.WriteJSON(w, ttCheckResp{ErrNo: no, ErrMsg: msg, LogID: fake.RandomHex(8)})
	}
	var req struct {
		AccessToken string `json:"access_token"`
		OpenID      string `json:"openid"`
		Signature   string `json:"signature"`
		SigMethod   string `json:"sig_method"`
	}
	if !fake.ReadJSON(r, &req) {
		answer(28001001, "invalid params")
		return
	}
	if valid, _ := st.TokenState(req.AccessToken); !valid {
		answer(28001003, "invalid access_token")
		return
	}
	u, ok := st.User(req.OpenID)
	switch {
	case !ok:
		answer(28001004, "invalid openid")
		return
	case req.SigMethod != driverkit.SigMethod:
		answer(28001038, "invalid sig_method")
		return
	case !driverkit.VerifyLoginState(u.Key, "", req.Signature):
		answer(28001039, "invalid signature")
		return
	}
	st.RotateKey(u)
	fake.WriteJSON(w, struct {
		ErrNo      int    `json:"err_no"`
		ErrMsg     string `json:"err_msg"`
		LogID      string `json:"log_id"`
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{0, "", fake.RandomHex(8), req.OpenID, u.Key})
}
