// Package swan is the Baidu smart-program driver.
//
// It speaks spapi.baidu.com: code to session with POST
// /oauth/jscode2sessionkey (form code, client_id = App Key, sk = App
// Secret). With Config.LegacyLogin it uses the older mini-game login, POST
// openapi.baidu.com/nalogin/getSessionKeyByCode, with the same form; with
// Config.SessionKeyV2, getSessionKey v2 (POST
// openapi.baidu.com/rest/2.0/smartapp/getsessionkey?access_token=&code=,
// answering open_id), gated by the app's access token. Baidu
// documents no server-side session check, so the driver is not a
// driver.SessionChecker: the portable layer answers CheckSession from its
// session store.
//
// Baidu's failures mix vocabularies, and one field name means different
// things on different hosts. spapi answers
// {"errno":10010100,"error":"parameter is invalid","error_description":…}:
// errno is the code (and the error's PlatformCode) and "error" is a
// description. openapi.baidu.com answers OAuth's {error, error_description}
// with "error" one of invalid_request, invalid_client, invalid_grant,
// unauthorized_client, unsupported_grant_type. The driver classifies by
// errno first, by "error" only where it holds one of those OAuth codes,
// then by the open API's error_code/error_msg pair. An answer is a success
// only when it carries both an openid and a session_key and no error.
//
// Sources: Baidu's login doc (spapi jscode2sessionkey, and the notice that
// replaces nalogin/getSessionKeyByCode with it), and Baidu's official Go SDK
// (github.com/baidu/smartapp-openapi-go, openapi/getSessionKey.go), which
// reads errno, msg and error_code and calls the endpoint with GET query
// parameters.
//
// It also fetches the app's OAuth access token (for Baidu's other APIs) and
// opens encryptedData (AES-192-CBC; the app key suffix must be this app's).
//
// Docs: https://smartprogram.baidu.com/docs/develop/api/open/log_Session-Key/,
// https://smartprogram.baidu.com/docs/develop/function/data_decode/,
// https://smartprogram.baidu.com/docs/develop/api/open/log_swan-login/,
// https://smartprogram.baidu.com/docs/develop/api/open/log_swan-checkSession/
package swan

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// The code-to-session paths, and the OAuth token path on openapi.baidu.com.
const (
	TokenPath              = "/oauth/2.0/token"
	Code2SessionPath       = "/oauth/jscode2sessionkey"
	LegacyCode2SessionPath = "/nalogin/getSessionKeyByCode"
	SessionKeyV2Path       = "/rest/2.0/smartapp/getsessionkey"
)

// Config configures the driver. AppID is the App Key (client_id) and Secret
// the App Secret (sk). Formatting a Config redacts the secret.
type Config struct {
	AppID  string
	Secret string
	// BaseURL replaces DefaultBaseURL, or DefaultLegacyBaseURL with
	// LegacyLogin (for the sandbox or a proxy).
	BaseURL string
	// LegacyLogin selects the older mini-game login, POST
	// /nalogin/getSessionKeyByCode on openapi.baidu.com (same form), for
	// mini-games built from Baidu's older docs.
	LegacyLogin bool
	// SessionKeyV2 selects getSessionKey v2, POST
	// openapi.baidu.com/rest/2.0/smartapp/getsessionkey?access_token=&code=,
	// gated by the app's access token (FetchToken's) and answering
	// {errno, msg, data:{open_id, session_key}}: what Baidu's official
	// SDKs call GetSessionKeyv2. Not with LegacyLogin.
	SessionKeyV2 bool
	// HTTPClient sends the requests; nil means a client with a 15s timeout.
	HTTPClient *http.Client
}

// describe is the config with the secret redacted.
func (c Config) describe() string {
	return driverkit.ConfigString("swan", c.AppID, c.Secret, c.BaseURL)
}

