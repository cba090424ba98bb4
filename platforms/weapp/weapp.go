// Package weapp is the WeChat mini-program driver.
//
// It speaks api.weixin.qq.com: code to session with GET /sns/jscode2session,
// access tokens with POST /cgi-bin/stable_token (the stable token, which
// every caller of one app shares, so replicas do not invalidate each other),
// the server-side session check GET /wxa/checksession and the key reset GET
// /wxa/resetusersessionkey, both signed with hex(HMAC-SHA256(session_key,
// "")) — the key itself never leaves the process — and phone numbers by
// code with POST /wxa/business/getuserphonenumber. It opens encryptedData
// (AES-128-CBC, the watermark must name the app) and verifies rawData
// signatures (hex(sha1(rawData + session_key))) without any I/O.
//
// Docs: https://developers.weixin.qq.com/miniprogram/dev/server/API/user-login/api_code2session,
// .../api_checksessionkey, .../api_resetusersessionkey,
// https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html,
// https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html, and
// https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/access-token/auth.getStableAccessToken.html
package weapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver: AppID and Secret are required; BaseURL
// replaces DefaultBaseURL (for the sandbox or a proxy). Formatting a
// Config (fmt, slog, JSON) redacts the secret.
type Config = driverkit.AppConfig

// Driver is the WeChat driver. It is safe for concurrent use.
type Driver struct {
	hc                                  *http.Client // cfg.HTTPClient through driverkit.NoRedirect
	cfg                                 Config
	code2sessionURL, tokenURL, checkURL string
	phoneURL, resetURL, dataURL         string
	tokenBody                           []byte // the stable_token request, built once
}

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) {
	base, err := cfg.Base("weapp", DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	return build(cfg, base), nil
}

// build is a driver for cfg at base, validated.
func build(cfg Config, base string) *Driver {
	d := &Driver{hc: driverkit.NoRedirect(cfg.HTTPClient), cfg: cfg}
	d.code2sessionURL = driverkit.JoinURL(base, "/sns/jscode2session")
	d.tokenURL = driverkit.JoinURL(base, "/cgi-bin/stable_token")
	d.checkURL = driverkit.JoinURL(base, "/wxa/checksession")
	d.phoneURL = driverkit.JoinURL(base, "/wxa/business/getuserphonenumber")
	d.resetURL = driverkit.JoinURL(base, "/wxa/resetusersessionkey")
	d.dataURL = driverkit.JoinURL(base, "/wxa/business/checkencryptedmsg")
	d.tokenBody, _ = json.Marshal(struct {
		GrantType string `json:"grant_type"`
		AppID     string `json:"appid"`
		Secret    string `json:"secret"`
	}{"client_credential", cfg.AppID, cfg.Secret})
	return d
}

// Platform implements driver.Driver.
func (d *Driver) Platform() driver.Platform { return Platform }

// AppID implements driver.Driver.
func (d *Driver) AppID() string { return d.cfg.AppID }

// api is WeChat's server API: the family's frame and flows
// (driverkit.WeChatAPI) with WeChat's error-code tables, per endpoint. An
// answer is a success only when its errcode is the number 0, except the
// code exchange's and the token's, which may carry none and are recognised
// by their fields.
var api = driverkit.WeChatAPI{Platform: Platform, Classify: classify}

func classify(ep string, code driverkit.Code) driver.Code {
	switch code {
	case "-1":
		return driver.CodeUnavailable
	case "45011", "45009":
		return driver.CodeRateLimited
	case "40013", "40125", "40243", "41002", "41004":
		return driver.CodeCredentials
	case "40164", "40226", "48001":
		return driver.CodePermissionDenied
	case "40002":
		return driver.CodeInvalidArgument // a bad grant_type: a malformed request
	}
	switch ep {
	case "code2session", "phone":
		switch code {
		case "40029", "40163", "41008":
			return driver.CodeInvalidCode
		}
	case "token":
		switch code {
		case "40001":
			return driver.CodeCredentials
		}
	case "checkdata":
		switch code {
		case "1":
			return driver.CodeSessionInvalid // "data not exist": not this app's, or older than three days
		case "40097", "44002", "47001":
			return driver.CodeInvalidArgument
		}
	case "checksession", "reset":
		switch code {
		case "87009":
			return driver.CodeSessionInvalid
		case "40003":
			return driver.CodeSessionInvalid // invalid openid: no session can be valid
		case "87008":
			return driver.CodeInvalidArgument // sig_method not accepted: a malformed request
		}
	}
	if ep != "token" && ep != "code2session" {
		switch code {
		case "40001", "42001", "40014":
			return driver.CodeTokenInvalid // the endpoint takes the access token
		}
	}
	return driver.CodeUnknown
}

// Code2Session implements driver.Authenticator with GET /sns/jscode2session.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	return api.Code2Session(ctx, d.hc, d.code2sessionURL, d.cfg.AppID, d.cfg.Secret, req)
}

