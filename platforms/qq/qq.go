// Package qq is the QQ mini-program driver.
//
// It speaks api.q.qq.com: code to session with GET /sns/jscode2session and
// the app's access token with GET /api/getToken (for QQ's other APIs). It
// opens encryptedData and verifies rawData signatures with WeChat's scheme,
// which QQ documents as its own.
// QQ documents no server-side session check, so the driver is not a
// driver.SessionChecker: the portable layer answers CheckSession from its
// session store (valid while the session is the newest one recorded for
// the user and younger than Config.MaxSessionAge of the taro client).
//
// Docs: https://q.qq.com/wiki/develop/miniprogram/server/open_port/port_login.html,
// https://q.qq.com/wiki/develop/miniprogram/server/open_port/port_use.html,
// https://q.qq.com/wiki/develop/miniprogram/frame/open_ability/open_userinfo.html
package qq

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

// Driver is the QQ driver. It is safe for concurrent use.
type Driver struct{ driverkit.AppDriver }

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) { return driverkit.New[Driver](site, cfg) }

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/sns/jscode2session", Token: "/api/getToken", Native: FromNative}

// api is QQ's server API as one of the WeChat family: its name and codes.
var api = driverkit.WeChatAPI{Platform: Platform, Classify: func(_ string, code driverkit.Code) driver.Code {
	switch code {
	case "-1", "-1009":
		return driver.CodeUnavailable
	case "45011":
		return driver.CodeRateLimited
	case "40029", "40163", "41008":
		return driver.CodeInvalidCode
	case "40013", "40125", "40001":
		return driver.CodeCredentials
	case "40002":
		return driver.CodeInvalidArgument // a bad grant_type: a malformed request
	}
	return driver.CodeUnknown
}}

// Code2Session implements driver.Authenticator with GET /sns/jscode2session.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	return api.Code2Session(ctx, d.Client(), d.LoginURL(), d.AppID(), string(d.Secret()), req)
}

// FetchToken implements driver.TokenFetcher with GET /api/getToken. QQ
// checks no session with it; it is the app's token for QQ's other APIs
// (taro.Client.AccessToken). A new token ends the old one after 5 minutes.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	q := url.Values{"grant_type": {"client_credential"}, "appid": {d.AppID()}, "secret": {string(d.Secret())}}
	return api.Token(ctx, d.Client(), driverkit.Request{Method: http.MethodGet, URL: d.TokenURL() + "?" + q.Encode(), Secrets: []string{string(d.Secret())}})
}

// Decrypt implements driver.Decrypter with WeChat's scheme, which QQ
// shares: AES-128-CBC, and the watermark must name this app.
func (d *Driver) Decrypt(req driver.DecryptRequest) ([]byte, error) {
	return driverkit.OpenWeChat(req.SessionKey, req.IV, req.EncryptedData, d.AppID(), driverkit.WatermarkRequired)
}

// VerifyRawData implements driver.RawDataVerifier (hex(sha1(rawData +
// session_key)), as WeChat).
func (d *Driver) VerifyRawData(sessionKey, rawData, signature string) error {
	return driverkit.VerifyRawData(rawData, sessionKey, signature)
}

// FromNative normalises qq.<api> callback objects, which only succeed or
// fail: {errMsg:"<api>:ok"} or {errMsg:"<api>:fail ..."}. It is pure: no
// driver or credentials are needed.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return driverkit.NativeOKOrFail(api, raw)
}
