// Package tt is the Douyin / Toutiao mini-program driver.
//
// It speaks developer.toutiao.com for code to session (POST
// /api/apps/v2/jscode2session, with code and/or anonymous_code) and access
// tokens (POST /api/apps/v2/token).
//
// Mini-apps and mini-games: Douyin documents a server-side session check
// (GET minigame.zijieapi.com/mgplatform/api/apps/check_session_key, signed
// with hex(HMAC-SHA256(session_key, ""))) for mini-games only; the mini-app
// server login docs list only code2Session and getPhoneNumber. Taro's tt
// target builds mini-apps, so by default the driver offers no server-side
// check and the portable layer answers CheckSession from its session store,
// as on qq and swan. Config.MiniGame selects the documented mini-game check.
//
// Anonymous logins: code2session with only anonymous_code answers an
// anonymous_openid and no session_key ("如果请求时有 code 参数才会返回"), so
// such a login has no session to check or use.
//
// Success is only an explicit err_no of 0; any other answer without a
// platform error code is "not understood" (Unavailable), never a success.
//
// Docs: https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/basic-abilities/log-in/code-2-session,
// https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/server/interface-request-credential/non-user-authorization/get-access-token,
// https://developer.open-douyin.com/docs/resource/zh-CN/mini-game/develop/server/log-in/check-session-key,
// https://developer.open-douyin.com/docs/resource/zh-CN/mini-game/develop/server/log-in/reset-session-key,
// https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/tutorial/basic-ability/sensitive-data-process
package tt

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver. Formatting a Config redacts the secret.
type Config struct {
	AppID  string
	Secret string
	// BaseURL, when set, replaces both of Douyin's hosts.
	BaseURL string
	// MiniGame selects the mini-game session check (check_session_key),
	// which Douyin documents for mini-games only. When false (a mini-app,
	// what Taro builds) CheckSession is answered from the session store.
	MiniGame bool
	// PhonePrivateKey is the app's RSA private key (PEM, PKCS#1 or
	// PKCS#8) whose public half is configured in Douyin's console for
	// phone numbers: GetPhoneNumber by code needs it, and is offered only
	// when it is set. It is a secret: never printed.
	PhonePrivateKey string
	// HTTPClient sends the requests; nil means a client with a 15s timeout.
	HTTPClient *http.Client
}

// describe is the config with the secret redacted.
func (c Config) describe() string { return driverkit.ConfigString("tt", c.AppID, c.Secret, c.BaseURL) }

// MarshalJSON writes the config with the secret redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	return driverkit.ConfigJSON(c.AppID, c.Secret, c.BaseURL, "MiniGame", c.MiniGame, "PhonePrivateKey", driver.Secret(c.PhonePrivateKey))
}

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (c Config) Format(f fmt.State, verb rune) { driverkit.FormatRedacted(f, verb, c.describe()) }

// Driver is the Douyin driver. It is safe for concurrent use.
type Driver struct {
	hc                                  *http.Client // cfg.HTTPClient through driverkit.NoRedirect
	cfg                                 Config
	code2sessionURL, tokenURL, checkURL string
	resetURL, phoneURL                  string
	tokenBody                           []byte
	phoneKey                            *rsa.PrivateKey // nil without Config.PhonePrivateKey
}

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) {
	base, err := driverkit.ConfigBase("tt", cfg.AppID, cfg.Secret, cfg.BaseURL, "")
	if err != nil {
		return nil, err
	}
	apps, mg, open := DefaultAppsBaseURL, DefaultMinigameBaseURL, DefaultOpenBaseURL
	if base != "" {
		apps, mg, open = base, base, base
	}
	d := &Driver{hc: driverkit.NoRedirect(cfg.HTTPClient), cfg: cfg,
		code2sessionURL: driverkit.JoinURL(apps, "/api/apps/v2/jscode2session"),
		tokenURL:        driverkit.JoinURL(apps, "/api/apps/v2/token"),
		checkURL:        driverkit.JoinURL(mg, "/mgplatform/api/apps/check_session_key"),
		resetURL:        driverkit.JoinURL(mg, "/mgplatform/api/apps/reset_session_key"),
		phoneURL:        driverkit.JoinURL(open, "/api/apps/v1/get_phonenumber_info/"),
	}
	if cfg.PhonePrivateKey != "" {
		k, err := driverkit.ParseRSAPrivateKey(cfg.PhonePrivateKey)
		if err != nil {
			return nil, driver.Errorf(driver.CodeInvalidArgument, "tt: Config.PhonePrivateKey: %v", err)
		}
		d.phoneKey = k
	}
	d.tokenBody, _ = json.Marshal(tokenRequest{AppID: cfg.AppID, Secret: cfg.Secret, GrantType: "client_credential"})
	return d, nil
}

