package qq_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func TestTokenRequest(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"access_token":"ACCESS_TOKEN","expires_in":7200}`)
	defer rec.Close()
	d, err := qq.New(qq.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	tok, err := d.FetchToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, driver.Token{Value: "ACCESS_TOKEN", ExpiresIn: 7200 * time.Second}, tok)
	r := rec.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/api/getToken", r.Path)
	assert.Equal(t, map[string][]string{"grant_type": {"client_credential"}, "appid": {appID}, "secret": {secret}}, map[string][]string(r.Query))
	for body, code := range map[string]taro.Code{
		`{"errcode":-1,"errmsg":"busy"}`:                  taro.CodeUnavailable,
		`{"errcode":40001,"errmsg":"invalid credential"}`: taro.CodeCredentials,
		`{"errcode":40013,"errmsg":"invalid appid"}`:      taro.CodeCredentials,
		`{"access_token":"x"}`:                            taro.CodeUnavailable,
		`{}`:                                              taro.CodeUnavailable,
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.FetchToken(ctx)
		assert.Equal(t, code, taro.CodeOf(err), body)
	}
}
