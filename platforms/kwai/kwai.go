// Package kwai is the Kuaishou mini-program driver (Taro's "kwai" target,
// the host object ks).
//
// It speaks open.kuaishou.com: code to session with POST
// /oauth2/mp/code2session (form app_id, app_secret, js_code →
// {result, error_msg, open_id, session_key}; result 1 is success) and the
// app's access token with POST /oauth2/access_token (form app_id,
// app_secret, grant_type=client_credentials → {result:1, access_token,
// expires_in, token_type:"bearer"}, 48 hours; a new token does not end the
// old one). Kuaishou documents no server-side session check, so the driver
// is not a driver.SessionChecker: the portable layer answers CheckSession
// from its session store, as for QQ and Baidu. It opens encryptedData and
// verifies rawData signatures with WeChat's scheme (AES-128-CBC; a
// watermark, when present, must name the app; hex(sha1(rawData +
// session_key))).
//
// It is written as a driver outside this module would be: it imports only
// the public packages taro/driver and taro/driverkit.
//
// What is confirmed, and how. The result codes are Kuaishou's
// open-platform table (the KwaiOpenResultCode enum of Kuaishou's Java
// SDK; the mini-program token page uses the same 1002001xx codes):
// 100200100 parameter error, 100200103 unsupported response type and
// 100200104 unsupported grant type, 100200107 invalid openid
// (InvalidArgument); 100200101 app credentials rejected and 100200102
// request refused (Credentials); 100200105 invalid code (InvalidCode);
// 100200108 expired token (TokenInvalid); 100200500 server error
// (Unavailable, retried). Any other result is Unknown, never InvalidCode,
// so that an outage never sends users to log in again. Several
// independent open-source SDKs agree on the endpoints and hosts, the form
// fields, the answer fields (open_id, session_key, result, error_msg;
// access_token, expires_in, token_type), result == 1 as the success
// marker, the 48-hour token that does not end its predecessor, and the
// crypto (the same as WeChat's). The id field has been renamed before
// (code-lives/Pays#19): open_id is read, then openid. Not confirmed: no
// source has a rate-limit code for these endpoints (a gateway's HTTP 429
// is a rate limit, as on every platform, and the sandbox's fake answers a
// rate limit that way); the SDKs disagree on whether code2session takes
// its fields in the query or the body, and the driver sends a form body
// (the fake accepts both).
//
// Client side, ks.checkSession calls back {errMsg:"checkSession:ok"} or
// {errMsg:"checkSession:fail …"}.
package kwai

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver: AppID and Secret are required; BaseURL
// replaces DefaultBaseURL (for the sandbox or a proxy). Formatting a
// Config redacts the secret.
type Config = driverkit.AppConfig

// Driver is the Kuaishou driver. It is safe for concurrent use.
type Driver struct{ driverkit.AppDriver }

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) { return driverkit.New[Driver](site, cfg) }

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/oauth2/mp/code2session", Token: "/oauth2/access_token", Native: FromNative}

// frame is every answer's success marker and message.
type frame struct {
	Result   driverkit.Status `json:"result"`
	ErrorMsg string           `json:"error_msg"`
}

// classify maps a failure result, by Kuaishou's open-platform table (the
// KwaiOpenResultCode enum of its Java SDK). An unknown result is Unknown,
// never InvalidCode: an outage must not send users to log in again.
func classify(result driverkit.Code) driver.Code {
	switch result {
	case "100200100", "100200103", "100200104", "100200107":
		return driver.CodeInvalidArgument // parameters, response type, grant type, openid
	case "100200101", "100200102":
		return driver.CodeCredentials // app_id or app_secret rejected; request refused
	case "100200105":
		return driver.CodeInvalidCode
	case "100200108":
		return driver.CodeTokenInvalid
	case "100200500":
		return driver.CodeUnavailable // a server error: retried
	}
	return driver.CodeUnknown
}

// err returns nil only for an explicit "result":1 (under that exact name).
func (f frame) err(ep string, b []byte) error {
	raw := string(f.Result.Code)
	switch {
	case raw == "1" && isOne(driverkit.ParseObject(b)):
		return nil
	case f.Result.Code != "" && raw != "1":
		return driver.PlatformError(classify(f.Result.Code), raw, f.ErrorMsg)
	}
	return driverkit.NotUnderstood("no result 1")
}

// isOne reports whether the answer's "result" (under that exact name) is
// the JSON number 1.
func isOne(o driverkit.Object) bool {
	n, ok := o.Positive("result")
	return ok && n == 1
}

// Code2Session implements driver.Authenticator.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if err := d.CheckLogin(req); err != nil {
		return driver.LoginResponse{}, err
	}
	form := url.Values{"app_id": {d.AppID()}, "app_secret": {string(d.Secret())}, "js_code": {req.Code}}
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodPost, URL: d.LoginURL(), Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", Secrets: []string{string(d.Secret())}}, parseCode2Session)
}

// parseCode2Session reads a /oauth2/mp/code2session answer.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		frame
		OpenID     string `json:"open_id"`
		OpenIDOld  string `json:"openid"` // the field has been renamed before
		SessionKey string `json:"session_key"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := resp.err("code2session", b); err != nil {
		return driver.LoginResponse{}, err
	}
	o := driverkit.ParseObject(b)
	openid, field := resp.OpenID, "open_id"
	if openid == "" {
		openid, field = resp.OpenIDOld, "openid"
	}
	if !o.Confirm(field, openid) || !o.Confirm("session_key", resp.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no open_id (or openid) or session_key")
	}
	return driver.LoginResponse{OpenID: openid, SessionKey: resp.SessionKey}, nil
}

// FetchToken implements driver.TokenFetcher with POST /oauth2/access_token
// (for Kuaishou's other APIs: taro.Client.AccessToken).
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	form := url.Values{"app_id": {d.AppID()}, "app_secret": {string(d.Secret())}, "grant_type": {"client_credentials"}}
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodPost, URL: d.TokenURL(), Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", Secrets: []string{string(d.Secret())}}, parseToken)
}

// parseToken reads an /oauth2/access_token answer.
func parseToken(b []byte) (driver.Token, error) {
	var resp frame
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.Token{}, err
	}
	if err := resp.err("token", b); err != nil {
		return driver.Token{}, err
	}
	return driverkit.ParseObject(b).Token("access_token", "expires_in")
}

// Decrypt implements driver.Decrypter with WeChat's scheme; a watermark,
// when the data carries one, must name this app.
func (d *Driver) Decrypt(req driver.DecryptRequest) ([]byte, error) {
	return driverkit.OpenWeChat(req.SessionKey, req.IV, req.EncryptedData, d.AppID(), driverkit.WatermarkIfPresent)
}

// VerifyRawData implements driver.RawDataVerifier (hex(sha1(rawData +
// session_key))).
func (d *Driver) VerifyRawData(sessionKey, rawData, signature string) error {
	return driverkit.VerifyRawData(rawData, sessionKey, signature)
}

// FromNative normalises ks.<api> callback objects, which only succeed or
// fail: {errMsg:"<api>:ok"} or {errMsg:"<api>:fail …"}. It is pure.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return driverkit.NativeOKOrFail(api, raw)
}
