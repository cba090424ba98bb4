package kwai_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const (
	appID  = "ks715790869885446758"
	secret = "KS-SECRET-cqSvJvBSPJjd4pBH"
)

func TestRequestShapesAndAnswers(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"result":1,"open_id":"f1a2b3","session_key":"MDEyMzQ1Njc4OWFiY2RlZg=="}`)
	defer rec.Close()
	d, err := kwai.New(kwai.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	assert.False(t, driver.Has(d, driver.CapSessionChecker), "Kuaishou documents no server-side check")

	resp, err := d.Code2Session(ctx, driver.LoginRequest{Code: "js-code-1"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "f1a2b3", SessionKey: "MDEyMzQ1Njc4OWFiY2RlZg=="}, resp)
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/oauth2/mp/code2session", r.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
	form, _ := url.ParseQuery(r.Body)
	assert.Equal(t, url.Values{"app_id": {appID}, "app_secret": {secret}, "js_code": {"js-code-1"}}, form)
	assert.Empty(t, r.RawQuery, "the secret travels in the body")

	// The open_id field, and the name it had before.
	rec.Answer(200, "application/json", `{"result":1,"openid":"old-name","session_key":"k"}`)
	resp, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	require.NoError(t, err)
	assert.Equal(t, "old-name", resp.OpenID)

	// Kuaishou's result codes (the KwaiOpenResultCode table).
	for body, code := range map[string]taro.Code{
		`{"result":100200100,"error_msg":"invalid parameters"}`: taro.CodeInvalidArgument,
		`{"result":100200101,"error_msg":"bad app"}`:            taro.CodeCredentials,
		`{"result":100200102,"error_msg":"refused"}`:            taro.CodeCredentials,
		`{"result":100200103,"error_msg":"unsupported type"}`:   taro.CodeInvalidArgument,
		`{"result":100200104,"error_msg":"unsupported grant"}`:  taro.CodeInvalidArgument,
		`{"result":100200105,"error_msg":"invalid code"}`:       taro.CodeInvalidCode,
		`{"result":100200107,"error_msg":"invalid openid"}`:     taro.CodeInvalidArgument,
		`{"result":100200108,"error_msg":"token expired"}`:      taro.CodeTokenInvalid,
		`{"result":100200500,"error_msg":"server error"}`:       taro.CodeUnavailable,
		`{"result":-1,"error_msg":"busy"}`:                      taro.CodeUnknown, // not in the table: never InvalidCode
		`{"result":100200999,"error_msg":"something new"}`:      taro.CodeUnknown,
		`{"open_id":"o","session_key":"k"}`:                     taro.CodeUnavailable, // no result 1
		`{"result":"1","open_id":"o","session_key":"k"}`:        taro.CodeUnavailable,
		`{"result":1,"open_id":"o"}`:                            taro.CodeUnavailable,
		`{"Result":1,"open_id":"o","session_key":"k"}`:          taro.CodeUnavailable,
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
		assert.Equal(t, code, taro.CodeOf(err), body)
		assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), secret)
	}

	rec.Answer(200, "application/json", `{"result":1,"access_token":"ChFvYXV0aC5hY2Nlc3NUb2tlbhI","expires_in":172800,"token_type":"bearer"}`)
	tok, err := d.FetchToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, driver.Token{Value: "ChFvYXV0aC5hY2Nlc3NUb2tlbhI", ExpiresIn: 48 * time.Hour}, tok)
	r = rec.Last()
	assert.Equal(t, "/oauth2/access_token", r.Path)
	form, _ = url.ParseQuery(r.Body)
	assert.Equal(t, url.Values{"app_id": {appID}, "app_secret": {secret}, "grant_type": {"client_credentials"}}, form)
	rec.Answer(200, "application/json", `{"result":100200101,"error_msg":"bad app"}`)
	_, err = d.FetchToken(ctx)
	assert.Equal(t, taro.CodeCredentials, taro.CodeOf(err))

	cfg := kwai.Config{AppID: appID, Secret: secret}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, cfg), secret)
		assert.NotContains(t, fmt.Sprintf(verb, d), secret)
	}
}

func TestFromNative(t *testing.T) {
	for raw, code := range map[string]taro.Code{
		`{"errMsg":"checkSession:ok"}`:           taro.CodeOK,
		`{"errMsg":"checkSession:fail expired"}`: taro.CodeSessionInvalid,
		`{"errMsg":"login:ok"}`:                  taro.CodeInvalidArgument,
		`[]`:                                     taro.CodeInvalidArgument,
	} {
		_, err := taro.FromNative(kwai.Platform, "checkSession", []byte(raw))
		assert.Equal(t, code, taro.CodeOf(err), raw)
	}
}
