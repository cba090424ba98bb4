package dd_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/dd"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// The request shapes of DingTalk's docs, its codes, and only an explicit
// errcode 0 with result.userid is a login, without a session key.
func TestRequestShapesAndAnswers(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"errcode":0,"errmsg":"ok","result":{"userid":"manager4220","unionid":"z21HjQliSzpw0Yxxxx","associated_unionid":"","name":"张三","device_id":"d1","sys":true,"sys_level":1}}`)
	defer rec.Close()
	d, err := dd.New(dd.Config{AppID: "dingappkey", Secret: "app-secret", BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	assert.True(t, driver.TraitsOf(d).Keyless, "DingTalk has no session key")

	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "auth-code", AccessToken: "tok"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "manager4220", UnionID: "z21HjQliSzpw0Yxxxx"}, resp)
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/topapi/v2/user/getuserinfo", r.Path)
	assert.Equal(t, url.Values{"access_token": {"tok"}}, r.Query)
	assert.JSONEq(t, `{"code":"auth-code"}`, r.Body)

	for body, code := range map[string]taro.Code{
		`{"errcode":40078,"errmsg":"不存在的临时授权码"}`:             taro.CodeInvalidCode,
		`{"errcode":40014,"errmsg":"不合法的access_token"}`:      taro.CodeTokenInvalid,
		`{"errcode":42001,"errmsg":"access_token超时"}`:        taro.CodeTokenInvalid,
		`{"errcode":-1,"errmsg":"系统繁忙"}`:                     taro.CodeUnavailable,
		`{"errcode":60020,"errmsg":"访问ip不在白名单之中"}`:           taro.CodeCredentials,
		`{"errcode":40089,"errmsg":"不合法的corpid或corpsecret"}`: taro.CodeUnknown,     // not confirmed: never InvalidCode
		`{"result":{"userid":"u"}}`:                          taro.CodeUnavailable, // no errcode 0
		`{"errcode":0,"errmsg":"ok","result":{}}`:            taro.CodeUnavailable,
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
	assert.Equal(t, "/gettoken", r.Path)
	assert.Equal(t, url.Values{"appkey": {"dingappkey"}, "appsecret": {"app-secret"}}, r.Query)
}
