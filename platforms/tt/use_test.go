package tt_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func TestResetRequest(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"err_no":0,"err_msg":"","log_id":"1","openid":"o1","session_key":"bmV3LWtleS0xMjM0NTY3OA=="}`)
	defer rec.Close()
	d := newDriver(t, rec)
	assert.True(t, driver.Has(d, driver.CapSessionResetter))
	got, err := d.ResetSession(ctx, driver.ResetRequest{OpenID: "o1", SessionKey: docKey, AccessToken: "ACCESS_TOKEN"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "o1", SessionKey: "bmV3LWtleS0xMjM0NTY3OA=="}, got)
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/mgplatform/api/apps/reset_session_key", r.Path)
	assert.JSONEq(t, `{"access_token":"ACCESS_TOKEN","openid":"o1","signature":"`+docKeyEmptySig+`","sig_method":"hmac_sha256"}`, r.Body)
	assert.NotContains(t, r.Body, docKey)
	for body, code := range map[string]taro.Code{
		`{"err_no":28001039,"err_msg":"bad signature","log_id":"1"}`:  taro.CodeSessionInvalid,
		`{"err_no":28001003,"err_msg":"bad token","log_id":"1"}`:      taro.CodeTokenInvalid,
		`{"err_no":28001038,"err_msg":"bad sig_method","log_id":"1"}`: taro.CodeInvalidArgument,
		`{"openid":"o1","session_key":"k"}`:                           taro.CodeUnavailable,
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.ResetSession(ctx, driver.ResetRequest{OpenID: "o1", SessionKey: docKey, AccessToken: "T"})
		assert.Equal(t, code, taro.CodeOf(err), body)
	}
	// A mini-app has neither the check nor the reset.
	ma, err := tt.New(tt.Config{AppID: appID, Secret: secret})
	require.NoError(t, err)
	assert.False(t, driver.Has(ma, driver.CapSessionResetter))
	assert.False(t, driver.Has(ma, driver.CapSessionChecker))
	assert.True(t, driver.Has(ma, driver.CapDecrypter))
	assert.True(t, driver.Has(ma, driver.CapRawDataVerifier))
}
