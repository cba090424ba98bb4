// Package swan is the Baidu smart-program driver.
//
// It speaks spapi.baidu.com: code to session with POST
// /oauth/jscode2sessionkey (form code, client_id = App Key, sk = App
// Secret). Baidu documents no server-side session check, so the driver is
// not a driver.SessionChecker: the portable layer answers CheckSession from
// its session store.
//
// Baidu's failures mix vocabularies — OAuth's "error" strings, a numeric
// "errno", and the open API's "error_code"/"error_msg" — and the driver
// classifies them in that order.
//
// Docs: https://smartprogram.baidu.com/docs/develop/api/open/log_swan-login/,
// https://smartprogram.baidu.com/docs/develop/api/open/log_swan-checkSession/
package swan

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/internal/drvconf"
	"github.com/tarogo/adapter/internal/httpx"
	"github.com/tarogo/adapter/internal/native"
	"github.com/tarogo/adapter/taro/driver"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "swan"

// DefaultBaseURL is Baidu's smart-program API host.
const DefaultBaseURL = "https://spapi.baidu.com"

// Config configures the driver. AppID is the App Key (client_id) and Secret
// the App Secret (sk). Formatting a Config redacts the secret.
type Config struct {
	AppID  string
	Secret string
	// BaseURL replaces DefaultBaseURL (for the sandbox or a proxy).
	BaseURL string
	// HTTPClient sends the requests; nil means a client with a 15s timeout.
	HTTPClient *http.Client
}

// String returns the config with the secret redacted.
func (c Config) String() string { return drvconf.String("swan", c.AppID, c.Secret, c.BaseURL) }

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue implements slog.LogValuer with the secret redacted.
func (c Config) LogValue() slog.Value { return drvconf.LogValue(c.AppID, c.Secret, c.BaseURL) }

// Driver is the Baidu driver. It is safe for concurrent use.
type Driver struct {
	cfg             Config
	code2sessionURL string
}

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) {
	base, err := drvconf.Base("swan", cfg.AppID, cfg.Secret, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	return &Driver{cfg: cfg, code2sessionURL: httpx.JoinURL(base, "/oauth/jscode2sessionkey")}, nil
}

// Platform implements driver.Driver.
func (d *Driver) Platform() driver.Platform { return Platform }

// AppID implements driver.Driver.
func (d *Driver) AppID() string { return d.cfg.AppID }

// response is every shape jscode2sessionkey answers with.
type response struct {
	OpenID           string     `json:"openid"`
	SessionKey       string     `json:"session_key"`
	Error            string     `json:"error"`
	ErrorDescription string     `json:"error_description"`
	Errno            httpx.Code `json:"errno"`
	ErrorCode        httpx.Code `json:"error_code"`
	ErrorMsg         string     `json:"error_msg"`
	Msg              string     `json:"msg"`
}

// OAuth error strings.
var oauthCodes = map[string]driver.Code{
	"invalid_grant":          driver.CodeInvalidCode,
	"invalid_client":         driver.CodeCredentials,
	"unauthorized_client":    driver.CodeCredentials,
	"invalid_request":        driver.CodeInvalidArgument,
	"unsupported_grant_type": driver.CodeInvalidArgument,
}

// Baidu open API error_code values.
var apiCodes = map[httpx.Code]driver.Code{
	"1":   driver.CodeUnavailable, // unknown error
	"2":   driver.CodeUnavailable, // service temporarily unavailable
	"4":   driver.CodeRateLimited, // request limit reached
	"17":  driver.CodeRateLimited, // daily request limit
	"18":  driver.CodeRateLimited, // QPS limit
	"19":  driver.CodeRateLimited, // total request limit
	"6":   driver.CodePermissionDenied,
	"100": driver.CodeInvalidArgument,
	"110": driver.CodeCredentials,
	"111": driver.CodeCredentials,
}

func (r *response) err() error {
	switch {
	case r.Error != "":
		code, ok := oauthCodes[r.Error]
		if !ok {
			code = driver.CodeUnknown
		}
		return driver.PlatformError(code, r.Error, r.ErrorDescription)
	case !r.Errno.IsZero():
		code := driver.CodeUnknown
		if r.Errno == "10010100" { // parameter is invalid: the code was rejected
			code = driver.CodeInvalidCode
		}
		msg := r.ErrorDescription
		if msg == "" {
			msg = r.Msg
		}
		return driver.PlatformError(code, string(r.Errno), msg)
	case !r.ErrorCode.IsZero():
		code, ok := apiCodes[r.ErrorCode]
		if !ok {
			code = driver.CodeUnknown
		}
		return driver.PlatformError(code, string(r.ErrorCode), r.ErrorMsg)
	}
	return nil
}

// Code2Session implements driver.Authenticator.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if req.Code == "" {
		return driver.LoginResponse{}, driver.Errorf(driver.CodeInvalidArgument, "swan has no anonymous login: Code is required")
	}
	form := url.Values{"code": {req.Code}, "client_id": {d.cfg.AppID}, "sk": {d.cfg.Secret}}
	var out driver.LoginResponse
	err := httpx.Call(ctx, d.cfg.HTTPClient, httpx.Request{Method: http.MethodPost, URL: d.code2sessionURL,
		Body: []byte(form.Encode()), ContentType: "application/x-www-form-urlencoded"},
		func(b []byte) (err error) { out, err = parseCode2Session(b); return err })
	return out, err
}

