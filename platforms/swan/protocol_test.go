package swan_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const (
	appKey = "4fecoAqgCIUtzIyA4FAPgoyrc4oUc25c" // the App Key example in Baidu's docs
	secret = "SWAN-SECRET-0123456789"
)

func TestCode2Session(t *testing.T) {
	ctx := context.Background()
	// The documented success body.
	rec := sandboxtest.NewRecorder(`{"openid":"ABCDEFG123","session_key":"xxxxxx"}`)
	defer rec.Close()
	d, err := swan.New(swan.Config{AppID: appKey, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	_, isChecker := any(d).(driver.SessionChecker)
	assert.False(t, isChecker, "Baidu documents no server-side session check")

	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "xxx"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "ABCDEFG123", SessionKey: "xxxxxx"}, resp)
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/oauth/jscode2sessionkey", r.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
	form, err := url.ParseQuery(r.Body)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"code": {"xxx"}, "client_id": {appKey}, "sk": {secret}}, form)
	assert.Empty(t, r.RawQuery, "credentials travel in the body, not the URL")

	for _, tt := range []struct {
		body string
		code taro.Code
	}{
		{`{"error":"invalid_grant","error_description":"Invalid authorization code"}`, taro.CodeInvalidCode},
		{`{"error":"invalid_client","error_description":"unknown client id"}`, taro.CodeCredentials},
		{`{"error":"invalid_request","error_description":"missing code"}`, taro.CodeInvalidArgument},
		{`{"error":"unauthorized_client","error_description":"x"}`, taro.CodeCredentials},
		{`{"error":"unsupported_grant_type","error_description":"x"}`, taro.CodeInvalidArgument},
		// spapi's own failure shape (Baidu's example): errno is the code,
		// "error" a description.
		{`{"errno":10010100,"error":"parameter is invalid","error_description":"Key: 'Code2SessionKeyParam.ClientID' Error:Field validation for 'ClientID' failed on the 'required' tag"}`, taro.CodeInvalidArgument},
		{`{"errno":40001,"error":"invalid_grant","error_description":"Invalid authorization code"}`, taro.CodeInvalidCode},
		{`{"errno":40002,"error":"invalid_client","error_description":"unknown client id"}`, taro.CodeCredentials},
		{`{"errno":123,"error":"something else","error_description":"x"}`, taro.CodeUnknown},
		// Neither a success nor an error: never a login.
		{`{}`, taro.CodeUnavailable},
		{`{"openid":"o"}`, taro.CodeUnavailable},
		{`{"session_key":"k"}`, taro.CodeUnavailable},
		{`{"errno":0}`, taro.CodeUnavailable},
		{`{"error_code":2,"error_msg":"Service temporarily unavailable"}`, taro.CodeUnavailable},
		{`{"error_code":18,"error_msg":"Open api qps request limit reached"}`, taro.CodeRateLimited},
		{`{"error_code":"110","error_msg":"Access token invalid"}`, taro.CodeCredentials},
		{`{"errno":1,"msg":"?"}`, taro.CodeUnknown},
	} {
		rec.Answer(200, "application/json", tt.body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
		assert.Equal(t, tt.code, taro.CodeOf(err), tt.body)
		assert.NotContains(t, fmt.Sprint(err), secret)
	}
	cfg := swan.Config{AppID: appKey, Secret: secret}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), secret)

	// The errno is the PlatformCode of an spapi failure.
	rec.Answer(200, "application/json", `{"errno":10010100,"error":"parameter is invalid","error_description":"missing"}`)
	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	var de *driver.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "10010100", de.PlatformCode)

	// An OAuth error with HTTP 400 is read from its body, not retried as
	// an outage.
	rec.Answer(400, "application/json", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`)
	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.Equal(t, taro.CodeInvalidCode, taro.CodeOf(err))
}

func TestLegacyLogin(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"openid":"ABCDEFG123","session_key":"1df09d0a1677dd72b8325aec59576e0c"}`)
	defer rec.Close()
	d, err := swan.New(swan.Config{AppID: appKey, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client(), LegacyLogin: true})
	require.NoError(t, err)
	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "xxx"})
	require.NoError(t, err)
	assert.Equal(t, "ABCDEFG123", resp.OpenID)
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/nalogin/getSessionKeyByCode", r.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
	form, err := url.ParseQuery(r.Body)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"code": {"xxx"}, "client_id": {appKey}, "sk": {secret}}, form)

	rec.Answer(200, "application/json", `{"error":"invalid_grant","error_description":"Invalid authorization code"}`)
	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.Equal(t, taro.CodeInvalidCode, taro.CodeOf(err))
	assert.Equal(t, "https://openapi.baidu.com", swan.DefaultLegacyBaseURL)
}

