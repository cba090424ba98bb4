// Package swanfake is the fake of Baidu (spapi.baidu.com, openapi.baidu.com) for package sandbox: its
// real paths, JSON shapes and error codes over the sandbox's
// platform-neutral state. sandbox.NewServer serves it by default under
// /swan.
package swanfake

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// New returns the fake, a fake.Platform: codes live ten minutes;
// keys are 32 base64 characters (24 bytes, an AES-192 key), as Baidu's;
// client data is sealed with AES-192-CBC and Baidu's prefix, length and app-
// key suffix.
func New() *fake.Spec {
	return &fake.Spec{Platform: "swan", AppFields: []string{"client_id"}, App: fake.App{ID: "swan-sandbox-appkey", Secret: "swan-sandbox-secret"}, CodeLife: 10 * time.Minute, KeyBytes: 24,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{}, Seal: sealBaidu, Markers: map[fake.Endpoint]string{fake.Code2Session: "session_key"}, Paths: routes, Faults: faultBody}
}

// routes are the fake's handlers (fake.Spec.Paths).
var routes = []fake.Route{
	// spapi.baidu.com: POST form; the official SDK sends a GET query.
	{Endpoint: fake.Code2Session, Pattern: "POST /oauth/jscode2sessionkey", Handler: swanCode2Session},
	{Endpoint: fake.Code2Session, Pattern: "GET /oauth/jscode2sessionkey", Handler: swanCode2Session},
	// openapi.baidu.com: the OAuth token (GET, or POST as a form) and the
	// legacy mini-game login (seed 003).
	{Endpoint: fake.Token, Pattern: "GET /oauth/2.0/token", Handler: swanToken},
	{Endpoint: fake.Token, Pattern: "POST /oauth/2.0/token", Handler: swanToken},
	{Endpoint: fake.Code2Session, Pattern: "POST /nalogin/getSessionKeyByCode", Handler: swanLegacyCode2Session},
	{Endpoint: fake.Code2Session, Pattern: "GET /nalogin/getSessionKeyByCode", Handler: swanLegacyCode2Session},
	// openapi.baidu.com: getSessionKey v2, gated by the access token, with
	// access_token and code in the query (the official SDKs POST them so,
	// with a form content type; other clients GET).
	{Endpoint: fake.Code2Session, Pattern: "POST /rest/2.0/smartapp/getsessionkey", Handler: swanSessionKeyV2},
	{Endpoint: fake.Code2Session, Pattern: "GET /rest/2.0/smartapp/getsessionkey", Handler: swanSessionKeyV2},
}

// v2Answer is getSessionKey v2's envelope.
type v2Answer struct {
	Errno     int    `json:"errno"`
	Msg       string `json:"msg"`
	RequestID string `json:"request_id"`
	Timestamp int64  `json:"timestamp"`
	Data      any    `json:"data,omitempty"`
}

// swanSessionKeyV2 serves rest/2.0/smartapp/getsessionkey: the app's
// access token and the code in the query (or a form); the answer's
// {errno, msg, request_id, timestamp, data:{open_id, session_key}} (open_id,
// not openid); a bad or expired token is the open-API pair error_code
// 110 or 111, a rejected code a non-zero errno.
func swanSessionKeyV2(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if err := r.ParseForm(); err != nil {
		fake.WriteJSON(w, v2Answer{Errno: 400, Msg: "malformed request", RequestID: fake.RandomHex(8), Timestamp: st.Now().Unix()})
		return
	}
	switch valid, expired := st.TokenState(r.Form.Get("access_token")); {
	case expired:
		fake.WriteJSON(w, baiduAPIError{111, "Access token expired"})
		return
	case !valid:
		fake.WriteJSON(w, baiduAPIError{110, "Access token invalid or no longer valid"})
		return
	}
	code := r.Form.Get("code")
	if code == "" {
		fake.WriteJSON(w, v2Answer{Errno: 400, Msg: "param code is required", RequestID: fake.RandomHex(8), Timestamp: st.Now().Unix()})
		return
	}
	openid, cerr := st.Redeem(code, false)
	if cerr != fake.CodeOK {
		fake.WriteJSON(w, v2Answer{Errno: 40001, Msg: "invalid code", RequestID: fake.RandomHex(8), Timestamp: st.Now().Unix()})
		return
	}
	fake.WriteJSON(w, v2Answer{Msg: "success", RequestID: fake.RandomHex(8), Timestamp: st.Now().Unix(), Data: struct {
		OpenID     string `json:"open_id"`
		SessionKey string `json:"session_key"`
	}{openid, key(st, openid)}})
}