// MarshalJSON writes the config with the secret redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	return driverkit.ConfigJSON(c.AppID, c.Secret, c.BaseURL, "LegacyLogin", c.LegacyLogin, "SessionKeyV2", c.SessionKeyV2)
}

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (c Config) Format(f fmt.State, verb rune) { driverkit.FormatRedacted(f, verb, c.describe()) }

// Driver is the Baidu driver. It is safe for concurrent use.
type Driver struct {
	hc                        *http.Client // cfg.HTTPClient through driverkit.NoRedirect
	cfg                       Config
	code2sessionURL, tokenURL string
}

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) {
	def, path := DefaultBaseURL, Code2SessionPath
	switch {
	case cfg.LegacyLogin && cfg.SessionKeyV2:
		return nil, driver.Errorf(driver.CodeInvalidArgument, "swan: set Config.LegacyLogin or Config.SessionKeyV2, not both")
	case cfg.LegacyLogin:
		def, path = DefaultLegacyBaseURL, LegacyCode2SessionPath
	case cfg.SessionKeyV2:
		def, path = DefaultLegacyBaseURL, SessionKeyV2Path
	}
	base, err := driverkit.ConfigBase("swan", cfg.AppID, cfg.Secret, cfg.BaseURL, def)
	if err != nil {
		return nil, err
	}
	tokenBase := DefaultLegacyBaseURL // the OAuth host
	if cfg.BaseURL != "" {
		tokenBase = cfg.BaseURL
	}
	return &Driver{hc: driverkit.NoRedirect(cfg.HTTPClient), cfg: cfg, code2sessionURL: driverkit.JoinURL(base, path), tokenURL: driverkit.JoinURL(tokenBase, TokenPath)}, nil
}

// Platform implements driver.Driver.
func (d *Driver) Platform() driver.Platform { return Platform }

// AppID implements driver.Driver.
func (d *Driver) AppID() string { return d.cfg.AppID }

// response is every shape jscode2sessionkey answers with.
type response struct {
	OpenID           string           `json:"openid"`
	SessionKey       string           `json:"session_key"`
	Error            string           `json:"error"`
	ErrorDescription string           `json:"error_description"`
	Errno            driverkit.Status `json:"errno"`
	ErrorCode        driverkit.Code   `json:"error_code"`
	ErrorMsg         string           `json:"error_msg"`
	Msg              string           `json:"msg"`
}

// OAuth error strings.
var oauthCodes = map[string]driver.Code{
	"invalid_grant":          driver.CodeInvalidCode,
	"invalid_client":         driver.CodeCredentials,
	"unauthorized_client":    driver.CodeCredentials,
	"invalid_request":        driver.CodeInvalidArgument,
	"unsupported_grant_type": driver.CodeInvalidArgument,
}

// spapi errno values.
var errnoCodes = map[driverkit.Code]driver.Code{
	"10010100": driver.CodeInvalidArgument, // parameter is invalid (a missing or malformed parameter)
}

// Baidu open API error_code values.
var apiCodes = map[driverkit.Code]driver.Code{
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
	oauth, isOAuth := oauthCodes[r.Error]
	switch {
	case r.Errno.Failed():
		code, ok := errnoCodes[r.Errno.Code]
		switch {
		case isOAuth:
			code = oauth
		case !ok:
			code = driver.CodeUnknown
		}
		// On spapi "error" is a description; keep it with the details.
		var parts []string
		for _, p := range []string{r.Error, r.ErrorDescription, r.Msg} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		return driver.PlatformError(code, string(r.Errno.Code), strings.Join(parts, ": "))
	case isOAuth:
		return driver.PlatformError(oauth, r.Error, r.ErrorDescription)
	case !r.ErrorCode.IsZero():
		code, ok := apiCodes[r.ErrorCode]
		if !ok {
			code = driver.CodeUnknown
		}
		return driver.PlatformError(code, string(r.ErrorCode), r.ErrorMsg)
	case r.Error != "":
		return driver.PlatformError(driver.CodeUnknown, "", r.Error+": "+r.ErrorDescription)
	}
	return nil
}

