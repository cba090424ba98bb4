package lark_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/lark"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// The request shapes of Feishu's docs, its codes, and only an explicit
// code 0 with open_id, session_key and tenant_key is a login; the
// deprecated union_id and the user's tokens are left out.
func TestRequestShapesAndAnswers(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"code":0,"msg":"ok","data":{"open_id":"ou_1","employee_id":"e1","session_key":"a2V5","tenant_key":"736588c9260f175d","access_token":"u-secret","expires_in":1565512680,"refresh_token":"ur-secret","union_id":"on_deprecated"}}`)
	defer rec.Close()
	d, err := lark.New(lark.Config{AppID: "cli_a", Secret: "app-secret", BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	assert.False(t, driver.Has(d, driver.CapSessionChecker), "Feishu documents no server-side check")

	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c1", AccessToken: "t-app"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "ou_1", SessionKey: "a2V5", TenantID: "736588c9260f175d"}, resp, "no union_id")
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/open-apis/mina/v2/tokenLoginValidate", r.Path)
	assert.Equal(t, "Bearer t-app", r.Header.Get("Authorization"))
	assert.Equal(t, "application/json; charset=utf-8", r.ContentType)
	assert.JSONEq(t, `{"code":"c1"}`, r.Body)

	for body, code := range map[string]taro.Code{
		`{"code":10213,"msg":"code appid not match"}`:                                       taro.CodeInvalidCode,
		`{"code":10202,"msg":"access token invalid"}`:                                       taro.CodeTokenInvalid,
		`{"code":99991663,"msg":"tenant token invalid"}`:                                    taro.CodeTokenInvalid,
		`{"code":99991664,"msg":"app token invalid"}`:                                       taro.CodeTokenInvalid,
		`{"code":99991671,"msg":"token invalid"}`:                                           taro.CodeTokenInvalid,
		`{"code":10228,"msg":"user to app has no visibility"}`:                              taro.CodePermissionDenied,
		`{"code":99991400,"msg":"frequency limit"}`:                                         taro.CodeRateLimited,
		`{"code":10012,"msg":"unknown to the table"}`:                                       taro.CodeUnknown,
		`{"msg":"ok","data":{"open_id":"o","session_key":"k","tenant_key":"t"}}`:            taro.CodeUnavailable, // no code 0
		`{"code":"0","msg":"ok","data":{"open_id":"o","session_key":"k","tenant_key":"t"}}`: taro.CodeUnavailable,
		`{"code":0,"msg":"ok","data":{"open_id":"o","session_key":"k"}}`:                    taro.CodeUnavailable, // no tenant
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c", AccessToken: "t"})
		assert.Equal(t, code, taro.CodeOf(err), body)
		if err != nil {
			assert.NotContains(t, err.Error(), "app-secret")
		}
	}

	rec.Answer(200, "application/json", `{"code":0,"msg":"ok","app_access_token":"t-abc","expire":7140,"tenant_access_token":"t-abc"}`)
	tok, err := d.FetchToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, driver.Token{Value: "t-abc", ExpiresIn: 7140 * time.Second}, tok, "expire, in seconds")
	r = rec.Last()
	assert.Equal(t, "/open-apis/auth/v3/app_access_token/internal", r.Path)
	assert.JSONEq(t, `{"app_id":"cli_a","app_secret":"app-secret"}`, r.Body)
}
