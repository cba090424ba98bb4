// Package ttfake is the fake of Douyin (developer.toutiao.com, minigame.zijieapi.com) for package sandbox: its
// real paths, JSON shapes and error codes over the sandbox's
// platform-neutral state. sandbox.NewServer serves it by default under
// /tt.
package ttfake

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro/driverkit"
)

// New returns the fake, a fake.Platform: codes live five minutes;
// keys and client data as WeChat's, which Douyin uses.
func New() *fake.Spec {
	return &fake.Spec{Platform: "tt", AppFields: []string{"appid"}, App: fake.App{ID: "tt-sandbox-app", Secret: "tt-sandbox-secret", PrivateKey: AppPrivateKey}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token, fake.CheckSession, fake.ResetKey, fake.PhoneNumber}, TakesToken: []fake.Endpoint{fake.CheckSession, fake.ResetKey, fake.PhoneNumber}, Seal: fake.SealWeChat, Markers: map[fake.Endpoint]string{fake.Code2Session: "err_no", fake.CheckSession: "err_no"}, Paths: routes, Faults: faultBody}
}

// AppPrivateKey is the sandbox app's private key (PKCS#8 PEM), the key a
// Douyin app configures for phone numbers (tt.Config.PhonePrivateKey): the
// fake encrypts phone numbers to its public half, as Douyin encrypts to
// the public key configured in the console. A sandbox key only.
const AppPrivateKey = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDkijg5smA/43eS
+K4LwRMz1uioZJRh6X+YQ1JQbkdTdv0QPGSBfTAwGx+6w4RZx58MjWtuA8QCOHdT
h+1wY/Ffc/zrUL25S0S+HW4EhOr+QxoAnQi4ywWAdfRih6x5+UuXdZ4fVADOcJUP
SJs5t+v7AD/LflAARqqYyDzADD/zn8iRZIkwpCFgiwDNHGNafqo4U3lVQ4wkraL4
Urqx4rOExNzX0B9Y/ITH+aq0+eTrIkPnEMGE37AlZOioprI0NbmWs/ZcMGh5+dtD
SKJVmfNW7yaSAHPx5XBe5Kwz/POqrrqfO0LAE9wFYfgtimxU0m0oN2mPkntLBVvu
6ouy2ckDAgMBAAECggEACX0XooWea2ilUUvT5hcJFhDpLfynEH2iV48L/tzlRzjc
fu0S+zFYa9bkdVuixht8pgfFGxc67yCrC6PMHut3XRAyww5iIixW2VHdfICMRSxC
Cx55+zoqq0+6atDZP2MzWUF/5CsXsXqJJc5M65OQT6aN/4PqDGjisl817n9TtGis
0/g3gg7J8+rLkR2LJ3qGe1C6HiuVoUUsMDWBTU0yjKSTzquqn0z6wwvfgLdq+A5e
Q8Qw34YP65fEoz+x7VX3PW5/fQYef2lq8ANalHvL7Z3d3c2/teGcIuxeQ5dCMwVn
165fzvkPWgLmd7Y+MiTvW02PgfMY2nWb49uGqAN8iQKBgQD0mR03wZXE3KClFz+9
oI+PFVX+tZaMER+6/WSIcfsm3KKCAcjG9PZCMWKJ1SQdLXNBlrX2wrhYpAoG1dbR
UOTJQwqkq6UKp2QAzSSaCu3BRvyd75xH7HnaXuOsMZ1MoG3n4wOG7Ap9PObHG/r/
WCbzsDj347KKz3K96KnF0TWWvQKBgQDvMXoT+MQI5zJhXSGVuuetW1OGNKMj74oB
cNhqP0sCXqS2KtjXN7+xIiZdgKFn02KVWmDw+6T+uSzyqaqa4yNZMShWuJQRMGTl
tf7oaa9C9VdYZpc170fVLHUsy/HIgd61F0UMJH1wLomiqdBaCjSZt4H9bkmc+oqW
XByYw826vwKBgCAAACCRRQTSUHoIxqAKZ32yruN54k5E1z/hcsufDdqRtvkHPrs4
xRb32wppRiZDEfccvoWgB/ogy+cFBuuvh58FFFli017Hc3/fVtCIaX6FyPropCuM
toxpKaQXgZrKylYyDv4R13V3CEI4WOgbIk1zWqCju3IJndtWmw90RWyJAoGBAK+r
YsEwPqlbQ0EGqRfSgTxsildSaU6HKpAMVKUTfv9qiwXPShomM37gWdTqF6CtOwX9
rpzN9EuvrDc8LLQ8hUWIONwYC4bkR/X9SA1hMPq4PUILdpqB9fu1/wi7cAOWff35
7RgR5J5zT1pL5V17iU4r3ChIy3+i8g2j8MyxYXL5AoGBAMNaJPmVe3URBmRSBWcY
2zIIxzU2hjX83uL87hq6CmrrrD6cYevAYWuhOxBx6+ADDWisMM9iSC/kBSS114q2
615UFXwdZF0kQ5ql9Iv6dV23ZNndu8IF39BXmwRkmDEFUxDJeTbh1cfrJzzIqT4L
aRFYK5FIZLuIZVJuJNy6QXb8
-----END PRIVATE KEY-----
`

// routes are the fake's handlers (fake.Spec.Paths).
var routes = []fake.Route{
	{Endpoint: fake.Code2Session, Pattern: "POST /api/apps/v2/jscode2session", Handler: ttCode2Session},
	{Endpoint: fake.Token, Pattern: "POST /api/apps/v2/token", Handler: ttToken},
	{Endpoint: fake.PhoneNumber, Pattern: "POST /api/apps/v1/get_phonenumber_info/", Handler: ttPhoneNumber},
	{Endpoint: fake.CheckSession, Pattern: "GET /mgplatform/api/apps/check_session_key", Handler: ttCheckSession},
	{Endpoint: fake.ResetKey, Pattern: "POST /mgplatform/api/apps/reset_session_key", Handler: ttReset},
}

// faultBody is the fake's Faults (fake.Platform's FaultBody) with Douyin's own answers, in each
// host's vocabulary.
func faultBody(ep fake.Endpoint, kind fake.FaultKind) any {
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
	case q.Get("sig_method") != fake.SigMethod:
		answer(28001038, "invalid sig_method")
	case !fake.LoginStateOK(u.Key, q.Get("signature")):
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
	case req.SigMethod != fake.SigMethod:
		answer(28001038, "invalid sig_method")
		return
	case !fake.LoginStateOK(u.Key, req.Signature):
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

// ttPhoneNumber serves POST /api/apps/v1/get_phonenumber_info/ (header
// access-token, body {"code"}): data is the phone number's JSON with a
// watermark, RSA-encrypted (PKCS#1 v1.5, in blocks) to the app's public
// key, in base64.
func ttPhoneNumber(w http.ResponseWriter, r *http.Request, st *fake.State) {
	answer := func(no int, msg string) {
		fake.WriteJSON(w, struct {
			ErrNo   int    `json:"err_no"`
			ErrTips string `json:"err_tips"`
			LogID   string `json:"log_id"`
		}{no, msg, fake.RandomHex(8)})
	}
	if valid, _ := st.TokenState(r.Header.Get("access-token")); !valid {
		answer(28001003, "invalid access_token")
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if !fake.ReadJSON(r, &req) || req.Code == "" {
		answer(28001001, "invalid params")
		return
	}
	phone, res := st.RedeemPhone(req.Code)
	if res != fake.CodeOK {
		answer(28005187, "code expired or used")
		return
	}
	plain, _ := json.Marshal(map[string]any{"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
		"watermark": map[string]any{"appid": st.App().ID, "timestamp": st.Now().Unix()}})
	pub, err := publicKey(st.App().PrivateKey)
	if err != nil {
		answer(28001001, "the app has no phone-number key")
		return
	}
	var out []byte
	for chunk := pub.Size() - 11; len(plain) > 0; {
		n := min(chunk, len(plain))
		ct, err := rsa.EncryptPKCS1v15(rand.Reader, pub, plain[:n])
		if err != nil {
			answer(-1, "system error")
			return
		}
		out, plain = append(out, ct...), plain[n:]
	}
	fake.WriteJSON(w, struct {
		ErrNo   int    `json:"err_no"`
		ErrTips string `json:"err_tips"`
		LogID   string `json:"log_id"`
		Data    string `json:"data"`
	}{0, "success", fake.RandomHex(8), base64.StdEncoding.EncodeToString(out)})
}

// publicKey is the public half of a PEM private key (PKCS#8 or PKCS#1).
func publicKey(privatePEM string) (*rsa.PublicKey, error) {
	k, err := driverkit.ParseRSAPrivateKey(privatePEM)
	if err != nil {
		return nil, errNoKey
	}
	return &k.PublicKey, nil
}

var errNoKey = errors.New("ttfake: the app has no RSA private key")
