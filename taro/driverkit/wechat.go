// The WeChat family: WeChat's server API described as data, for the
// platforms that copied it (QQ today). A platform is one WeChatAPI value
// with its own name and error-code table, and its own URLs, the way
// golang.org/x/oauth2/endpoints describes providers for one oauth2 flow.

package driverkit

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/taro/driver"
)

// WeChatAPI is a server API in WeChat's style:
//   - every answer is framed by errcode and errmsg; a failure carries a
//     non-zero errcode, which Classify maps;
//   - the code exchange is GET <url>?appid=&secret=&js_code=&
//     grant_type=authorization_code, answering {openid, session_key,
//     unionid?}, with errcode absent or 0;
//   - an access token answers {access_token, expires_in}.
//
// Its methods hold the family's one rule for each of these; the platform
// keeps its URLs, codes and anything else of its own.
type WeChatAPI struct {
	// Platform names the platform in errors.
	Platform driver.Platform
	// Classify maps a failed errcode of an endpoint ("code2session",
	// "token", or the driver's own names for its other endpoints) to a
	// portable code; nil means driver.CodeUnknown for all.
	Classify func(endpoint string, code Code) driver.Code
}

// WeChatFrame is the family's answer frame; embed it in an answer struct.
type WeChatFrame struct {
	ErrCode Status `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Err returns the platform error the frame carries, or nil when it carries
// none (errcode absent or 0).
func (a WeChatAPI) Err(endpoint string, f WeChatFrame) error {
	if !f.ErrCode.Failed() {
		return nil
	}
	code := driver.CodeUnknown
	if a.Classify != nil {
		code = a.Classify(endpoint, f.ErrCode.Code)
	}
	return driver.PlatformError(code, string(f.ErrCode.Code), f.ErrMsg)
}

// Zero returns nil only for an answer b whose frame f says errcode 0
// explicitly, as the JSON number 0 under that exact name: the success
// marker of every endpoint but the code exchange and the token.
func (a WeChatAPI) Zero(endpoint string, f WeChatFrame, b []byte) error {
	if err := a.Err(endpoint, f); err != nil {
		return err
	}
	if !f.ErrCode.Zero || !ParseObject(b).IsZero("errcode") {
		return NotUnderstood("errcode is not 0")
	}
	return nil
}

// Frame returns f: a response that embeds a WeChatFrame has it, so that
// DecodeZero can judge the response's frame.
func (f WeChatFrame) Frame() WeChatFrame { return f }

// DecodeZero decodes b into resp (a pointer to a WeChatFrame or to a
// struct that embeds one) and returns Zero's verdict on its frame: the
// rule of an endpoint whose success marker is errcode 0.
func (a WeChatAPI) DecodeZero(endpoint string, b []byte, resp interface{ Frame() WeChatFrame }) error {
	if err := Decode(b, resp); err != nil {
		return err
	}
	return a.Zero(endpoint, resp.Frame(), b)
}

// absentOrZero is the code exchange's and the token's rule: no failure,
// and an errcode, when present, that is the number 0.
func (a WeChatAPI) absentOrZero(endpoint string, f WeChatFrame) error {
	if err := a.Err(endpoint, f); err != nil {
		return err
	}
	if f.ErrCode.Set && !f.ErrCode.Zero {
		return NotUnderstood("errcode is neither absent, 0 nor an error code")
	}
	return nil
}

// Code2Session exchanges req.Code at endpointURL with the app's id and
// secret (GET, the secret in the query as the family documents it).
func (a WeChatAPI) Code2Session(ctx context.Context, hc *http.Client, endpointURL, appID, secret string, req driver.LoginRequest) (driver.LoginResponse, error) {
	if req.Code == "" {
		return driver.LoginResponse{}, driver.Errorf(driver.CodeInvalidArgument, "%s has no anonymous login: Code is required", a.Platform)
	}
	q := url.Values{"appid": {appID}, "secret": {secret}, "js_code": {req.Code}, "grant_type": {"authorization_code"}}
	return Fetch(ctx, hc, Request{Method: http.MethodGet, URL: endpointURL + "?" + q.Encode(), Secrets: []string{secret}}, a.ParseCode2Session)
}

// ParseCode2Session reads a code-exchange answer. Its success carries no
// errcode at all (WeChat dropped it around 2020-12) or 0, and is
// recognised by a non-empty openid and session_key under those names.
func (a WeChatAPI) ParseCode2Session(b []byte) (driver.LoginResponse, error) {
	var resp struct {
		WeChatFrame
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		UnionID    string `json:"unionid"`
	}
	if err := Decode(b, &resp); err != nil {
		return driver.LoginResponse{}, err
	}
	if err := a.absentOrZero("code2session", resp.WeChatFrame); err != nil {
		return driver.LoginResponse{}, err
	}
	if o := ParseObject(b); !o.Confirm("openid", resp.OpenID) || !o.Confirm("session_key", resp.SessionKey) {
		return driver.LoginResponse{}, NotUnderstood("no openid or session_key")
	}
	return driver.LoginResponse{OpenID: resp.OpenID, UnionID: resp.UnionID, SessionKey: resp.SessionKey}, nil
}

// Token sends r, an access-token request, and reads its answer.
func (a WeChatAPI) Token(ctx context.Context, hc *http.Client, r Request) (driver.Token, error) {
	return a.TokenAs(ctx, hc, r, "token", "access_token")
}

// TokenAs is Token for an endpoint whose token member is named field
// (component_access_token, authorizer_access_token); endpoint names it to
// Classify.
func (a WeChatAPI) TokenAs(ctx context.Context, hc *http.Client, r Request, endpoint, field string) (driver.Token, error) {
	return Fetch(ctx, hc, r, func(b []byte) (driver.Token, error) { return a.ParseTokenAs(b, endpoint, field) })
}

// ParseToken reads an access-token answer: {access_token, expires_in}
// (a positive number of seconds), errcode absent or 0.
func (a WeChatAPI) ParseToken(b []byte) (driver.Token, error) {
	return a.ParseTokenAs(b, "token", "access_token")
}

// ParseTokenAs is ParseToken with the token under field.
func (a WeChatAPI) ParseTokenAs(b []byte, endpoint, field string) (driver.Token, error) {
	var resp WeChatFrame
	if err := Decode(b, &resp); err != nil {
		return driver.Token{}, err
	}
	if err := a.absentOrZero(endpoint, resp); err != nil {
		return driver.Token{}, err
	}
	return ParseObject(b).Token(field, "expires_in")
}