// faultBody is the fake's Faults (fake.Platform's FaultBody) with Baidu's general open-API
// error vocabulary.
func faultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	if kind == fake.Busy {
		return baiduAPIError{2, "Service temporarily unavailable"}
	}
	return baiduAPIError{18, "Open api qps request limit reached"}
}

// key returns a user's current session key.
func key(st *fake.State, openid string) string {
	u, _ := st.User(openid)
	return u.Key
}

// swanToken serves openapi.baidu.com/oauth/2.0/token (client
// credentials); OAuth errors come with HTTP 400 and tokens last 30 days.
func swanToken(w http.ResponseWriter, r *http.Request, st *fake.State) {
	fail := func(e oauthError) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(e)
	}
	if err := r.ParseForm(); err != nil {
		fail(oauthError{"invalid_request", "malformed request"})
		return
	}
	switch {
	case r.Form.Get("grant_type") != "client_credentials":
		fail(oauthError{"unsupported_grant_type", "The authorization grant type is not supported"})
		return
	case r.Form.Get("client_id") != st.App().ID || r.Form.Get("client_secret") != st.App().Secret:
		fail(oauthError{"invalid_client", "unknown client id or secret"})
		return
	}
	tok, ttl := st.MintToken()
	fake.WriteJSON(w, struct {
		AccessToken  string `json:"access_token"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
	}{tok, int(ttl / time.Second), fake.RandomHex(16), "smartapp_snsapi_base"})
}

type baiduAPIError struct {
	ErrorCode int    `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// spapiError is spapi's own failure shape (Baidu's example answer):
// errno is the code and "error" a description; every failure carries a
// non-zero errno, which is what Baidu's official SDK reads.
type spapiError struct {
	Errno            int    `json:"errno"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// oauthError is openapi.baidu.com's OAuth failure shape.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// The sandbox's spapi errno values. 10010100 (parameter validation) is
// Baidu's documented example; Baidu publishes no errno for a rejected code
// or client, so those answers carry these two with the OAuth error code in
// "error" (which Baidu's login doc lists as the error field's vocabulary).
const (
	spapiErrParam  = 10010100
	spapiErrGrant  = 10010101
	spapiErrClient = 10010102
)

// swanForm reads code, client_id and sk from a POST form or a GET query
// (Baidu's official SDK sends a GET with query parameters).
func swanForm(r *http.Request) (code, clientID, sk string, ok bool) {
	if err := r.ParseForm(); err != nil {
		return "", "", "", false
	}
	return r.Form.Get("code"), r.Form.Get("client_id"), r.Form.Get("sk"), true
}

func swanCode2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	code, clientID, sk, ok := swanForm(r)
	switch {
	case !ok || code == "" || clientID == "" || sk == "":
		fake.WriteJSON(w, spapiError{spapiErrParam, "parameter is invalid",
			"Key: 'Code2SessionKeyParam' Error:Field validation for 'Code', 'ClientID' or 'Sk' failed on the 'required' tag"})
		return
	case clientID != st.App().ID || sk != st.App().Secret:
		fake.WriteJSON(w, spapiError{spapiErrClient, "invalid_client", "unknown client id or secret"})
		return
	}
	openid, cerr := st.Redeem(code, false)
	if cerr != fake.CodeOK {
		fake.WriteJSON(w, spapiError{spapiErrGrant, "invalid_grant", "Invalid authorization code"})
		return
	}
	fake.WriteJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{openid, key(st, openid)})
}

// swanLegacyCode2Session serves openapi.baidu.com/nalogin/getSessionKeyByCode,
// which answers OAuth errors with HTTP 400.
func swanLegacyCode2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	fail := func(e oauthError) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(e)
	}
	code, clientID, sk, ok := swanForm(r)
	switch {
	case !ok || code == "" || clientID == "" || sk == "":
		fail(oauthError{"invalid_request", "missing required parameter"})
		return
	case clientID != st.App().ID || sk != st.App().Secret:
		fail(oauthError{"invalid_client", "unknown client id or secret"})
		return
	}
	openid, cerr := st.Redeem(code, false)
	if cerr != fake.CodeOK {
		fail(oauthError{"invalid_grant", "Invalid authorization code"})
		return
	}
	fake.WriteJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{openid, key(st, openid)})
}

// sealBaidu is fake.SealBaidu as a fake.Spec.Seal (Baidu's data
// carries no time).
func sealBaidu(sessionKey, appID string, payload []byte, _ time.Time) (string, string, error) {
	return fake.SealBaidu(sessionKey, appID, payload)
}
