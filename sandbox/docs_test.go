package sandbox_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Baidu: spapi's own failure shape (a non-zero errno on every failure, as
// Baidu's official SDK reads it), keys in Baidu's format, the official
// SDK's GET, and the legacy mini-game login.
func TestBaiduAsDocumented(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Swan)
	base := sb.BaseURL(taro.Swan)
	code, _ := sb.Login(taro.Swan, "bd-user")
	key, _ := sb.SessionKey(taro.Swan, "bd-user")
	assert.Len(t, key, 32, "Baidu's keys are 32 characters")
	raw, err := base64.StdEncoding.DecodeString(key)
	require.NoError(t, err)
	assert.Len(t, raw, 24, "that decode to 24 bytes (an AES-192 key)")

	// What Baidu's official SDK sends: GET with query parameters and its
	// version fields.
	q := url.Values{"code": {code}, "client_id": {app.ID}, "sk": {app.Secret}, "sp_sdk_ver": {"1.0.0"}, "sp_sdk_lang": {"go"}}
	m := get(t, base+"/oauth/jscode2sessionkey?"+q.Encode())
	assert.Equal(t, "bd-user", m["openid"])
	assert.NotContains(t, m, "errno")
	// A used code: the SDK reads errno, so the answer must carry one.
	m = get(t, base+"/oauth/jscode2sessionkey?"+q.Encode())
	assert.NotZero(t, m["errno"], "a used code is not a success to a reader of errno")
	assert.Equal(t, "invalid_grant", m["error"])
	m = post(t, base+"/oauth/jscode2sessionkey", "application/x-www-form-urlencoded", url.Values{"code": {"x"}}.Encode())
	assert.Equal(t, float64(10010100), m["errno"])
	assert.Equal(t, "parameter is invalid", m["error"], "on spapi error is a description")
	m = post(t, base+"/oauth/jscode2sessionkey", "application/x-www-form-urlencoded", url.Values{"code": {"x"}, "client_id": {app.ID}, "sk": {"bad"}}.Encode())
	assert.NotZero(t, m["errno"])

	// The legacy mini-game login, through the driver.
	d, err := swan.New(swan.Config{AppID: app.ID, Secret: app.Secret, BaseURL: base, LegacyLogin: true})
	require.NoError(t, err)
	c, err := taro.NewClient(d)
	require.NoError(t, err)
	ctx := context.Background()
	sb.ResetCounters()
	code, _ = sb.Login(taro.Swan, "bd-game")
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	require.NoError(t, err)
	assert.Equal(t, "bd-game", res.OpenID)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	assert.ErrorIs(t, err, taro.ErrInvalidCode, "an OAuth error with HTTP 400 is read from its body")
	assert.Equal(t, 2, sb.Requests(taro.Swan, sandbox.Code2Session), "and not retried as an outage")

	// spapi through the driver: a used code is InvalidCode with the errno.
	d2, _ := swan.New(swan.Config{AppID: app.ID, Secret: app.Secret, BaseURL: base})
	c2, _ := taro.NewClient(d2)
	code, _ = sb.Login(taro.Swan, "bd-app")
	_, err = c2.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	require.NoError(t, err)
	_, err = c2.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	var te *taro.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, taro.CodeInvalidCode, te.Code)
	assert.Equal(t, "10010101", te.PlatformCode, "the errno is the platform code")
}

// Douyin: an anonymous-only login carries no session key.
func TestDouyinAnonymousLoginHasNoKey(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.TT)
	anon, _ := sb.AnonymousLogin("tt-anon")
	m := post(t, sb.BaseURL(taro.TT)+"/api/apps/v2/jscode2session", "application/json", `{"appid":"`+app.ID+`","secret":"`+app.Secret+`","anonymous_code":"`+anon+`"}`)
	assert.Equal(t, float64(0), m["err_no"])
	data := m["data"].(map[string]any)
	assert.Equal(t, "tt-anon", data["anonymous_openid"])
	assert.Empty(t, data["session_key"])
	assert.Empty(t, data["openid"])
}

