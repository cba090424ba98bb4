package tt_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const (
	appID  = "tt5daf2b12c2857910"
	secret = "TT-SECRET-188506c5a31de40625ec7"
	// The session key of Douyin's signature doc example and its signature
	// over {"foo":"bar"} is asserted in internal/loginsig; over "" it is
	// (computed with openssl dgst -sha256 -hmac):
	docKey         = "724edcafc423d167724edcbe"
	docKeyEmptySig = "e2ea0445b854b6fd9ef37427d8a50972b7d91394217ddc2bfa116e11d97ad471"
)

func newDriver(t *testing.T, rec *sandboxtest.Recorder) *tt.Driver {
	t.Helper()
	d, err := tt.New(tt.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client(), MiniGame: true})
	require.NoError(t, err)
	return d
}

func TestRequestShapes(t *testing.T) {
	ctx := context.Background()
	// The documented code2session success body.
	rec := sandboxtest.NewRecorder(`{"err_no":0,"err_tips":"success","data":{"session_key":"hZy6t19VPjFqm1EqGNHqvA==","openid":"V3zT2fE4vr6hMuVo","anonymous_openid":"","unionid":"f7510d9ab1b07e8b"}}`)
	defer rec.Close()
	d := newDriver(t, rec)

	t.Run("code2session is a JSON POST to /api/apps/v2/jscode2session", func(t *testing.T) {
		resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "fb93de745xBa9DyeMuM8q4QQLeD"})
		require.NoError(t, err)
		assert.Equal(t, driver.LoginResponse{OpenID: "V3zT2fE4vr6hMuVo", UnionID: "f7510d9ab1b07e8b", SessionKey: "hZy6t19VPjFqm1EqGNHqvA=="}, resp)
		r := rec.Last()
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/api/apps/v2/jscode2session", r.Path)
		assert.Equal(t, "application/json", r.ContentType)
		assert.JSONEq(t, `{"appid":"`+appID+`","secret":"`+secret+`","code":"fb93de745xBa9DyeMuM8q4QQLeD"}`, r.Body)
	})
	t.Run("an anonymous code alone is sent as anonymous_code", func(t *testing.T) {
		rec.Answer(200, "application/json", `{"err_no":0,"err_tips":"success","data":{"session_key":"k","openid":"","anonymous_openid":"anon-1","unionid":""}}`)
		resp, err := d.Code2Session(ctx, driver.LoginRequest{AnonymousCode: "anon-code"})
		require.NoError(t, err)
		assert.Equal(t, "anon-1", resp.AnonymousOpenID)
		assert.JSONEq(t, `{"appid":"`+appID+`","secret":"`+secret+`","anonymous_code":"anon-code"}`, rec.Last().Body)
	})
	t.Run("token is a JSON POST to /api/apps/v2/token", func(t *testing.T) {
		rec.Answer(200, "application/json", `{"err_no":0,"err_tips":"success","data":{"access_token":"0801121846735352506a356a6","expires_in":7200}}`)
		tok, err := d.FetchToken(ctx)
		require.NoError(t, err)
		assert.Equal(t, driver.Token{Value: "0801121846735352506a356a6", ExpiresIn: 7200 * time.Second}, tok)
		r := rec.Last()
		assert.Equal(t, "/api/apps/v2/token", r.Path)
		assert.JSONEq(t, `{"appid":"`+appID+`","secret":"`+secret+`","grant_type":"client_credential"}`, r.Body)
	})
	t.Run("check_session_key is a GET signed over the empty string", func(t *testing.T) {
		// The documented success body.
		rec.Answer(200, "application/json", `{ "err_no": 0, "err_msg": "", "log_id": "20250528154636C3DD5EA834B0BF27F544" }`)
		require.NoError(t, d.CheckSession(ctx, driver.CheckRequest{OpenID: "_000nHq5DzNNx9nNWOEE_AJBEXS-b01ol-E5", SessionKey: docKey, AccessToken: "080112184745453548436d332b764a35493643713663735074673d3d"}))
		r := rec.Last()
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/mgplatform/api/apps/check_session_key", r.Path)
		assert.Equal(t, map[string][]string{"access_token": {"080112184745453548436d332b764a35493643713663735074673d3d"},
			"openid": {"_000nHq5DzNNx9nNWOEE_AJBEXS-b01ol-E5"}, "signature": {docKeyEmptySig}, "sig_method": {"hmac_sha256"}}, map[string][]string(r.Query))
		assert.NotContains(t, r.RawQuery, docKey)
	})
}