// Every documented client-side shape of swan.checkSession.
var nativeCases = []struct {
	name, raw string
	code      taro.Code
	pcode     string
}{
	{"success", `{"errMsg":"checkSession:ok"}`, taro.CodeOK, ""},
	{"legacy success with result true", `{"result":true}`, taro.CodeOK, ""},
	{"legacy success with result true and errMsg", `{"errMsg":"checkSession:ok","result":true}`, taro.CodeOK, ""},
	{"legacy success with result false is an invalid session", `{"result":false}`, taro.CodeSessionInvalid, "result:false"},
	{"legacy result false with errMsg ok", `{"errMsg":"checkSession:ok","result":false}`, taro.CodeSessionInvalid, "result:false"},
	{"Android 201 protocol parse failure", `{"errCode":201,"errMsg":"checkSession:fail parse error"}`, taro.CodeInvalidArgument, "201"},
	{"Android 1001 execution failed", `{"errCode":1001,"errMsg":"checkSession:fail"}`, taro.CodeUnavailable, "1001"},
	{"iOS 202 parameter parse failure", `{"errCode":202,"errMsg":"checkSession:fail"}`, taro.CodeInvalidArgument, "202"},
	{"iOS 10001 internal error", `{"errCode":10001,"errMsg":"checkSession:fail internal error"}`, taro.CodeUnavailable, "10001"},
	{"iOS 10002 network failure", `{"errCode":10002,"errMsg":"checkSession:fail network"}`, taro.CodeUnavailable, "10002"},
	{"iOS 10004 user not logged in", `{"errCode":10004,"errMsg":"user not login"}`, taro.CodeSessionInvalid, "10004"},
	{"errno instead of errCode", `{"errno":"10004","errMsg":"checkSession:fail"}`, taro.CodeSessionInvalid, "10004"},
	{"fail without a code (3.120.9+: invalid session)", `{"errMsg":"checkSession:fail session key expired"}`, taro.CodeSessionInvalid, ""},
	{"result not a boolean", `{"result":"yes"}`, taro.CodeInvalidArgument, ""},
	{"nothing recognisable", `{"foo":1}`, taro.CodeInvalidArgument, ""},
	{"errMsg of another api", `{"errMsg":"login:ok"}`, taro.CodeInvalidArgument, ""},
}

func TestFromNative(t *testing.T) {
	d, _ := swan.New(swan.Config{AppID: "a", Secret: "s"})
	c, _ := taro.NewClient(d)
	for _, tt := range nativeCases {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.FromNative(taro.Swan, "checkSession", []byte(tt.raw))
			assert.Equal(t, tt.code, taro.CodeOf(err), "%v", err)
			assert.Equal(t, tt.pcode, res.PlatformCode)
			if tt.code == taro.CodeOK {
				assert.Equal(t, "checkSession:ok", res.ErrMsg)
			}
		})
	}
}

func FuzzFromNative(f *testing.F) {
	for _, c := range nativeCases {
		f.Add([]byte(c.raw))
	}
	d, _ := swan.New(swan.Config{AppID: "a", Secret: "s"})
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