// Code2Session implements driver.Authenticator.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if req.Code == "" {
		return driver.LoginResponse{}, driver.Errorf(driver.CodeInvalidArgument, "swan has no anonymous login: Code is required")
	}
	if d.cfg.SessionKeyV2 {
		// As Baidu's SDKs send it: both in the query, a form content
		// type, no body.
		q := url.Values{"access_token": {req.AccessToken}, "code": {req.Code}}
		return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.code2sessionURL + "?" + q.Encode(),
			ContentType: "application/x-www-form-urlencoded", Secrets: []string{d.cfg.Secret, req.AccessToken}}, parseSessionKeyV2)
	}
	form := url.Values{"code": {req.Code}, "client_id": {d.cfg.AppID}, "sk": {d.cfg.Secret}}
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.code2sessionURL,
		Body: []byte(form.Encode()), ContentType: "application/x-www-form-urlencoded", Secrets: []string{d.cfg.Secret}}, parseCode2Session)
}

// parseCode2Session reads a /oauth/jscode2sessionkey answer.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp response
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := resp.err(); err != nil {
		return driver.LoginResponse{}, err
	}
	if o := driverkit.ParseObject(b); !o.Confirm("openid", resp.OpenID) || !o.Confirm("session_key", resp.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no openid or session_key")
	}
	return driver.LoginResponse{OpenID: resp.OpenID, SessionKey: resp.SessionKey}, nil
}

// LoginNeedsToken implements driver.TokenLogin: getSessionKey v2 takes
// the app's access token.
func (d *Driver) LoginNeedsToken() bool { return d.cfg.SessionKeyV2 }