// WeChat: force_refresh ends the previous stable token at once, and the
// classic GET /cgi-bin/token that other SDKs call is served.
func TestWeChatTokens(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	base := sb.BaseURL(taro.Weapp)
	code, _ := sb.Login(taro.Weapp, "u1")
	_ = get(t, base+"/sns/jscode2session?"+url.Values{"appid": {app.ID}, "secret": {app.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}.Encode())
	key, _ := sb.SessionKey(taro.Weapp, "u1")
	check := func(tok string) float64 {
		m := get(t, base+"/wxa/checksession?"+url.Values{"access_token": {tok}, "openid": {"u1"},
			"signature": {driverkit.SignLoginState(key, "")}, "sig_method": {"hmac_sha256"}}.Encode())
		return m["errcode"].(float64)
	}
	body := func(force bool) string {
		return fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q,"force_refresh":%t}`, app.ID, app.Secret, force)
	}
	t1 := post(t, base+"/cgi-bin/stable_token", "application/json", body(false))["access_token"].(string)
	assert.Equal(t, float64(0), check(t1))
	t2 := post(t, base+"/cgi-bin/stable_token", "application/json", body(true))["access_token"].(string)
	assert.NotEqual(t, t1, t2)
	assert.Equal(t, float64(40001), check(t1), "force_refresh ends the previous token at once")
	assert.Equal(t, float64(0), check(t2))

	sb.ResetCounters()
	classic := func() map[string]any {
		return get(t, base+"/cgi-bin/token?"+url.Values{"grant_type": {"client_credential"}, "appid": {app.ID}, "secret": {app.Secret}}.Encode())
	}
	c1 := classic()
	c2 := classic()
	assert.NotEqual(t, c1["access_token"], c2["access_token"], "every call mints a new token")
	assert.Equal(t, float64(7200), c2["expires_in"])
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.Token), "counted under the token endpoint")
	assert.Equal(t, float64(0), check(c1["access_token"].(string)), "the previous one keeps working for a while")
	require.NoError(t, sb.Advance(5*time.Minute+time.Second))
	assert.Equal(t, float64(42001), check(c1["access_token"].(string)), "for five minutes")
	assert.Equal(t, float64(0), check(c2["access_token"].(string)))
	m := get(t, base+"/cgi-bin/token?"+url.Values{"grant_type": {"client_credential"}, "appid": {app.ID}, "secret": {"bad"}}.Encode())
	assert.Equal(t, float64(40125), m["errcode"])
}

// The sandbox is bounded: faults, codes and the clock.
func TestSandboxIsBounded(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	assert.Error(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Busy, 1_000_001))
	assert.Error(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Busy, sandbox.MaxFaultsPerCall+1))
	for range sandbox.MaxPendingFaults / sandbox.MaxFaultsPerCall {
		require.NoError(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Busy, sandbox.MaxFaultsPerCall))
	}
	assert.Error(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Busy, 1), "pending faults are capped in total")
	sb.ClearFaults()

	admin := func(path, body string) int {
		resp, err := http.Post(sb.URL()+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 400, admin("/admin/faults", `{"platform":"qq","endpoint":"code2session","kind":"busy","count":1000000}`))
	assert.Equal(t, 204, admin("/admin/faults", `{"platform":"qq","endpoint":"code2session","kind":"busy","count":1000}`))
	assert.Equal(t, 400, admin("/admin/advance", `{"seconds":9223372036}`), "no clock overflow")
	assert.Equal(t, 400, admin("/admin/advance", `{"seconds":1e30}`))
	before := sb.Now()
	assert.Equal(t, 204, admin("/admin/advance", `{"seconds":3600}`))
	assert.True(t, sb.Now().After(before))
	assert.Error(t, sb.Advance(sandbox.MaxAdvance))
	assert.True(t, sb.Now().Year() < 2300, "the clock stays sane: %v", sb.Now())

	// Used and expired codes are purged: the table stays bounded.
	for range 5000 {
		_, err := sb.Login(taro.QQ, "u")
		require.NoError(t, err)
		require.NoError(t, sb.Advance(time.Second))
	}
	// Expired ones (older than 5 minutes) go at the next purge.
	assert.Less(t, sb.CodeCount(taro.QQ), 1400, "codes do not pile up")
}

// WeChat documents its classic and stable tokens as fully isolated
// (完全隔离，互不影响): each has its own tokens and expiry; a stable
// force_refresh leaves the classic token valid, and a new classic token
// shortens no stable one. The driver (stable tokens) keeps its token while
// another SDK on the same app calls the classic API.
func TestWeChatTokenFamiliesAreIsolated(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	base := sb.BaseURL(taro.Weapp)
	code, _ := sb.Login(taro.Weapp, "u1")
	_ = get(t, base+"/sns/jscode2session?"+url.Values{"appid": {app.ID}, "secret": {app.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}.Encode())
	key, _ := sb.SessionKey(taro.Weapp, "u1")
	check := func(tok string) float64 {
		m := get(t, base+"/wxa/checksession?"+url.Values{"access_token": {tok}, "openid": {"u1"},
			"signature": {driverkit.SignLoginState(key, "")}, "sig_method": {"hmac_sha256"}}.Encode())
		return m["errcode"].(float64)
	}
	stable := func(force bool) string {
		body := fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q,"force_refresh":%t}`, app.ID, app.Secret, force)
		return post(t, base+"/cgi-bin/stable_token", "application/json", body)["access_token"].(string)
	}
	classic := func() string {
		return get(t, base+"/cgi-bin/token?"+url.Values{"grant_type": {"client_credential"}, "appid": {app.ID}, "secret": {app.Secret}}.Encode())["access_token"].(string)
	}
	c1 := classic()
	s1 := stable(false)
	assert.NotEqual(t, c1, s1, "the stable token is not the classic one")
	assert.Equal(t, s1, stable(false), "normal mode: the same stable token")
	s2 := stable(true)
	assert.Equal(t, float64(40001), check(s1), "force_refresh ends the previous stable token")
	assert.Equal(t, float64(0), check(c1), "and leaves the classic token valid")
	c2 := classic()
	require.NoError(t, sb.Advance(5*time.Minute+time.Second))
	assert.Equal(t, float64(42001), check(c1), "a new classic token shortens the classic ones")
	assert.Equal(t, float64(0), check(c2))
	assert.Equal(t, float64(0), check(s2), "and no stable one")
	assert.Equal(t, s2, stable(false))

	// The driver's token path beside another SDK's classic calls.
	d, err := weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: base, HTTPClient: sb.HTTPClient()})
	require.NoError(t, err)
	c, err := taro.NewClient(d)
	require.NoError(t, err)
	ctx := context.Background()
	code, _ = sb.Login(taro.Weapp, "u2")
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: res.Session})
	require.NoError(t, err)
	sb.ResetCounters()
	classic()
	classic()
	require.NoError(t, sb.Advance(5*time.Minute+time.Second))
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: res.Session})
	require.NoError(t, err)
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.Token), "the driver's stable token outlived two classic calls: no refetch")
}
