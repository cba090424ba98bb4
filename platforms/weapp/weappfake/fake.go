// Package weappfake is the fake of WeChat (api.weixin.qq.com) for package sandbox: its
// real paths, JSON shapes and error codes over the sandbox's
// platform-neutral state. sandbox.NewServer serves it by default under
// /weapp.
package weappfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// family is WeChat's own place in the family its fake shares with QQ's:
// GET /cgi-bin/token mints classic tokens.
var family = fake.WeChatFamily{TokenBadSecret: 40125, TokenFamily: classicTokens}

// New returns the fake, a fake.Platform: codes live five minutes;
// keys are 24 base64 characters (16 bytes); client data is sealed with
// AES-128-CBC and a watermark naming the app.
func New() *fake.Spec {
	return &fake.Spec{Platform: "weapp", AppFields: []string{"appid", "authorizer_appid"}, App: fake.App{ID: "wx-sandbox-app", Secret: "wx-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves:     []fake.Endpoint{fake.Code2Session, fake.Token, fake.CheckSession, fake.PhoneNumber, fake.ResetKey, fake.CheckData, fake.ComponentToken},
		TakesToken: []fake.Endpoint{fake.CheckSession, fake.PhoneNumber, fake.ResetKey, fake.CheckData}, Seal: fake.SealWeChat, Markers: map[fake.Endpoint]string{fake.Code2Session: "session_key", fake.CheckSession: "errcode"}, Paths: routes, Faults: family.FaultBody}
}

// routes are the fake's handlers (fake.Spec.Paths).
var routes = []fake.Route{
	{Endpoint: fake.Code2Session, Pattern: "GET /sns/jscode2session", Handler: family.Code2Session},
	{Endpoint: fake.Token, Pattern: "POST /cgi-bin/stable_token", Handler: weappStableToken},
	{Endpoint: fake.Token, Pattern: "GET /cgi-bin/token", Handler: family.QueryToken},
	{Endpoint: fake.CheckSession, Pattern: "GET /wxa/checksession", Handler: weappCheckSession},
	{Endpoint: fake.PhoneNumber, Pattern: "POST /wxa/business/getuserphonenumber", Handler: weappPhoneNumber},
	{Endpoint: fake.ResetKey, Pattern: "GET /wxa/resetusersessionkey", Handler: weappReset},
	{Endpoint: fake.CheckData, Pattern: "POST /wxa/business/checkencryptedmsg", Handler: weappCheckData},
	// WeChat's third-party platforms (component.go).
	{Endpoint: fake.ComponentToken, Pattern: "POST /cgi-bin/component/api_component_token", Handler: componentToken},
	{Endpoint: fake.Code2Session, Pattern: "GET /sns/component/jscode2session", Handler: componentCode2Session},
	{Endpoint: fake.Token, Pattern: "POST /cgi-bin/component/api_authorizer_token", Handler: authorizerToken},
}

// dataLife is how long WeChat vouches for its encrypted data.
const dataLife = 72 * time.Hour

// weappCheckData serves POST /wxa/business/checkencryptedmsg: JSON
// {"encrypted_msg_hash": hex SHA-256 of the encryptedData text}; data the
// sandbox produced for this app within three days is {"errcode":0,
// "errmsg":"ok","vaild":true,"create_time":…} (the doc's spelling); any
// other is errcode 1 "data not exist"; an empty body 44002, bad JSON
// 47001, a bad hash 40097.
func weappCheckData(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if !family.TokenOK(w, st, r.URL.Query().Get("access_token")) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		fake.WriteJSON(w, fake.WeChatErr(44002, "empty post data"))
		return
	}
	var req struct {
		Hash string `json:"encrypted_msg_hash"`
	}
	if json.Unmarshal(body, &req) != nil {
		formatError(w)
		return
	}
	raw, err := hex.DecodeString(req.Hash)
	if err != nil || len(raw) != sha256.Size {
		fake.WriteJSON(w, fake.WeChatErr(40097, "invalid args"))
		return
	}
	at, ok := st.DataAt([sha256.Size]byte(raw))
	if !ok || st.Now().Sub(at) > dataLife {
		fake.WriteJSON(w, fake.WeChatErr(1, "data not exist"))
		return
	}
	fake.WriteJSON(w, struct {
		ErrCode    int    `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
		Vaild      bool   `json:"vaild"`
		CreateTime int64  `json:"create_time"`
	}{0, "ok", true, at.Unix()})
}

func weappStableToken(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	switch {
	case !readJSON(w, r, &req):
		return
	case req.GrantType != "client_credential":
		fake.WriteJSON(w, fake.WeChatErr(40002, "invalid grant_type"))
		return
	case req.AppID != st.App().ID:
		fake.WriteJSON(w, fake.WeChatErr(40013, "invalid appid"))
		return
	case req.Secret != st.App().Secret:
		fake.WriteJSON(w, fake.WeChatErr(40125, "invalid appsecret"))
		return
	}
	// Normal mode hands every caller the same token, renewed when fewer
	// than five minutes remain. force_refresh ends the previous token at
	// once and mints a new one.
	tok, remaining := st.CurrentToken()
	if req.ForceRefresh {
		st.DropToken(tok)
	}
	if req.ForceRefresh || remaining < 5*time.Minute {
		tok, remaining = st.MintToken()
	}
	fake.WriteToken(w, tok, remaining)
}

// classicTokens is the token family of GET /cgi-bin/token. WeChat
// documents it and the stable token as fully isolated (完全隔离，互不影响):
// each has its own tokens and expiry, and a stable force_refresh leaves the
// classic token valid.
const classicTokens = "classic"

func weappCheckSession(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if _, ok := family.SignedUser(w, r, st); ok {
		fake.WriteJSON(w, fake.WeChatError{ErrCode: 0, ErrMsg: "ok"})
	}
}

// weappPhoneNumber serves POST /wxa/business/getuserphonenumber.
func weappPhoneNumber(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if !family.TokenOK(w, st, r.URL.Query().Get("access_token")) {
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	phone, res := st.RedeemPhone(req.Code)
	switch res {
	case fake.CodeUsed:
		fake.WriteJSON(w, fake.WeChatErr(40029, "code been used"))
		return
	case fake.CodeUnknown, fake.CodeExpired:
		fake.WriteJSON(w, fake.WeChatErr(40029, "invalid code"))
		return
	}
	type watermark struct {
		Timestamp int64  `json:"timestamp"`
		AppID     string `json:"appid"`
	}
	fake.WriteJSON(w, struct {
		ErrCode   int    `json:"errcode"`
		ErrMsg    string `json:"errmsg"`
		PhoneInfo struct {
			PhoneNumber     string    `json:"phoneNumber"`
			PurePhoneNumber string    `json:"purePhoneNumber"`
			CountryCode     string    `json:"countryCode"`
			Watermark       watermark `json:"watermark"`
		} `json:"phone_info"`
	}{ErrMsg: "ok", PhoneInfo: struct {
		PhoneNumber     string    `json:"phoneNumber"`
		PurePhoneNumber string    `json:"purePhoneNumber"`
		CountryCode     string    `json:"countryCode"`
		Watermark       watermark `json:"watermark"`
	}{phone, phone, "86", watermark{st.Now().Unix(), st.App().ID}}})
}

// weappReset serves GET /wxa/resetusersessionkey: a new key, the old one
// dead at once.
func weappReset(w http.ResponseWriter, r *http.Request, st *fake.State) {
	u, ok := family.SignedUser(w, r, st)
	if !ok {
		return
	}
	st.RotateKey(u)
	fake.WriteJSON(w, struct {
		ErrCode    int    `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{0, "ok", r.URL.Query().Get("openid"), u.Key})
}

// readJSON decodes r's JSON body into v; on a body that is not JSON of
// v's shape it answers as WeChat does (formatError) and reports false.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if !fake.ReadJSON(r, v) {
		formatError(w)
		return false
	}
	return true
}

// formatError is WeChat's answer to a malformed body: 47001.
func formatError(w http.ResponseWriter) {
	fake.WriteJSON(w, fake.WeChatErr(47001, "data format error"))
}