// parseSessionKeyV2 reads a getSessionKey v2 answer: a success only on an
// explicit errno 0 with data.open_id and data.session_key. The open API's
// error_code comes first (as the SDK reads it): 110 and 111 are a stale
// token (refetched once); then a non-zero errno, which Baidu publishes no
// table for, is a rejected code (../shared's table, unconfirmed).
func parseSessionKeyV2(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		Errno     driverkit.Status `json:"errno"`
		Msg       string           `json:"msg"`
		ErrorCode driverkit.Code   `json:"error_code"`
		ErrorMsg  string           `json:"error_msg"`
		Data      struct {
			OpenID     string `json:"open_id"`
			SessionKey string `json:"session_key"`
		} `json:"data"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	switch resp.ErrorCode {
	case "":
	case "110", "111":
		return driver.LoginResponse{}, driver.PlatformError(driver.CodeTokenInvalid, string(resp.ErrorCode), resp.ErrorMsg)
	default:
		code, ok := apiCodes[resp.ErrorCode]
		if !ok {
			code = driver.CodeUnknown
		}
		return driver.LoginResponse{}, driver.PlatformError(code, string(resp.ErrorCode), resp.ErrorMsg)
	}
	if resp.Errno.Failed() {
		return driver.LoginResponse{}, driver.PlatformError(driver.CodeInvalidCode, string(resp.Errno.Code), resp.Msg)
	}
	o := driverkit.ParseObject(b)
	data := o.Get("data")
	if !resp.Errno.Zero || !o.IsZero("errno") || !data.Confirm("open_id", resp.Data.OpenID) || !data.Confirm("session_key", resp.Data.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no errno 0, data.open_id or data.session_key")
	}
	return driver.LoginResponse{OpenID: resp.Data.OpenID, SessionKey: resp.Data.SessionKey}, nil
}

// FetchToken implements driver.TokenFetcher with Baidu's OAuth token, GET
// openapi.baidu.com/oauth/2.0/token?grant_type=client_credentials&client_id=
// &client_secret=&scope=smartapp_snsapi_base (about 30 days). Baidu checks
// no session with it; it is the app's token for Baidu's other APIs
// (taro.Client.AccessToken).
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	q := url.Values{"grant_type": {"client_credentials"}, "client_id": {d.cfg.AppID}, "client_secret": {d.cfg.Secret}, "scope": {"smartapp_snsapi_base"}}
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodGet, URL: d.tokenURL + "?" + q.Encode(), Secrets: []string{d.cfg.Secret}}, parseToken)
}

// parseToken reads an OAuth token answer: {access_token, expires_in,
// refresh_token, scope} or {error, error_description}.
func parseToken(b []byte) (driver.Token, error) {
	var resp response
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.Token{}, err
	}
	if err := resp.err(); err != nil {
		return driver.Token{}, err
	}
	return driverkit.ParseObject(b).Token("access_token", "expires_in")
}

// Decrypt implements driver.Decrypter with Baidu's scheme: AES-192-CBC,
// PKCS#7 on 32-byte blocks, and a plaintext of 16 random bytes, the length,
// the JSON and the app key, which must be this app's (Config.AppID, the App
// Key). Data is the JSON alone.
func (d *Driver) Decrypt(req driver.DecryptRequest) ([]byte, error) {
	return driverkit.OpenBaidu(req.SessionKey, req.IV, req.EncryptedData, d.cfg.AppID)
}

// Client-side swan.checkSession error codes (seeds: Android 201/1001, iOS
// 202/10001/10002/10004).
var nativeCodes = map[driverkit.Code]driver.Code{
	"201":   driver.CodeInvalidArgument, // Android: the call's protocol could not be parsed
	"202":   driver.CodeInvalidArgument, // iOS: the call's parameters could not be parsed
	"1001":  driver.CodeUnavailable,     // Android: execution failed
	"10001": driver.CodeUnavailable,     // iOS: internal error
	"10002": driver.CodeUnavailable,     // iOS: network request failed
	"10004": driver.CodeSessionInvalid,  // iOS: user refused / not logged in to the Baidu app
}

// FromNative implements driver.NativeNormalizer; see the package-level
// FromNative.
func (d *Driver) FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return FromNative(api, raw)
}

// FromNative normalises swan.<api> callback objects. Before base library
// 3.120.9 an invalid session came to success with result:false, which is a
// failure here; later ones call fail, with errCode (or errno) 201/1001 on
// Android and 202/10001/10002/10004 on iOS. It is pure: no driver or
// credentials are needed.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	var obj struct {
		ErrMsg  *string         `json:"errMsg"`
		Result  json.RawMessage `json:"result"`
		ErrCode driverkit.Code  `json:"errCode"`
		Errno   driverkit.Code  `json:"errno"`
	}
	if err := driverkit.Decode(raw, &obj); err != nil {
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
		ok, d, err := driverkit.SplitErrMsg(api, *obj.ErrMsg)
		switch {
		case err == nil:
			failed, detail = failed || !ok, d
		case failed:
			// A fail object whose errMsg lacks the "<api>:" prefix.
			detail = driverkit.TruncateDetail(*obj.ErrMsg)
		default:
			return driver.NativeResult{}, err
		}
	case result == nil && !failed:
		return driver.NativeResult{}, driver.Errorf(driver.CodeInvalidArgument, "neither errMsg, result nor an error code")
	}
	if failed {
		code, ok := nativeCodes[pc]
		if !ok {
			code = driverkit.NativeFailCode(api)
		}
		return driver.NativeResult{Code: code, PlatformCode: string(pc), Detail: detail}, nil
	}
	if result != nil && !*result {
		return driver.NativeResult{Code: driver.CodeSessionInvalid, PlatformCode: "result:false",
			Detail: "legacy success callback with result false: the session key is invalid"}, nil
	}
	return driver.NativeResult{OK: true}, nil
}

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (d *Driver) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "swan.Driver{"+d.cfg.describe()+"}")
}