// Platform implements driver.Driver.
func (d *Driver) Platform() driver.Platform { return Platform }

// Supports implements driver.CapabilityLimiter: the server-side session
// check and the key reset are offered only to mini-games (Config.MiniGame),
// and phone numbers by code only with Config.PhonePrivateKey.
func (d *Driver) Supports(c driver.Capability) bool {
	switch c {
	case driver.CapSessionChecker, driver.CapSessionResetter:
		return d.cfg.MiniGame
	case driver.CapPhoneNumber:
		return d.phoneKey != nil
	}
	return true
}

// AppID implements driver.Driver.
func (d *Driver) AppID() string { return d.cfg.AppID }

type tokenRequest struct {
	AppID     string `json:"appid"`
	Secret    string `json:"secret"`
	GrantType string `json:"grant_type"`
}

type code2SessionRequest struct {
	AppID         string `json:"appid"`
	Secret        string `json:"secret"`
	Code          string `json:"code,omitempty"`
	AnonymousCode string `json:"anonymous_code,omitempty"`
}

// appsError is the developer.toutiao.com v2 answer frame.
type appsError struct {
	ErrNo   driverkit.Status `json:"err_no"`
	ErrTips string           `json:"err_tips"`
}

// checkResponse is the minigame.zijieapi.com answer.
type checkResponse struct {
	ErrNo  driverkit.Status `json:"err_no"`
	ErrMsg string           `json:"err_msg"`
	LogID  string           `json:"log_id"`
}

func classify(ep string, no driverkit.Code) driver.Code {
	switch no {
	case "-1", "28001005", "28001006":
		return driver.CodeUnavailable
	case "28003017", "28003018":
		return driver.CodeRateLimited
	case "40015", "40017":
		return driver.CodeCredentials
	case "40020", "28001038":
		return driver.CodeInvalidArgument // grant_type / sig_method not accepted: a malformed request
	case "28001016":
		return driver.CodePermissionDenied
	}
	switch ep {
	case "code2session":
		switch no {
		case "40018", "40019":
			return driver.CodeInvalidCode
		case "40014":
			return driver.CodeInvalidArgument
		}
	case "phone":
		switch no {
		case "28005187":
			return driver.CodeInvalidCode // an expired or used code (the code is not confirmed)
		case "28001003", "28001008":
			return driver.CodeTokenInvalid
		}
	case "checksession", "reset":
		switch no {
		case "28001003", "28001008":
			return driver.CodeTokenInvalid
		case "28001039":
			return driver.CodeSessionInvalid // the signature does not match the user's current key
		case "28001004":
			return driver.CodeSessionInvalid // unknown openid: no session can be valid
		}
	}
	return driver.CodeUnknown
}

// platformErr returns nil only for an explicit err_no of 0 (under that
// exact name in b).
func platformErr(ep string, b []byte, no driverkit.Status, msg string) error {
	switch {
	case no.Zero && driverkit.ParseObject(b).IsZero("err_no"):
		return nil
	case no.Failed():
		return driver.PlatformError(classify(ep, no.Code), string(no.Code), msg)
	}
	return driverkit.NotUnderstood("err_no is not 0")
}

// Code2Session implements driver.Authenticator. Either code may be empty,
// not both.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	body, _ := json.Marshal(code2SessionRequest{AppID: d.cfg.AppID, Secret: d.cfg.Secret, Code: req.Code, AnonymousCode: req.AnonymousCode})
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.code2sessionURL, Body: body, ContentType: "application/json", Secrets: []string{d.cfg.Secret}},
		func(b []byte) (driver.LoginResponse, error) { return parseCode2Session(b, req.Code != "") })
}