// FetchToken implements driver.TokenFetcher with the stable access token.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	return api.Token(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.tokenURL, Body: d.tokenBody, ContentType: "application/json", Secrets: []string{d.cfg.Secret}})
}

// CheckSession implements driver.SessionChecker with GET /wxa/checksession.
func (d *Driver) CheckSession(ctx context.Context, req driver.CheckRequest) error {
	u, sig := driverkit.SignedUserURL(d.checkURL, req.AccessToken, req.OpenID, req.SessionKey)
	return driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodGet, URL: u,
		Secrets: []string{d.cfg.Secret, req.AccessToken, sig, req.SessionKey}}, parseCheck)
}

// parseCheck reads a /wxa/checksession answer: valid only on an explicit
// {"errcode":0}.
func parseCheck(b []byte) error {
	var resp driverkit.WeChatFrame
	return api.DecodeZero("checksession", b, &resp)
}

// Decrypt implements driver.Decrypter: AES-128-CBC with the session key,
// and the plaintext's watermark.appid must be this app's id (WeChat always
// sends one).
func (d *Driver) Decrypt(req driver.DecryptRequest) ([]byte, error) {
	return driverkit.OpenWeChat(req.SessionKey, req.IV, req.EncryptedData, d.cfg.AppID, driverkit.WatermarkRequired)
}

// VerifyData implements driver.DataVerifier with POST
// /wxa/business/checkencryptedmsg?access_token=, JSON
// {"encrypted_msg_hash": hex(SHA-256(encryptedData))}. The hash is over
// the base64 text as the client handed it: the doc says only "the sha256
// of the encrypted data, Hex (Base16) encoded", and the data a server
// receives is that text (the SDKs take the hash from the caller). Only an
// explicit {"errcode":0,"vaild":true} (the doc's spelling; "valid" is
// accepted too) is a yes; errcode 1 ("data not exist": another app's, or
// older than three days) and an explicit false are CodeSessionInvalid.
func (d *Driver) VerifyData(ctx context.Context, req driver.DataCheckRequest) error {
	sum := sha256.Sum256([]byte(req.EncryptedData))
	body, _ := json.Marshal(struct {
		Hash string `json:"encrypted_msg_hash"`
	}{hex.EncodeToString(sum[:])})
	return driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.dataURL + "?access_token=" + url.QueryEscape(req.AccessToken),
		Body: body, ContentType: "application/json", Secrets: []string{d.cfg.Secret, req.AccessToken}}, parseCheckData)
}

// parseCheckData reads a checkencryptedmsg answer.
func parseCheckData(b []byte) error {
	var resp driverkit.WeChatFrame
	if err := api.DecodeZero("checkdata", b, &resp); err != nil {
		return err
	}
	o := driverkit.ParseObject(b)
	if o.IsTrue("vaild") || o.IsTrue("valid") {
		return nil
	}
	for _, k := range []string{"vaild", "valid"} {
		if v, ok := o.Raw(k); ok && string(v) == "false" {
			return driver.Errorf(driver.CodeSessionInvalid, "weapp: the platform does not vouch for the encrypted data")
		}
	}
	return driverkit.NotUnderstood("no vaild: true")
}

// VerifyRawData implements driver.RawDataVerifier: signature must be
// hex(sha1(rawData + session_key)).
func (d *Driver) VerifyRawData(sessionKey, rawData, signature string) error {
	return driverkit.VerifyRawData(rawData, sessionKey, signature)
}