func TestErrorTables(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, call, body string
		code             taro.Code
	}{
		{"40018 bad code", "code2session", `{"err_no":40018,"err_tips":"bad code"}`, taro.CodeInvalidCode},
		{"40019 bad anonymous code", "code2session", `{"err_no":40019,"err_tips":"bad anonymous_code"}`, taro.CodeInvalidCode},
		{"40015 bad appid", "code2session", `{"err_no":40015,"err_tips":"bad appid"}`, taro.CodeCredentials},
		{"-1 system error", "code2session", `{"err_no":-1,"err_tips":"system error"}`, taro.CodeUnavailable},
		{"the documented bad-secret token answer", "token", `{"err_no":40017,"err_tips":"bad secret","data":{"access_token":"","expires_in":0}}`, taro.CodeCredentials},
		{"40020 bad grant_type is a malformed request", "token", `{"err_no":40020,"err_tips":"bad grant_type"}`, taro.CodeInvalidArgument},
		{"28001003 invalid access_token", "check", `{"err_no":28001003,"err_msg":"invalid access_token","log_id":"1"}`, taro.CodeTokenInvalid},
		{"28001008 access_token expired", "check", `{"err_no":28001008,"err_msg":"access_token expired","log_id":"1"}`, taro.CodeTokenInvalid},
		{"28001039 bad signature", "check", `{"err_no":28001039,"err_msg":"invalid signature","log_id":"1"}`, taro.CodeSessionInvalid},
		{"28001004 invalid openid", "check", `{"err_no":28001004,"err_msg":"invalid openid","log_id":"1"}`, taro.CodeSessionInvalid},
		{"28001005 busy", "check", `{"err_no":28001005,"err_msg":"system busy","log_id":"1"}`, taro.CodeUnavailable},
		{"28003018 too frequent", "check", `{"err_no":28003018,"err_msg":"too frequent","log_id":"1"}`, taro.CodeRateLimited},
		{"28001038 sig_method not supported is a malformed request", "check", `{"err_no":28001038,"err_msg":"bad sig_method","log_id":"1"}`, taro.CodeInvalidArgument},
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
			assert.NotContains(t, fmt.Sprint(err), secret)
		})
	}
}

func TestConfig(t *testing.T) {
	_, err := tt.New(tt.Config{AppID: appID})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	cfg := tt.Config{AppID: appID, Secret: secret}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), secret)
}

func TestFromNative(t *testing.T) {
	d, _ := tt.New(tt.Config{AppID: "a", Secret: "s"})
	c, _ := taro.NewClient(d)
	tests := []struct {
		raw   string
		code  taro.Code
		pcode string
	}{
		{`{"errMsg":"checkSession:ok"}`, taro.CodeOK, ""},
		{`{"errMsg":"checkSession:fail session is empty","errorCode":113101,"errorType":"D"}`, taro.CodeSessionInvalid, "113101"},
		{`{"errMsg":"checkSession:fail session is expired","errorCode":113102,"errorType":"D"}`, taro.CodeSessionInvalid, "113102"},
		{`{"errMsg":"checkSession:fail Internal error: timeout","errorCode":113191,"errorType":"C"}`, taro.CodeUnavailable, "113191"},
		{`{"errMsg":"checkSession:fail session is expired","errNo":113102}`, taro.CodeSessionInvalid, "113102"},
		{`{"errMsg":"checkSession:fail"}`, taro.CodeSessionInvalid, ""},
		{`{"errorCode":113101}`, taro.CodeInvalidArgument, ""},
		{`{"errMsg":"checkSession:maybe"}`, taro.CodeInvalidArgument, ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			res, err := c.FromNative(taro.TT, "checkSession", []byte(tt.raw))
			assert.Equal(t, tt.code, taro.CodeOf(err), "%v", err)
			assert.Equal(t, tt.pcode, res.PlatformCode)
		})
	}
}

func FuzzFromNative(f *testing.F) {
	for _, s := range []string{
		`{"errMsg":"checkSession:ok"}`,
		`{"errMsg":"checkSession:fail session is expired","errorCode":113102,"errorType":"D"}`,
		`{"errMsg":"checkSession:fail Internal error: x","errorCode":113191}`,
		`{"errMsg":"checkSession:fail session is empty","errNo":113101}`,
		`{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	d, _ := tt.New(tt.Config{AppID: "a", Secret: "s"})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := d.FromNative("checkSession", raw)
		if err != nil {
			if taro.CodeOf(err) != taro.CodeInvalidArgument {
				t.Fatalf("malformed input must be InvalidArgument, got %v", err)
			}
			return
		}
		if r.OK == (r.Code != driver.CodeOK) {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}
