// Package xhs is the Xiaohongshu (RED) mini-program driver (Taro's "xhs"
// target, through taro-plugin-platform-xhs).
//
// It speaks miniapp.xiaohongshu.com: the app's access token with POST
// /api/rmp/token (JSON {appid, secret} → {success, code, msg, data:
// {access_token, expire_in}}; a new token shortens the previous one to five
// minutes), and code to session with GET /api/rmp/session?app_id&
// access_token&code (→ data {openid, session_key}). Every answer is the
// envelope {success, code, msg, data}: success only on an explicit
// "success":true with code 0. The code exchange takes the app's access
// token, so the driver is a driver.TokenLogin: the portable layer passes
// its managed token and, on 410101 (a stale token), drops it and exchanges
// the code once more with a new one.
//
// Xiaohongshu documents no server-side session check: the portable layer
// answers CheckSession from its session store. Decrypt opens client data
// with AES-CBC under the session key (WeChat's scheme; the iv's missing
// base64 padding is restored; a watermark, when present, must name the
// app). rawData signatures are not confirmed for Xiaohongshu, so the
// driver is no driver.RawDataVerifier.
//
// What is confirmed, and how. The official pages (miniapp.xiaohongshu.com/
// docs) could not be read; the shapes come from public clients, and the
// codes from maintainers' answers on Xiaohongshu's own issue tracker
// (redengineer/redmini): 410101 app access token mismatch (refetch once),
// 410002 app invalid and 410004 secret mismatch (Credentials), 410103 a
// code not bound to the app (InvalidCode), 2 a system error (Unavailable,
// retried), and the five-minute overlap of tokens (redmini#491). The
// session query names its app "app_id" in clients and "appid" in issue
// URLs; the driver sends app_id. Some code reads data.open_id: the driver
// reads openid, then open_id. Any other code is Unknown; the code of a
// used or expired login code is not confirmed (it is Unknown, not
// InvalidCode, until it is).
package xhs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver: AppID and Secret are required; BaseURL
// replaces DefaultBaseURL (for the sandbox or a proxy). Formatting a
// Config redacts the secret.
type Config = driverkit.AppConfig

// Driver is the Xiaohongshu driver. It is safe for concurrent use.
type Driver struct {
	driverkit.AppDriver
	tokenBody []byte // the token request, built once
}

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) {
	body, _ := json.Marshal(struct {
		AppID  string `json:"appid"`
		Secret string `json:"secret"`
	}{cfg.AppID, cfg.Secret})
	return driverkit.Build(site, cfg, func(a driverkit.AppDriver) *Driver { return &Driver{a, body} })
}

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/api/rmp/session", Token: "/api/rmp/token", TokenLogin: true, Native: FromNative}

// envelope is every answer's frame.
type envelope struct {
	Success bool             `json:"success"`
	Code    driverkit.Status `json:"code"`
	Msg     string           `json:"msg"`
}

// classify maps a failure code.
func classify(code driverkit.Code) driver.Code {
	switch code {
	case "410101":
		return driver.CodeTokenInvalid // the app access token does not match: refetch once
	case "410002", "410004":
		return driver.CodeCredentials // app invalid; secret mismatch
	case "410103":
		return driver.CodeInvalidCode // the code is not bound to this app
	case "2":
		return driver.CodeUnavailable // system error: retried
	}
	return driver.CodeUnknown
}

// err returns nil only for an explicit "success":true with code 0 (or no
// code), under those exact names.
func (e envelope) err(b []byte) error {
	if e.Code.Failed() {
		return driver.PlatformError(classify(e.Code.Code), string(e.Code.Code), e.Msg)
	}
	o := driverkit.ParseObject(b)
	if !e.Success || !o.IsTrue("success") || (e.Code.Set && !e.Code.Zero) {
		return driverkit.NotUnderstood(`no "success":true with code 0`)
	}
	return nil
}

// Code2Session implements driver.Authenticator with GET /api/rmp/session.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if err := d.CheckLogin(req); err != nil {
		return driver.LoginResponse{}, err
	}
	q := url.Values{"app_id": {d.AppID()}, "access_token": {req.AccessToken}, "code": {req.Code}}
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodGet, URL: d.LoginURL() + "?" + q.Encode(),
		Secrets: []string{string(d.Secret()), req.AccessToken}}, parseCode2Session)
}

// parseCode2Session reads a /api/rmp/session answer.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		envelope
		Data struct {
			OpenID     string `json:"openid"`
			OpenIDAlt  string `json:"open_id"`
			SessionKey string `json:"session_key"`
		} `json:"data"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := resp.err(b); err != nil {
		return driver.LoginResponse{}, err
	}
	data := driverkit.ParseObject(b).Get("data")
	openid, field := resp.Data.OpenID, "openid"
	if openid == "" {
		openid, field = resp.Data.OpenIDAlt, "open_id"
	}
	if !data.Confirm(field, openid) || !data.Confirm("session_key", resp.Data.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no data.openid (or open_id) or data.session_key")
	}
	return driver.LoginResponse{OpenID: openid, SessionKey: resp.Data.SessionKey}, nil
}

// FetchToken implements driver.TokenFetcher with POST /api/rmp/token.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodPost, URL: d.TokenURL(), Body: d.tokenBody,
		ContentType: "application/json", Secrets: []string{string(d.Secret())}}, parseToken)
}

// parseToken reads a /api/rmp/token answer.
func parseToken(b []byte) (driver.Token, error) {
	var resp envelope
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.Token{}, err
	}
	if err := resp.err(b); err != nil {
		return driver.Token{}, err
	}
	return driverkit.ParseObject(b).Get("data").Token("access_token", "expire_in")
}

// Decrypt implements driver.Decrypter: AES-CBC with the session key, the
// iv's base64 padding restored; a watermark, when present, must name the
// app.
func (d *Driver) Decrypt(req driver.DecryptRequest) ([]byte, error) {
	iv := req.IV
	if n := len(iv) % 4; n != 0 && !strings.ContainsRune(iv, '=') {
		iv += strings.Repeat("=", 4-n)
	}
	return driverkit.OpenWeChat(req.SessionKey, iv, req.EncryptedData, d.AppID(), driverkit.WatermarkIfPresent)
}

// FromNative normalises xhs.<api> callback objects, which only succeed or
// fail: {errMsg:"<api>:ok"} or {errMsg:"<api>:fail ..."}. It is pure: no
// driver or credentials are needed.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return driverkit.NativeOKOrFail(api, raw)
}

var (
	_ driver.Authenticator = (*Driver)(nil)
	_ driver.TokenFetcher  = (*Driver)(nil)
	_ driver.Decrypter     = (*Driver)(nil)
)
