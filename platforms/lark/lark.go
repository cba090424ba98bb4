// Package lark is the Feishu / Lark mini-program (gadget) driver.
//
// It speaks open.feishu.cn (Lark: set BaseURL to
// https://open.larksuite.com): the app's token with POST
// /open-apis/auth/v3/app_access_token/internal, JSON {app_id, app_secret}
// → {code:0, app_access_token, expire}, and the code tt.login hands the
// gadget exchanged with POST /open-apis/mina/v2/tokenLoginValidate,
// Authorization: Bearer <app_access_token>, JSON {code} → {code:0,
// data:{open_id, session_key, tenant_key, …}}. Every answer is a success
// only with "code" the number 0; errors come with HTTP 200.
// LoginResult.TenantID is the tenant_key. The answer's union_id is
// deprecated and is not Feishu's Union ID, so it is left out; its user
// access_token and refresh_token are dropped, never kept or printed.
//
// Feishu documents no server-side session check, so CheckSession is
// answered from the session store, and no decryption algorithm this
// driver could confirm, so it does not decrypt.
//
// Docs: https://open.larkoffice.com/document/uYjL24iN/ukjM04SOyQjL5IDN
// (tokenLoginValidate) and
// https://open.larkoffice.com/document/ukTMukTMukTM/ukDNz4SO0MjL5QzM/auth-v3/auth/app_access_token_internal.
package lark

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver, in Feishu's words: AppID is the app_id
// and Secret the app_secret of a custom (internal) app; both are
// required. BaseURL replaces DefaultBaseURL (Lark's host, the sandbox or
// a proxy). Formatting a Config redacts the secret.
type Config = driverkit.AppConfig

// Driver is the Feishu / Lark driver. It is safe for concurrent use.
type Driver struct {
	driverkit.AppDriver
	tokenBody []byte // the token request, built once
}

// New returns a driver for cfg; AppID and Secret are required.
func New(cfg Config) (*Driver, error) {
	body, _ := json.Marshal(struct {
		AppID  string `json:"app_id"`
		Secret string `json:"app_secret"`
	}{cfg.AppID, cfg.Secret})
	return driverkit.Build(site, cfg, func(a driverkit.AppDriver) *Driver { return &Driver{a, body} })
}

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/open-apis/mina/v2/tokenLoginValidate", Token: "/open-apis/auth/v3/app_access_token/internal", TokenLogin: true, Native: FromNative}

// frame is every answer's success marker and message.
type frame struct {
	Code driverkit.Status `json:"code"`
	Msg  string           `json:"msg"`
}

// classify maps Feishu's codes. A code of another app, a used and an
// expired code are all 10213.
func classify(code driverkit.Code) driver.Code {
	switch code {
	case "10213":
		return driver.CodeInvalidCode
	case "10202", "99991663", "99991664", "99991671":
		return driver.CodeTokenInvalid // the app token: refetched once
	case "10228":
		return driver.CodePermissionDenied // the user is outside the app's visibility
	case "99991400":
		return driver.CodeRateLimited
	}
	return driver.CodeUnknown
}

// err returns nil only for "code" the JSON number 0, under that name.
func (f frame) err(b []byte) error {
	if f.Code.Failed() {
		return driver.PlatformError(classify(f.Code.Code), string(f.Code.Code), f.Msg)
	}
	if !f.Code.Zero || !driverkit.ParseObject(b).IsZero("code") {
		return driverkit.NotUnderstood("no code 0")
	}
	return nil
}

// Code2Session implements driver.Authenticator.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if err := d.CheckLogin(req); err != nil {
		return driver.LoginResponse{}, err
	}
	body, _ := json.Marshal(map[string]string{"code": req.Code})
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodPost, URL: d.LoginURL(), Body: body, ContentType: "application/json; charset=utf-8",
		Header: map[string]string{"Authorization": "Bearer " + req.AccessToken}, Secrets: []string{string(d.Secret()), req.AccessToken}}, parseCode2Session)
}

// parseCode2Session reads a tokenLoginValidate answer.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		frame
		Data struct {
			OpenID     string `json:"open_id"`
			SessionKey string `json:"session_key"`
			TenantKey  string `json:"tenant_key"`
		} `json:"data"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := resp.err(b); err != nil {
		return driver.LoginResponse{}, err
	}
	data := driverkit.ParseObject(b).Get("data")
	if !data.Confirm("open_id", resp.Data.OpenID) || !data.Confirm("session_key", resp.Data.SessionKey) || !data.Confirm("tenant_key", resp.Data.TenantKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no data.open_id, data.session_key or data.tenant_key")
	}
	return driver.LoginResponse{OpenID: resp.Data.OpenID, SessionKey: resp.Data.SessionKey, TenantID: resp.Data.TenantKey}, nil
}

// FetchToken implements driver.TokenFetcher with the internal app's
// app_access_token.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodPost, URL: d.TokenURL(), Body: d.tokenBody, ContentType: "application/json; charset=utf-8",
		Secrets: []string{string(d.Secret())}}, parseToken)
}

// parseToken reads {code:0, app_access_token, expire} (expire in seconds).
func parseToken(b []byte) (driver.Token, error) {
	var resp frame
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.Token{}, err
	}
	if err := resp.err(b); err != nil {
		return driver.Token{}, err
	}
	return driverkit.ParseObject(b).Token("app_access_token", "expire")
}

// FromNative normalises tt.<api> callback objects of Feishu's gadgets,
// which succeed or fail as {errMsg:"<api>:ok"} or {errMsg:"<api>:fail …"}.
// It is pure.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return driverkit.NativeOKOrFail(api, raw)
}

var (
	_ driver.Authenticator = (*Driver)(nil)
	_ driver.TokenFetcher  = (*Driver)(nil)
)
