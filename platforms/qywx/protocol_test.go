package qywx_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/qywx"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// The request shapes of WeCom's docs, its errcode table, and only an
// explicit errcode 0 with corpid, userid and session_key is a login.
func TestRequestShapesAndAnswers(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"corpid":"wwcorp","userid":"zhangsan","session_key":"a2V5","errcode":0,"errmsg":"ok"}`)
	defer rec.Close()
	d, err := qywx.New(qywx.Config{AppID: "wwcorp", Secret: "corp-secret", BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	assert.False(t, driver.Has(d, driver.CapSessionChecker), "WeCom documents no server-side check")
	assert.False(t, driver.Has(d, driver.CapDecrypter))

	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c1", AccessToken: "tok"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "zhangsan", SessionKey: "a2V5", TenantID: "wwcorp"}, resp)
	r := rec.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/cgi-bin/miniprogram/jscode2session", r.Path)
	assert.Equal(t, url.Values{"access_token": {"tok"}, "js_code": {"c1"}, "grant_type": {"authorization_code"}}, r.Query)

	for body, code := range map[string]taro.Code{
		`{"errcode":40029,"errmsg":"invalid code"}`:                     taro.CodeInvalidCode,
		`{"errcode":40014,"errmsg":"invalid access_token"}`:             taro.CodeTokenInvalid,
		`{"errcode":42001,"errmsg":"access_token expired"}`:             taro.CodeTokenInvalid,
		`{"errcode":40001,"errmsg":"invalid secret"}`:                   taro.CodeCredentials,
		`{"errcode":40013,"errmsg":"invalid corpid"}`:                   taro.CodeCredentials,
		`{"errcode":60020,"errmsg":"not allow to access from your ip"}`: taro.CodeCredentials,
		`{"errcode":45009,"errmsg":"api freq out of limit"}`:            taro.CodeRateLimited,
		`{"errcode":45033,"errmsg":"api concurrent out of limit"}`:      taro.CodeRateLimited,
		`{"errcode":-1,"errmsg":"system busy"}`:                         taro.CodeUnavailable,
		`{"errcode":48002,"errmsg":"api forbidden"}`:                    taro.CodePermissionDenied,
		`{"errcode":60011,"errmsg":"no privilege"}`:                     taro.CodeUnknown,     // not in the table: never InvalidCode
		`{"corpid":"c","userid":"u","session_key":"k"}`:                 taro.CodeUnavailable, // no errcode 0: no explicit yes
		`{"errcode":"0","corpid":"c","userid":"u","session_key":"k"}`:   taro.CodeUnavailable,
		`{"errcode":0,"userid":"u","session_key":"k"}`:                  taro.CodeUnavailable, // no corpid: no tenant
		`{"errcode":0,"corpid":"c","session_key":"k"}`:                  taro.CodeUnavailable,
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c", AccessToken: "tok"})
		assert.Equal(t, code, taro.CodeOf(err), body)
	}

	rec.Answer(200, "application/json", `{"errcode":0,"errmsg":"ok","access_token":"at","expires_in":7200}`)
	tok, err := d.FetchToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, driver.Token{Value: "at", ExpiresIn: 7200 * time.Second}, tok)
	r = rec.Last()
	assert.Equal(t, "/cgi-bin/gettoken", r.Path)
	assert.Equal(t, url.Values{"corpid": {"wwcorp"}, "corpsecret": {"corp-secret"}}, r.Query)

	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument, "no token: refused before any I/O")
}
