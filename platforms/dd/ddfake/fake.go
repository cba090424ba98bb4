// Package ddfake is the fake of DingTalk (oapi.dingtalk.com) for package
// sandbox, written from DingTalk's docs: GET /gettoken and POST
// /topapi/v2/user/getuserinfo with their errcodes, single-use auth codes
// that live five minutes, and tokens that expire. DingTalk has no
// session key. sandbox.NewServer serves it by default under /dd.
package ddfake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// New returns the fake, a fake.Platform.
func New() *fake.Spec {
	return &fake.Spec{Platform: "dd", AppFields: []string{"appkey"}, App: fake.App{ID: "ding-sandbox-appkey", Secret: "dd-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{fake.Code2Session},
		Markers: map[fake.Endpoint]string{fake.Code2Session: "errcode"},
		Paths: []fake.Route{
			{Endpoint: fake.Token, Pattern: "GET /gettoken", Handler: token},
			{Endpoint: fake.Code2Session, Pattern: "POST /topapi/v2/user/getuserinfo", Handler: code2Session},
		}, Faults: faultBody}
}

// faultBody is the fake's Faults (fake.Platform's FaultBody): -1 busy, 40014 an invalid token;
// DingTalk's throttling code is not published, so a rate limit is the
// gateway's HTTP 429.
func faultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	switch kind {
	case fake.Busy:
		return fake.WeChatError{ErrCode: -1, ErrMsg: "系统繁忙"}
	case fake.TokenInvalid:
		return fake.WeChatError{ErrCode: 40014, ErrMsg: "不合法的access_token"}
	}
	return fake.HTTPAnswer{Status: http.StatusTooManyRequests, Text: "Too Many Requests"}
}

// token serves GET /gettoken?appkey=&appsecret=: within its life the
// same token is answered (and kept alive), as DingTalk does.
func token(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	if q.Get("appkey") != st.App().ID || q.Get("appsecret") != st.App().Secret {
		fake.WriteJSON(w, fake.WeChatError{ErrCode: 40089, ErrMsg: "不合法的corpid或corpsecret"})
		return
	}
	tok, remaining := st.CurrentToken()
	if remaining <= 0 {
		tok, remaining = st.MintToken()
	}
	fake.WriteJSON(w, struct {
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{0, "ok", tok, int(remaining / time.Second)})
}

// code2Session serves POST /topapi/v2/user/getuserinfo?access_token=, JSON
// {code}: 42001 expired token, 40014 unknown token, 40078 a code unknown,
// used or expired; else {errcode:0, result:{userid, unionid, …}}.
func code2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	switch valid, expired := st.TokenState(r.URL.Query().Get("access_token")); {
	case expired:
		fake.WriteJSON(w, fake.WeChatError{ErrCode: 42001, ErrMsg: "access_token超时"})
		return
	case !valid:
		fake.WriteJSON(w, fake.WeChatError{ErrCode: 40014, ErrMsg: "不合法的access_token"})
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if !fake.ReadJSON(r, &req) || req.Code == "" {
		fake.WriteJSON(w, fake.WeChatError{ErrCode: 40035, ErrMsg: "不合法的参数"})
		return
	}
	userid, res := st.Redeem(req.Code, false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, fake.WeChatError{ErrCode: 40078, ErrMsg: "不存在的临时授权码"})
		return
	}
	u, _ := st.User(userid)
	type result struct {
		UserID            string `json:"userid"`
		UnionID           string `json:"unionid"`
		AssociatedUnionID string `json:"associated_unionid"`
		Name              string `json:"name"`
		DeviceID          string `json:"device_id"`
		Sys               bool   `json:"sys"`
		SysLevel          int    `json:"sys_level"`
	}
	fake.WriteJSON(w, struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Result  result `json:"result"`
	}{0, "ok", result{UserID: userid, UnionID: u.UnionID, Name: userid, DeviceID: "device-" + userid}})
}
