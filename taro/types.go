package taro

import (
	"fmt"
	"github.com/tarogo/adapter/taro/driver"
	"io"
	"log/slog"
	"strconv"
)

// Session is what a backend holds per user after Code2Session: the user's
// openid and the session_key the platform issued.
//
// Session never prints its key: String, GoString, Format verbs, LogValue
// and MarshalJSON all redact it.
type Session struct {
	OpenID     string
	SessionKey string
	// TenantID is the user's organisation on a work platform (WeCom's
	// corpid, Feishu's tenant_key), as Code2Session returned it: the
	// user is (platform, app, tenant, OpenID). Empty on consumer
	// platforms.
	TenantID string
}

// String returns the session with its key redacted.
func (s Session) String() string {
	if s.TenantID != "" {
		return fmt.Sprintf("{OpenID:%s SessionKey:%s TenantID:%s}", s.OpenID, redactedMark(s.SessionKey), s.TenantID)
	}
	return fmt.Sprintf("{OpenID:%s SessionKey:%s}", s.OpenID, redactedMark(s.SessionKey))
}

// LogValue implements slog.LogValuer with the key redacted.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("openid", s.OpenID), slog.String("session_key", redactedMark(s.SessionKey)))
}

// MarshalJSON writes the session with its key redacted: a session key
// never goes over the wire.
func (s Session) MarshalJSON() ([]byte, error) {
	tenant := ""
	if s.TenantID != "" {
		tenant = `,"tenantId":` + strconv.Quote(s.TenantID)
	}
	return []byte(`{"openid":` + strconv.Quote(s.OpenID) + `,"sessionKey":` + strconv.Quote(redactedMark(s.SessionKey)) + tenant + `}`), nil
}

// Format implements fmt.Formatter: every verb prints the redacted String
// (GoString for %#v), so no verb reaches the key.
func (s Session) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		formatText(f, verb, fmt.Sprintf("taro.Session{OpenID:%q, SessionKey:%q, TenantID:%q}", s.OpenID, redactedMark(s.SessionKey), s.TenantID))
		return
	}
	formatText(f, verb, s.String())
}

// formatText writes text for any verb: quoted for %q, as is otherwise.
func formatText(f fmt.State, verb rune, text string) {
	if verb == 'q' {
		text = strconv.Quote(text)
	}
	_, _ = io.WriteString(f, text)
}

func redactedMark(secret string) string { return driver.Secret(secret).String() }

// Option is the argument of CheckSession, after Taro.checkSession(option).
type Option struct {
	// Platform selects the driver.
	Platform Platform
	// AppID chooses the app on a platform the client serves several apps
	// of; empty means the platform's only app.
	AppID string
	// Session is the session to check.
	Session Session
	// Success, Fail and Complete follow the callback contract in the
	// package documentation. Each may be nil.
	Success, Fail, Complete func(CallbackResult)
}

// String describes the option; the session key is redacted.
func (o Option) String() string {
	return fmt.Sprintf("{Platform:%s AppID:%s Session:%s Success:%t Fail:%t Complete:%t}",
		o.Platform, o.AppID, o.Session.String(), o.Success != nil, o.Fail != nil, o.Complete != nil)
}

// Format implements fmt.Formatter: every verb prints String.
func (o Option) Format(f fmt.State, verb rune) { formatText(f, verb, o.String()) }

// CallbackResult is the result of CheckSession and the argument of its
// callbacks. It marshals to JSON compatible with Taro's
// TaroGeneral.CallbackResult: a success is exactly
// {"errMsg":"checkSession:ok"}; a failure adds "code" (the Code's name) and,
// when the platform sent one, "platformCode".
type CallbackResult struct {
	ErrMsg       string `json:"errMsg"`
	Code         Code   `json:"code,omitempty"`
	PlatformCode string `json:"platformCode,omitempty"`
}

// LoginOption is the argument of Code2Session: the login code (and, on
// Douyin, the anonymous code) the client's login() produced.
type LoginOption struct {
	Platform Platform
	// AppID chooses the app on a platform the client serves several apps
	// of; empty means the platform's only app.
	AppID string
	// Code is the login code. At least one of Code and AnonymousCode must
	// be set; AnonymousCode is only meaningful on Douyin (tt).
	Code          string
	AnonymousCode string
	// Success, Fail and Complete follow the callback contract.
	Success, Fail, Complete func(LoginResult)
}

// LoginResult is the result of Code2Session. Its JSON form never includes
// the session key.
type LoginResult struct {
	ErrMsg       string `json:"errMsg"`
	Code         Code   `json:"code,omitempty"`
	PlatformCode string `json:"platformCode,omitempty"`
	// AppID is the app the login was for.
	AppID           string `json:"appid,omitempty"`
	OpenID          string `json:"openid,omitempty"`
	UnionID         string `json:"unionid,omitempty"`
	AnonymousOpenID string `json:"anonymousOpenid,omitempty"`
	// TenantID is the user's organisation on a work platform: WeCom's
	// corpid, Feishu's tenant_key. Empty on consumer platforms.
	TenantID string  `json:"tenantId,omitempty"`
	Session  Session `json:"-"`
	// Record is the session record the store kept for this login: its
	// sequence number in the user's order of logins and its issue time by
	// the store's clock. Package login binds its tickets to it.
	Record SessionRecord `json:"-"`
}

// String describes the result; the session key is redacted.
func (r LoginResult) String() string {
	return fmt.Sprintf("{ErrMsg:%q Code:%s PlatformCode:%q OpenID:%q UnionID:%q AnonymousOpenID:%q TenantID:%q Session:%s}",
		r.ErrMsg, r.Code, r.PlatformCode, r.OpenID, r.UnionID, r.AnonymousOpenID, r.TenantID, r.Session.String())
}

// Format implements fmt.Formatter: every verb prints String.
func (r LoginResult) Format(f fmt.State, verb rune) { formatText(f, verb, r.String()) }
