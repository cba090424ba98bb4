// Package qywx is the WeCom (企业微信) mini-program driver.
//
// It speaks qyapi.weixin.qq.com, WeChat's family with WeCom's own paths
// and codes: the app's access token with GET /cgi-bin/gettoken?corpid=
// &corpsecret=, and the code wx.qy.login hands the mini program exchanged
// with GET /cgi-bin/miniprogram/jscode2session?access_token=&js_code=
// &grant_type=authorization_code, which answers the user's corpid, userid
// and session_key with errcode 0. The user is (corpid, userid):
// LoginResult.OpenID is the userid and LoginResult.TenantID the corpid,
// since a userid is unique only within its corp.
//
// WeCom documents no server-side session check, so CheckSession is
// answered from the session store (the newest login of the user, younger
// than Config.MaxSessionAge of the taro client). wx.qy.getMobile's
// encryptedData names WeChat's algorithm without a page this driver could
// confirm, so the driver does not decrypt.
//
// Docs: https://developer.work.weixin.qq.com/document/path/96959 (login),
// https://developer.work.weixin.qq.com/document/path/91039 (token),
// https://developer.work.weixin.qq.com/document/path/90455 (error codes).
package qywx

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver, in WeCom's words: AppID is the corpid
// (企业ID) and Secret the secret of the WeCom app the mini program is
// associated with (its corpsecret); both are required. BaseURL replaces
// DefaultBaseURL (for the sandbox or a proxy). Formatting a Config
// redacts the secret.
type Config = driverkit.AppConfig

// Driver is the WeCom driver. It is safe for concurrent use.
type Driver struct{ driverkit.AppDriver }

// New returns a driver for cfg; AppID (the corpid) and Secret are
// required.
func New(cfg Config) (*Driver, error) { return driverkit.New[Driver](site, cfg) }

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/cgi-bin/miniprogram/jscode2session", Token: "/cgi-bin/gettoken", TokenLogin: true, Native: FromNative}

// api is WeCom's server API as one of the WeChat family, with WeCom's
// global error codes. A used or expired code is 40029 too.
var api = driverkit.WeChatAPI{Platform: Platform, Classify: func(_ string, code driverkit.Code) driver.Code {
	switch code {
	case "-1":
		return driver.CodeUnavailable // busy: retried
	case "40029":
		return driver.CodeInvalidCode
	case "40001", "40013", "40091", "60020", "41004":
		return driver.CodeCredentials // secret, corpid, IP not whitelisted
	case "40014", "42001":
		return driver.CodeTokenInvalid // refetched once
	case "45009", "45033":
		return driver.CodeRateLimited // frequency, concurrency
	case "48002":
		return driver.CodePermissionDenied
	}
	return driver.CodeUnknown
}}

// Code2Session implements driver.Authenticator.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if err := d.CheckLogin(req); err != nil {
		return driver.LoginResponse{}, err
	}
	q := url.Values{"access_token": {req.AccessToken}, "js_code": {req.Code}, "grant_type": {"authorization_code"}}
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodGet, URL: d.LoginURL() + "?" + q.Encode(), Secrets: []string{string(d.Secret()), req.AccessToken}}, parseCode2Session)
}

// parseCode2Session reads a jscode2session answer: a success only with
// errcode 0 and a non-empty corpid, userid and session_key.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		driverkit.WeChatFrame
		CorpID     string `json:"corpid"`
		UserID     string `json:"userid"`
		SessionKey string `json:"session_key"`
	}
	if err := api.DecodeZero("code2session", b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	o := driverkit.ParseObject(b)
	if !o.Confirm("corpid", resp.CorpID) || !o.Confirm("userid", resp.UserID) || !o.Confirm("session_key", resp.SessionKey) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no corpid, userid or session_key")
	}
	return driver.LoginResponse{OpenID: resp.UserID, SessionKey: resp.SessionKey, TenantID: resp.CorpID}, nil
}

// FetchToken implements driver.TokenFetcher with GET /cgi-bin/gettoken.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	q := url.Values{"corpid": {d.AppID()}, "corpsecret": {string(d.Secret())}}
	return api.Token(ctx, d.Client(), driverkit.Request{Method: http.MethodGet, URL: d.TokenURL() + "?" + q.Encode(), Secrets: []string{string(d.Secret())}})
}

// FromNative normalises wx.qy.<api> callback objects, which succeed or
// fail as WeChat's do: {errMsg:"<api>:ok"} or {errMsg:"<api>:fail …"}.
// It is pure.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return driverkit.NativeOKOrFail(api, raw)
}

var (
	_ driver.Authenticator = (*Driver)(nil)
	_ driver.TokenFetcher  = (*Driver)(nil)
)