// GetPhoneNumber implements driver.PhoneNumberGetter with POST
// /wxa/business/getuserphonenumber?access_token=, JSON {"code":…}.
func (d *Driver) GetPhoneNumber(ctx context.Context, req driver.PhoneRequest) (driver.PhoneNumber, error) {
	body, _ := json.Marshal(struct {
		Code string `json:"code"`
	}{req.Code})
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.phoneURL + "?access_token=" + url.QueryEscape(req.AccessToken),
		Body: body, ContentType: "application/json", Secrets: []string{d.cfg.Secret, req.AccessToken}}, parsePhone)
}

// parsePhone reads a getuserphonenumber answer: {"errcode":0, "phone_info":
// {phoneNumber, purePhoneNumber, countryCode}}; countryCode arrives as a
// string or a number.
func parsePhone(b []byte) (driver.PhoneNumber, error) {
	var resp struct {
		driverkit.WeChatFrame
		PhoneInfo struct {
			PhoneNumber     string          `json:"phoneNumber"`
			PurePhoneNumber string          `json:"purePhoneNumber"`
			CountryCode     json.RawMessage `json:"countryCode"`
		} `json:"phone_info"`
	}
	if err := api.DecodeZero("phone", b, &resp); err != nil {
		return driver.PhoneNumber{}, err
	}
	if !driverkit.ParseObject(b).Get("phone_info").Confirm("phoneNumber", resp.PhoneInfo.PhoneNumber) {
		return driver.PhoneNumber{}, driverkit.NotUnderstood("no phone_info.phoneNumber")
	}
	var cc driverkit.Code
	if len(resp.PhoneInfo.CountryCode) > 0 {
		if err := json.Unmarshal(resp.PhoneInfo.CountryCode, &cc); err != nil {
			return driver.PhoneNumber{}, driverkit.NotUnderstood("countryCode is neither a string nor a number")
		}
	}
	return driver.PhoneNumber{PhoneNumber: resp.PhoneInfo.PhoneNumber, PurePhoneNumber: resp.PhoneInfo.PurePhoneNumber, CountryCode: string(cc)}, nil
}

// ResetSession implements driver.SessionResetter with GET
// /wxa/resetusersessionkey, signed like the check. The new key keeps the
// old one's expiry; the old key dies at once.
func (d *Driver) ResetSession(ctx context.Context, req driver.ResetRequest) (driver.LoginResponse, error) {
	u, sig := driverkit.SignedUserURL(d.resetURL, req.AccessToken, req.OpenID, req.SessionKey)
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodGet, URL: u,
		Secrets: []string{d.cfg.Secret, req.AccessToken, sig, req.SessionKey}}, parseReset)
}

// parseReset reads a resetusersessionkey answer: {"errcode":0, "openid",
// "session_key"}.
func parseReset(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		driverkit.WeChatFrame
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}
	if err := api.DecodeZero("reset", b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if o := driverkit.ParseObject(b); !o.Confirm("openid", resp.OpenID) || !o.Confirm("session_key", resp.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no openid or session_key")
	}
	return driver.LoginResponse{OpenID: resp.OpenID, SessionKey: resp.SessionKey}, nil
}

// FromNative implements driver.NativeNormalizer; see the package-level
// FromNative.
func (d *Driver) FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return FromNative(api, raw)
}

// FromNative normalises the object wx.<api> passes to its callbacks:
// {errMsg:"<api>:ok"} or {errMsg:"<api>:fail <detail>", errno?}. For
// checkSession every failure means the session is no longer valid. It is
// pure: no driver or credentials are needed.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	var obj struct {
		driverkit.NativeFrame
		Errno driverkit.Code `json:"errno"`
	}
	ok, detail, err := driverkit.ParseNative(api, raw, &obj)
	if err != nil || ok {
		return driver.NativeResult{OK: ok}, err
	}
	return driver.NativeResult{Code: driverkit.NativeFailCode(api), PlatformCode: string(obj.Errno), Detail: detail}, nil
}

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (d *Driver) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "weapp.Driver{"+fmt.Sprint(d.cfg)+"}")
}
