package xhs_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/xhs"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const (
	appID  = "xhs-app-1"
	secret = "XHS-SECRET-0123456789"
	token  = "XHS-TOKEN-abcdefghijkl"
)

func TestRequestShapesAndAnswers(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"success":true,"code":0,"msg":"success","data":{"access_token":"` + token + `","expire_in":7200}}`)
	defer rec.Close()
	d, err := xhs.New(xhs.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	assert.False(t, driver.Has(d, driver.CapSessionChecker), "Xiaohongshu documents no server-side check")
	assert.False(t, driver.Has(d, driver.CapRawDataVerifier), "rawData signatures are not confirmed")

	tok, err := d.FetchToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, driver.Token{Value: token, ExpiresIn: 2 * time.Hour}, tok)
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/api/rmp/token", r.Path)
	assert.Equal(t, "application/json", r.ContentType)
	assert.JSONEq(t, `{"appid":"`+appID+`","secret":"`+secret+`"}`, r.Body)

	rec.Answer(200, "application/json", `{"success":true,"code":0,"msg":"success","data":{"openid":"o-1","session_key":"MDEyMzQ1Njc4OWFiY2RlZg=="}}`)
	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c-1", AccessToken: token})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "o-1", SessionKey: "MDEyMzQ1Njc4OWFiY2RlZg=="}, resp)
	r = rec.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/api/rmp/session", r.Path)
	q, _ := url.ParseQuery(r.RawQuery)
	assert.Equal(t, url.Values{"app_id": {appID}, "access_token": {token}, "code": {"c-1"}}, q)

	rec.Answer(200, "application/json", `{"success":true,"code":0,"data":{"open_id":"o-2","session_key":"k"}}`)
	resp, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c", AccessToken: token})
	require.NoError(t, err)
	assert.Equal(t, "o-2", resp.OpenID, "data.open_id is read too")

	for body, code := range map[string]taro.Code{
		`{"success":false,"code":410101,"msg":"app access token mismatch"}`:   taro.CodeTokenInvalid,
		`{"success":false,"code":410002,"msg":"app invalid"}`:                 taro.CodeCredentials,
		`{"success":false,"code":410004,"msg":"secret mismatch"}`:             taro.CodeCredentials,
		`{"success":false,"code":410103,"msg":"code not bound"}`:              taro.CodeInvalidCode,
		`{"success":false,"code":2,"msg":"system error"}`:                     taro.CodeUnavailable,
		`{"success":false,"code":999,"msg":"new"}`:                            taro.CodeUnknown,
		`{"code":0,"data":{"openid":"o","session_key":"k"}}`:                  taro.CodeUnavailable, // no success
		`{"success":"true","code":0,"data":{"openid":"o","session_key":"k"}}`: taro.CodeUnavailable,
		`{"success":true,"code":1,"data":{"openid":"o","session_key":"k"}}`:   taro.CodeUnknown,
		`{"success":true,"code":0,"data":{"openid":"o"}}`:                     taro.CodeUnavailable,
		`{"Success":true,"code":0,"data":{"openid":"o","session_key":"k"}}`:   taro.CodeUnavailable,
		`{"success":true,"code":0,"openid":"o","session_key":"k"}`:            taro.CodeUnavailable, // not under data
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c", AccessToken: token})
		assert.Equal(t, code, taro.CodeOf(err), body)
		assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), secret)
		assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), token)
	}
	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.Equal(t, taro.CodeInvalidArgument, taro.CodeOf(err), "no token")

	cfg := xhs.Config{AppID: appID, Secret: secret}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, cfg), secret)
		assert.NotContains(t, fmt.Sprintf(verb, d), secret)
	}
}

// Decrypt restores the iv's missing base64 padding, and refuses another
// app's data as any failure to open.
func TestDecrypt(t *testing.T) {
	d, err := xhs.New(xhs.Config{AppID: appID, Secret: secret})
	require.NoError(t, err)
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	data, iv, err := fake.SealWeChat(key, appID, []byte(`{"nickName":"Band"}`), time.Unix(1, 0))
	require.NoError(t, err)
	out, err := d.Decrypt(driver.DecryptRequest{SessionKey: key, EncryptedData: data, IV: strings.TrimRight(iv, "=")})
	require.NoError(t, err)
	assert.Contains(t, string(out), `"nickName":"Band"`)
	other, oiv, _ := fake.SealWeChat(key, "another-app", []byte(`{"a":1}`), time.Unix(1, 0))
	_, err = d.Decrypt(driver.DecryptRequest{SessionKey: key, EncryptedData: other, IV: oiv})
	assert.Equal(t, taro.CodeSessionInvalid, taro.CodeOf(err))
}

// Through the portable layer against the sandbox: a stale token on the
// code exchange (410101) is dropped and the exchange made again once.
func TestStaleTokenOnLoginIsRefetchedOnce(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	d, err := makeDriver(sb, sb.App(taro.XHS))
	require.NoError(t, err)
	c, err := taro.NewClient(d)
	require.NoError(t, err)
	code, _ := sb.Login(taro.XHS, "u")
	require.NoError(t, sb.Inject(taro.XHS, sandbox.Code2Session, sandbox.TokenInvalid, 1))
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.XHS, Code: code})
	require.NoError(t, err)
	assert.Equal(t, "u", res.OpenID)
	assert.Equal(t, 2, sb.Requests(taro.XHS, sandbox.Token), "one token, then one refetch")
	assert.Equal(t, 2, sb.Requests(taro.XHS, sandbox.Code2Session))
}

func TestFromNative(t *testing.T) {
	r, err := xhs.FromNative("checkSession", []byte(`{"errMsg":"checkSession:ok"}`))
	require.NoError(t, err)
	assert.True(t, r.OK)
	r, err = xhs.FromNative("checkSession", []byte(`{"errMsg":"checkSession:fail session expired"}`))
	require.NoError(t, err)
	assert.False(t, r.OK)
}
