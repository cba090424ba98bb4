package weapp_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const (
	appID  = "wx1234567890abcdef"
	secret = "APPSECRET-0123456789abcdef"
	// The session key of the WeChat signature doc example.
	docKey = "o0q0otL8aEzpcZL/FT9WsQ=="
	// hex(HMAC-SHA256(docKey, "")), the reference vector for a GET check.
	docKeyEmptySig = "46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128"
)

func newDriver(t *testing.T, rec *sandboxtest.Recorder) *weapp.Driver {
	t.Helper()
	d, err := weapp.New(weapp.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	return d
}

func TestRequestShapes(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o","session_key":"` + docKey + `","unionid":"oU-union"}`)
	defer rec.Close()
	d := newDriver(t, rec)

	t.Run("code2session is GET /sns/jscode2session with appid, secret, js_code and grant_type", func(t *testing.T) {
		resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "081xYz"})
		require.NoError(t, err)
		assert.Equal(t, driver.LoginResponse{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", UnionID: "oU-union", SessionKey: docKey}, resp)
		r := rec.Last()
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/sns/jscode2session", r.Path)
		assert.Equal(t, map[string][]string{"appid": {appID}, "secret": {secret}, "js_code": {"081xYz"}, "grant_type": {"authorization_code"}}, map[string][]string(r.Query))
	})
	t.Run("stable_token is a JSON POST with grant_type, appid and secret", func(t *testing.T) {
		rec.Answer(200, "application/json", `{"access_token":"ACCESS_TOKEN","expires_in":7200}`)
		tok, err := d.FetchToken(ctx)
		require.NoError(t, err)
		assert.Equal(t, driver.Token{Value: "ACCESS_TOKEN", ExpiresIn: 7200 * time.Second}, tok)
		r := rec.Last()
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/cgi-bin/stable_token", r.Path)
		assert.Equal(t, "application/json", r.ContentType)
		assert.JSONEq(t, `{"grant_type":"client_credential","appid":"`+appID+`","secret":"`+secret+`"}`, r.Body)
	})
	t.Run("checksession is a GET signed over the empty string; the key is never sent", func(t *testing.T) {
		rec.Answer(200, "application/json", `{"errcode":0,"errmsg":"ok"}`)
		require.NoError(t, d.CheckSession(ctx, driver.CheckRequest{OpenID: "oUpF8u", SessionKey: docKey, AccessToken: "ACCESS_TOKEN"}))
		r := rec.Last()
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/wxa/checksession", r.Path)
		assert.Equal(t, map[string][]string{"access_token": {"ACCESS_TOKEN"}, "openid": {"oUpF8u"},
			"signature": {docKeyEmptySig}, "sig_method": {"hmac_sha256"}}, map[string][]string(r.Query))
		assert.NotContains(t, r.RawQuery+r.Body, docKey)
		assert.NotContains(t, r.RawQuery, strings.ReplaceAll(docKey, "/", "%2F"))
	})
}

func TestErrorTables(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call string
		body string
		code taro.Code
	}{
		{"code2session success without errcode", "code2session", `{"openid":"o","session_key":"k"}`, taro.CodeOK},
		{"code2session success with errcode 0", "code2session", `{"errcode":0,"errmsg":"ok","openid":"o","session_key":"k"}`, taro.CodeOK},
		{"-1 system busy", "code2session", `{"errcode":-1,"errmsg":"system error, rid: 64"}`, taro.CodeUnavailable},
		{"40029 invalid code", "code2session", `{"errcode":40029,"errmsg":"invalid code, rid: 6423"}`, taro.CodeInvalidCode},
		{"40163 code been used", "code2session", `{"errcode":40163,"errmsg":"code been used, rid: 1"}`, taro.CodeInvalidCode},
		{"40226 high-risk user", "code2session", `{"errcode":40226,"errmsg":"high risk user"}`, taro.CodePermissionDenied},
		{"45011 minute quota", "code2session", `{"errcode":45011,"errmsg":"api minute-quota reach limit"}`, taro.CodeRateLimited},
		{"45009 daily quota", "token", `{"errcode":45009,"errmsg":"reach max api daily quota limit"}`, taro.CodeRateLimited},
		{"40013 invalid appid", "code2session", `{"errcode":40013,"errmsg":"invalid appid"}`, taro.CodeCredentials},
		{"40125 invalid secret", "token", `{"errcode":40125,"errmsg":"invalid appsecret"}`, taro.CodeCredentials},
		{"40243 secret frozen", "token", `{"errcode":40243,"errmsg":"AppSecret is frozen"}`, taro.CodeCredentials},
		{"40164 IP not whitelisted", "token", `{"errcode":40164,"errmsg":"invalid ip"}`, taro.CodePermissionDenied},
		{"40001 on the token endpoint is the secret", "token", `{"errcode":40001,"errmsg":"invalid credential"}`, taro.CodeCredentials},
		{"40002 bad grant_type is a malformed request", "token", `{"errcode":40002,"errmsg":"invalid grant_type"}`, taro.CodeInvalidArgument},
		{"87009 invalid signature", "check", `{"errcode":87009,"errmsg":"invalid signature"}`, taro.CodeSessionInvalid},
		{"40001 on a check is the token", "check", `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}`, taro.CodeTokenInvalid},
		{"42001 token expired", "check", `{"errcode":42001,"errmsg":"access_token expired"}`, taro.CodeTokenInvalid},
		{"errcode as a string", "check", `{"errcode":"87009","errmsg":"invalid signature"}`, taro.CodeSessionInvalid},
		{"an unknown errcode", "check", `{"errcode":99999,"errmsg":"?"}`, taro.CodeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := sandboxtest.NewRecorder(tt.body)
			defer rec.Close()
			d := newDriver(t, rec)
			var err error
			switch tt.call {
			case "code2session":
				_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
			case "token":
				_, err = d.FetchToken(ctx)
			default:
				err = d.CheckSession(ctx, driver.CheckRequest{OpenID: "o", SessionKey: docKey, AccessToken: "t"})
			}
			assert.Equal(t, tt.code, taro.CodeOf(err), "%v", err)
		})
	}
}