// parseCode2Session reads a /oauth/jscode2sessionkey answer.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp response
	if err := httpx.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := resp.err(); err != nil {
		return driver.LoginResponse{}, err
	}
	return driver.LoginResponse{OpenID: resp.OpenID, SessionKey: resp.SessionKey}, nil
}

// Client-side swan.checkSession error codes (seeds: Android 201/1001, iOS
// 202/10001/10002/10004).
var nativeCodes = map[httpx.Code]driver.Code{
	"201":   driver.CodeInvalidArgument, // Android: the call's protocol could not be parsed
	"202":   driver.CodeInvalidArgument, // iOS: the call's parameters could not be parsed
	"1001":  driver.CodeUnavailable,     // Android: execution failed
	"10001": driver.CodeUnavailable,     // iOS: internal error
	"10002": driver.CodeUnavailable,     // iOS: network request failed
	"10004": driver.CodeSessionInvalid,  // iOS: user refused / not logged in to the Baidu app
}

// FromNative implements driver.NativeNormalizer for swan.<api> callback
// objects. Before base library 3.120.9 an invalid session came to success
// with result:false, which is a failure here; later ones call fail, with
// errCode (or errno) 201/1001 on Android and 202/10001/10002/10004 on iOS.
func (d *Driver) FromNative(api string, raw []byte) (driver.NativeResult, error) {
	var obj struct {
		ErrMsg  *string         `json:"errMsg"`
		Result  json.RawMessage `json:"result"`
		ErrCode httpx.Code      `json:"errCode"`
		Errno   httpx.Code      `json:"errno"`
	}
	if err := httpx.Decode(raw, &obj); err != nil {
		return driver.NativeResult{}, &driver.Error{Code: driver.CodeInvalidArgument, Err: err}
	}
	var result *bool
	if len(obj.Result) > 0 && string(obj.Result) != "null" {
		var b bool
		if err := json.Unmarshal(obj.Result, &b); err != nil {
			return driver.NativeResult{}, driver.Errorf(driver.CodeInvalidArgument, "result is not a boolean")
		}
		result = &b
	}
	pc := obj.ErrCode
	if pc.IsZero() {
		pc = obj.Errno
	}
	failed := !pc.IsZero()
	var detail string
	switch {
	case obj.ErrMsg != nil:
		ok, d, err := native.SplitErrMsg(api, *obj.ErrMsg)
		switch {
		case err == nil:
			failed, detail = failed || !ok, d
		case failed:
			// A fail object whose errMsg lacks the "<api>:" prefix.
			detail = native.Truncate(*obj.ErrMsg)
		default:
			return driver.NativeResult{}, err
		}
	case result == nil && !failed:
		return driver.NativeResult{}, driver.Errorf(driver.CodeInvalidArgument, "neither errMsg, result nor an error code")
	}
	if failed {
		code, ok := nativeCodes[pc]
		if !ok {
			code = native.FailCode(api)
		}
		return driver.NativeResult{Code: code, PlatformCode: string(pc), Detail: detail}, nil
	}
	if result != nil && !*result {
		return driver.NativeResult{Code: driver.CodeSessionInvalid, PlatformCode: "result:false",
			Detail: "legacy success callback with result false: the session key is invalid"}, nil
	}
	return driver.NativeResult{OK: true}, nil
}

// String describes the driver without its secret.
func (d *Driver) String() string { return "swan.Driver{" + d.cfg.String() + "}" }

// GoString is String, for %#v.
func (d *Driver) GoString() string { return d.String() }

// LogValue implements slog.LogValuer without the secret.
func (d *Driver) LogValue() slog.Value { return d.cfg.LogValue() }
