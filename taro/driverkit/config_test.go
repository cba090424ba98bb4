package driverkit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// toy is a driver package's Driver: the AppDriver alone.
type toy struct{ driverkit.AppDriver }

func (*toy) Code2Session(_ context.Context, _ driver.LoginRequest) (driver.LoginResponse, error) {
	return driver.LoginResponse{}, nil
}

// A site is the platform's data: its URLs are joined once, and its traits
// and native normaliser are what the AppDriver reports.
func TestSiteDecidesTheAppDriver(t *testing.T) {
	native := func(api string, _ []byte) (driver.NativeResult, error) {
		return driver.NativeResult{OK: api == "login"}, nil
	}
	for _, tc := range []struct {
		site       driverkit.Site
		traits     driver.Traits
		normalises bool
	}{
		{driverkit.Site{Platform: "toy", BaseURL: "https://toy.example/", Login: "/login", Token: "/token"}, driver.Traits{}, false},
		{driverkit.Site{Platform: "toy", BaseURL: "https://toy.example", Login: "/login", Token: "/token", TokenLogin: true, Native: native}, driver.Traits{LoginNeedsToken: true}, true},
		{driverkit.Site{Platform: "toy", BaseURL: "https://toy.example", Login: "/login", Token: "/token", TokenLogin: true, Keyless: true}, driver.Traits{Keyless: true, LoginNeedsToken: true}, false},
	} {
		d, err := driverkit.New[toy](tc.site, driverkit.AppConfig{AppID: "app", Secret: "s3cr3t-value"})
		require.NoError(t, err)
		assert.Equal(t, "https://toy.example/login", d.LoginURL())
		assert.Equal(t, "https://toy.example/token", d.TokenURL())
		assert.Equal(t, tc.traits, driver.TraitsOf(d))
		assert.Equal(t, tc.normalises, driver.Has(d, driver.CapNativeNormalizer))
		if !tc.normalises {
			_, err := d.FromNative("login", []byte(`{}`))
			assert.ErrorIs(t, err, driver.Sentinel(driver.CodeNotSupported))
		} else {
			r, err := d.FromNative("login", []byte(`{}`))
			require.NoError(t, err)
			assert.True(t, r.OK)
		}
		assert.NotContains(t, fmt.Sprintf("%v %+v %#v", d, d, d), "s3cr3t-value")
		assert.ErrorIs(t, d.CheckLogin(driver.LoginRequest{AnonymousCode: "a"}), driver.Sentinel(driver.CodeInvalidArgument), "no anonymous login")
		assert.Equal(t, tc.traits.LoginNeedsToken, d.CheckLogin(driver.LoginRequest{Code: "c"}) != nil, "a token login needs the token")
		assert.NoError(t, d.CheckLogin(driver.LoginRequest{Code: "c", AccessToken: "t"}))
	}
	d, err := driverkit.New[toy](driverkit.Site{Platform: "toy", BaseURL: "https://toy.example"}, driverkit.AppConfig{AppID: "app", Secret: "s", BaseURL: "http://127.0.0.1:1/toy"})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1/toy", d.LoginURL(), "BaseURL replaces the site's host")
	_, err = driverkit.New[toy](driverkit.Site{Platform: "toy"}, driverkit.AppConfig{AppID: "app"})
	assert.Error(t, err, "the secret is required")
}

// DecodeZero: a success only with errcode the number 0, under that name;
// a failure code is the platform's error, anything else not understood.
func TestWeChatDecodeZero(t *testing.T) {
	api := driverkit.WeChatAPI{Platform: "toy", Classify: func(_ string, code driverkit.Code) driver.Code {
		if code == "40001" {
			return driver.CodeTokenInvalid
		}
		return driver.CodeUnknown
	}}
	var resp struct {
		driverkit.WeChatFrame
		OpenID string `json:"openid"`
	}
	require.NoError(t, api.DecodeZero("reset", []byte(`{"errcode":0,"errmsg":"ok","openid":"o1"}`), &resp))
	assert.Equal(t, "o1", resp.OpenID)
	for body, want := range map[string]error{
		`{"errcode":40001,"errmsg":"invalid credential"}`: driver.Sentinel(driver.CodeTokenInvalid),
		`{"errmsg":"ok","openid":"o1"}`:                   driverkit.ErrNotUnderstood,
		`{"errcode":"0","openid":"o1"}`:                   driverkit.ErrNotUnderstood,
		`{"ErrCode":0,"openid":"o1"}`:                     driverkit.ErrNotUnderstood,
	} {
		var fresh driverkit.WeChatFrame
		assert.ErrorIs(t, api.DecodeZero("reset", []byte(body), &fresh), want, body)
	}
	assert.Error(t, api.DecodeZero("reset", []byte(`<html>`), &driverkit.WeChatFrame{}))
}