func TestUnreadableAnswersAreUnavailable(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		code   taro.Code
	}{
		{"HTML error page", 200, "text/html", "<html><body>502 Bad Gateway</body></html>", taro.CodeUnavailable},
		{"truncated JSON", 200, "application/json", `{"errcode":0,"errm`, taro.CodeUnavailable},
		{"not JSON", 200, "text/plain", "ok", taro.CodeUnavailable},
		{"a JSON array", 200, "application/json", "[1,2]", taro.CodeUnavailable},
		{"empty body", 200, "application/json", "", taro.CodeUnavailable},
		{"wrong field type", 200, "application/json", `{"errcode":{"x":1}}`, taro.CodeUnavailable},
		{"HTTP 500", 500, "text/plain", "Internal Server Error", taro.CodeUnavailable},
		{"HTTP 408", 408, "text/plain", "timeout", taro.CodeUnavailable},
		{"HTTP 429", 429, "text/plain", "slow down", taro.CodeRateLimited},
		{"a body over the cap", 200, "application/json", `{"errmsg":"` + strings.Repeat("x", 70<<10) + `"}`, taro.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := sandboxtest.NewRecorder("")
			defer rec.Close()
			rec.Answer(tt.status, tt.ctype, tt.body)
			err := newDriver(t, rec).CheckSession(ctx, driver.CheckRequest{OpenID: "o", SessionKey: docKey, AccessToken: "TOKEN-SECRET"})
			require.Error(t, err)
			assert.Equal(t, tt.code, taro.CodeOf(err), "%v", err)
			assert.NotContains(t, err.Error(), "TOKEN-SECRET")
			assert.NotContains(t, err.Error(), docKeyEmptySig)
		})
	}
}

func TestTransportErrorsHideTheQuery(t *testing.T) {
	rec := sandboxtest.NewRecorder("{}")
	url := rec.URL()
	rec.Close() // nothing listens there now
	d, err := weapp.New(weapp.Config{AppID: appID, Secret: secret, BaseURL: url})
	require.NoError(t, err)
	_, err = d.Code2Session(context.Background(), driver.LoginRequest{Code: "c"})
	require.Error(t, err)
	assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err))
	assert.NotContains(t, err.Error(), secret)
	assert.Contains(t, err.Error(), "/sns/jscode2session")
}

func TestConfig(t *testing.T) {
	for _, cfg := range []weapp.Config{{}, {AppID: "a"}, {Secret: "s"}, {AppID: "a", Secret: "s", BaseURL: "ftp://x"}, {AppID: "a", Secret: "s", BaseURL: "not a url"}} {
		_, err := weapp.New(cfg)
		assert.ErrorIs(t, err, taro.ErrInvalidArgument, "%v", cfg)
	}
	cfg := weapp.Config{AppID: appID, Secret: secret}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "config", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg, cfg), logs.String()} {
		assert.NotContains(t, s, secret)
		assert.Contains(t, s, appID)
	}
	d, err := weapp.New(cfg)
	require.NoError(t, err)
	assert.Equal(t, taro.Weapp, d.Platform())
	assert.Equal(t, appID, d.AppID())
	_, err = d.Code2Session(context.Background(), driver.LoginRequest{AnonymousCode: "x"})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	_ = http.MethodGet
}
