// Package dd is the DingTalk mini-program driver.
//
// DingTalk has no session key: the code dd.getAuthCode hands the mini
// program is exchanged with POST /topapi/v2/user/getuserinfo?access_token=,
// JSON {code} → {errcode:0, result:{userid, unionid, …}}, and the app's
// access token comes from GET /gettoken?appkey=&appsecret=. The driver is
// keyless, as Alipay's: Code2Session answers the userid (OpenID) and the
// unionid, CheckSession is ErrNotSupported, and package login decides by
// login order and age. The answer carries no corp: an app (its AppKey)
// belongs to one corp, so LoginResult.TenantID stays empty.
//
// DingTalk's client callbacks report failures as {errorCode,
// errorMessage} with no errMsg, so there is no FromNative.
//
// Docs: https://open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free
// and https://open.dingtalk.com/document/orgapp/obtain-orgapp-token.
package dd

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Config configures the driver, in DingTalk's words: AppID is the
// AppKey and Secret the AppSecret; both are required. BaseURL replaces
// DefaultBaseURL (for the sandbox or a proxy). Formatting a Config
// redacts the secret.
type Config = driverkit.AppConfig

// Driver is the DingTalk driver. It is safe for concurrent use.
type Driver struct{ driverkit.AppDriver }

// New returns a driver for cfg; AppID (the AppKey) and Secret are
// required.
func New(cfg Config) (*Driver, error) { return driverkit.New[Driver](site, cfg) }

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/topapi/v2/user/getuserinfo", Token: "/gettoken", TokenLogin: true, Keyless: true}

// api is DingTalk's legacy open API: errcode and errmsg, as WeChat's.
var api = driverkit.WeChatAPI{Platform: Platform, Classify: func(_ string, code driverkit.Code) driver.Code {
	switch code {
	case "-1":
		return driver.CodeUnavailable // busy: retried
	case "40078":
		return driver.CodeInvalidCode // 不存在的临时授权码: unknown, used or expired
	case "40014", "42001":
		return driver.CodeTokenInvalid // refetched once
	case "60020":
		return driver.CodeCredentials // the caller's IP is not whitelisted
	}
	return driver.CodeUnknown
}}

// Code2Session implements driver.Authenticator.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if err := d.CheckLogin(req); err != nil {
		return driver.LoginResponse{}, err
	}
	body, _ := json.Marshal(map[string]string{"code": req.Code})
	return driverkit.Fetch(ctx, d.Client(), driverkit.Request{Method: http.MethodPost, URL: d.LoginURL() + "?access_token=" + url.QueryEscape(req.AccessToken),
		Body: body, ContentType: "application/json", Secrets: []string{string(d.Secret()), req.AccessToken}}, parseCode2Session)
}

// parseCode2Session reads a getuserinfo answer: errcode 0 and a
// non-empty result.userid.
func parseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		driverkit.WeChatFrame
		Result struct {
			UserID  string `json:"userid"`
			UnionID string `json:"unionid"`
		} `json:"result"`
	}
	if err := api.DecodeZero("code2session", b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if !driverkit.ParseObject(b).Get("result").Confirm("userid", resp.Result.UserID) {
		return driver.LoginResponse{}, driverkit.NotUnderstood("no result.userid")
	}
	return driver.LoginResponse{OpenID: resp.Result.UserID, UnionID: resp.Result.UnionID}, nil
}

// FetchToken implements driver.TokenFetcher with GET /gettoken.
func (d *Driver) FetchToken(ctx context.Context) (driver.Token, error) {
	q := url.Values{"appkey": {d.AppID()}, "appsecret": {string(d.Secret())}}
	return api.Token(ctx, d.Client(), driverkit.Request{Method: http.MethodGet, URL: d.TokenURL() + "?" + q.Encode(), Secrets: []string{string(d.Secret())}})
}

var (
	_ driver.Authenticator = (*Driver)(nil)
	_ driver.TokenFetcher  = (*Driver)(nil)
)