// parseCode2Session reads a /api/apps/v2/jscode2session answer. withCode
// says whether the request carried a code: only then does Douyin answer an
// openid and a session_key; an anonymous-only login yields an
// anonymous_openid and no key (any key in such an answer is dropped).
func parseCode2Session(b []byte, withCode bool) (driver.LoginResponse, error) {
	var resp struct {
		appsError
		Data struct {
			SessionKey      string `json:"session_key"`
			OpenID          string `json:"openid"`
			AnonymousOpenID string `json:"anonymous_openid"`
			UnionID         string `json:"unionid"`
		} `json:"data"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := platformErr("code2session", b, resp.ErrNo, resp.ErrTips); err != nil {
		return driver.LoginResponse{}, err
	}
	data := driverkit.ParseObject(b).Get("data")
	if !withCode {
		if !data.Confirm("anonymous_openid", resp.Data.AnonymousOpenID) {
			return driver.LoginResponse{}, driverkit.NotUnderstood("no anonymous_openid")
		}
		return driver.LoginResponse{AnonymousOpenID: resp.Data.AnonymousOpenID}, nil
	}
	if !data.Confirm("openid", resp.Data.OpenID) || !data.Confirm("session_key", resp.Data.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no openid or session_key")
	}
	return driver.LoginResponse{OpenID: resp.Data.OpenID, UnionID: resp.Data.UnionID,
		AnonymousOpenID: resp.Data.AnonymousOpenID, SessionKey: resp.Data.SessionKey}, nil
}

// FetchToken implements driver.TokenFetcher.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.tokenURL, Body: d.tokenBody, ContentType: "application/json", Secrets: []string{d.cfg.Secret}}, parseToken)
}

// parseToken reads a /api/apps/v2/token answer.
func parseToken(b []byte) (driver.Token, error) {
	var resp appsError
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.Token{}, err
	}
	if err := platformErr("token", b, resp.ErrNo, resp.ErrTips); err != nil {
		return driver.Token{}, err
	}
	return driverkit.ParseObject(b).Get("data").Token("access_token", "expires_in")
}

// CheckSession implements driver.SessionChecker with the mini-game check
// (offered only when Config.MiniGame is set; see Supports).
func (d *Driver) CheckSession(ctx context.Context, req driver.CheckRequest) error {
	if !d.cfg.MiniGame {
		return driver.Errorf(driver.CodeNotSupported, "tt: Douyin documents no server-side session check for mini-apps (set Config.MiniGame for mini-games)")
	}
	u, sig := driverkit.SignedUserURL(d.checkURL, req.AccessToken, req.OpenID, req.SessionKey)
	return driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodGet, URL: u, ContentType: "application/json",
		Secrets: []string{d.cfg.Secret, req.AccessToken, sig, req.SessionKey}}, parseCheck)
}

// parseCheck reads a check_session_key answer.
func parseCheck(b []byte) error {
	var resp checkResponse
	if err := driverkit.Decode(b, &resp); err != nil {
		return err
	}
	return platformErr("checksession", b, resp.ErrNo, resp.ErrMsg)
}

// ResetSession implements driver.SessionResetter with the mini-game POST
// reset_session_key, JSON {access_token, openid, signature, sig_method},
// signed over the empty string as the check is (Douyin's check and reset
// examples carry the same signature).
func (d *Driver) ResetSession(ctx context.Context, req driver.ResetRequest) (driver.LoginResponse, error) {
	if !d.cfg.MiniGame {
		return driver.LoginResponse{}, driver.Errorf(driver.CodeNotSupported, "tt: Douyin documents reset_session_key for mini-games only (set Config.MiniGame)")
	}
	sig := driverkit.SignLoginState(req.SessionKey, "")
	body, _ := json.Marshal(struct {
		AccessToken string `json:"access_token"`
		OpenID      string `json:"openid"`
		Signature   string `json:"signature"`
		SigMethod   string `json:"sig_method"`
	}{req.AccessToken, req.OpenID, sig, driverkit.SigMethod})
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.resetURL, Body: body, ContentType: "application/json",
		Secrets: []string{d.cfg.Secret, req.AccessToken, sig, req.SessionKey}}, parseReset)
}

// parseReset reads a reset_session_key answer: {err_no:0, openid,
// session_key}.
func parseReset(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		checkResponse
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := platformErr("reset", b, resp.ErrNo, resp.ErrMsg); err != nil {
		return driver.LoginResponse{}, err
	}
	if o := driverkit.ParseObject(b); !o.Confirm("openid", resp.OpenID) || !o.Confirm("session_key", resp.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no openid or session_key")
	}
	return driver.LoginResponse{OpenID: resp.OpenID, SessionKey: resp.SessionKey}, nil
}

// Decrypt implements driver.Decrypter with WeChat's scheme, which Douyin
// uses: AES-128-CBC; a watermark, when the data carries one, must name this
// app.
func (d *Driver) Decrypt(req driver.DecryptRequest) ([]byte, error) {
	return driverkit.OpenWeChat(req.SessionKey, req.IV, req.EncryptedData, d.cfg.AppID, driverkit.WatermarkIfPresent)
}

// VerifyRawData implements driver.RawDataVerifier (hex(sha1(rawData +
// session_key))).
func (d *Driver) VerifyRawData(sessionKey, rawData, signature string) error {
	return driverkit.VerifyRawData(rawData, sessionKey, signature)
}

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (d *Driver) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "tt.Driver{"+d.cfg.describe()+"}")
}
