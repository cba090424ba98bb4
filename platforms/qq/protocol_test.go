package qq_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const (
	appID  = "1109876543"
	secret = "QQ-SECRET-abcdef0123"
)

func TestCode2Session(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"openid":"C3F2A9B1","session_key":"o0q0otL8aEzpcZL/FT9WsQ==","unionid":"UID"}`)
	defer rec.Close()
	d, err := qq.New(qq.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	_, isChecker := any(d).(driver.SessionChecker)
	assert.False(t, isChecker, "QQ documents no server-side session check")

	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "JSCODE"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "C3F2A9B1", UnionID: "UID", SessionKey: "o0q0otL8aEzpcZL/FT9WsQ=="}, resp)
	r := rec.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/sns/jscode2session", r.Path)
	assert.Equal(t, map[string][]string{"appid": {appID}, "secret": {secret}, "js_code": {"JSCODE"}, "grant_type": {"authorization_code"}}, map[string][]string(r.Query))

	for _, tt := range []struct {
		body string
		code taro.Code
	}{
		{`{"errcode":-1,"errmsg":"system busy"}`, taro.CodeUnavailable},
		{`{"errcode":40029,"errmsg":"invalid code"}`, taro.CodeInvalidCode},
		{`{"errcode":45011,"errmsg":"frequency limit"}`, taro.CodeRateLimited},
		{`{"errcode":-1009,"errmsg":"?"}`, taro.CodeUnavailable},
		{`{"errcode":40013,"errmsg":"invalid appid"}`, taro.CodeCredentials},
		{`{"errcode":12345,"errmsg":"?"}`, taro.CodeUnknown},
	} {
		rec.Answer(200, "application/json", tt.body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
		assert.Equal(t, tt.code, taro.CodeOf(err), tt.body)
		assert.NotContains(t, fmt.Sprint(err), secret)
	}
	_, err = qq.New(qq.Config{Secret: secret})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	cfg := qq.Config{AppID: appID, Secret: secret}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), secret)
}

func TestFromNative(t *testing.T) {
	d, _ := qq.New(qq.Config{AppID: "a", Secret: "s"})
	c, _ := taro.NewClient(d)
	for raw, want := range map[string]taro.Code{
		`{"errMsg":"checkSession:ok"}`:                   taro.CodeOK,
		`{"errMsg":"checkSession:fail"}`:                 taro.CodeSessionInvalid,
		`{"errMsg":"checkSession:fail session expired"}`: taro.CodeSessionInvalid,
		`{"ok":true}`: taro.CodeInvalidArgument,
	} {
		_, err := c.FromNative(taro.QQ, "checkSession", []byte(raw))
		assert.Equal(t, want, taro.CodeOf(err), raw)
	}
}

func FuzzFromNative(f *testing.F) {
	f.Add([]byte(`{"errMsg":"checkSession:ok"}`))
	f.Add([]byte(`{"errMsg":"checkSession:fail"}`))
	d, _ := qq.New(qq.Config{AppID: "a", Secret: "s"})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := d.FromNative("checkSession", raw)
		if err != nil && taro.CodeOf(err) != taro.CodeInvalidArgument {
			t.Fatalf("malformed input must be InvalidArgument, got %v", err)
		}
		if err == nil && r.OK == (r.Code != driver.CodeOK) {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}
