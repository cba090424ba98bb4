package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// get fetches u and decodes the JSON object it answers.
func get(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	return decode(t, resp)
}

func post(t *testing.T, u, ctype, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(u, ctype, strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	return decode(t, resp)
}

func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

func TestWeChatProtocol(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	base := sb.BaseURL(taro.Weapp)
	c2s := func(code string) map[string]any {
		return get(t, base+"/sns/jscode2session?"+url.Values{"appid": {app.ID}, "secret": {app.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}.Encode())
	}

	code, err := sb.Login(taro.Weapp, "user-1")
	require.NoError(t, err)
	m := c2s(code)
	assert.NotContains(t, m, "errcode", "no errcode on success since 2020-12")
	assert.Equal(t, "user-1", m["openid"])
	key, _ := sb.SessionKey(taro.Weapp, "user-1")
	assert.Equal(t, key, m["session_key"])
	assert.Len(t, key, 24, "a base64 16-byte key, like WeChat's")
	assert.Equal(t, float64(40163), c2s(code)["errcode"], "a code is single-use")
	assert.Equal(t, float64(40029), c2s("nope")["errcode"])
	assert.Contains(t, c2s("nope")["errmsg"], ", rid: ", "live errmsg values carry a rid suffix")

	code, _ = sb.Login(taro.Weapp, "user-1")
	sb.Advance(5*time.Minute + time.Second)
	assert.Equal(t, float64(40029), c2s(code)["errcode"], "codes live 5 minutes")

	m = get(t, base+"/sns/jscode2session?"+url.Values{"appid": {app.ID}, "secret": {"wrong"}, "js_code": {"x"}, "grant_type": {"authorization_code"}}.Encode())
	assert.Equal(t, float64(40125), m["errcode"])

	// stable_token: the same token for every caller in normal mode.
	tokBody := `{"grant_type":"client_credential","appid":"` + app.ID + `","secret":"` + app.Secret + `"}`
	t1 := post(t, base+"/cgi-bin/stable_token", "application/json", tokBody)
	t2 := post(t, base+"/cgi-bin/stable_token", "application/json", tokBody)
	assert.Equal(t, t1["access_token"], t2["access_token"])
	assert.Equal(t, float64(7200), t1["expires_in"])
	tok := t1["access_token"].(string)

	check := func(tok, openid, sig string) map[string]any {
		return get(t, base+"/wxa/checksession?"+url.Values{"access_token": {tok}, "openid": {openid}, "signature": {sig}, "sig_method": {"hmac_sha256"}}.Encode())
	}
	key, _ = sb.SessionKey(taro.Weapp, "user-1")
	assert.Equal(t, map[string]any{"errcode": float64(0), "errmsg": "ok"}, check(tok, "user-1", driverkit.SignLoginState(key, "")))
	assert.Equal(t, float64(87009), check(tok, "user-1", driverkit.SignLoginState("other", ""))["errcode"])
	assert.Equal(t, float64(40001), check("bogus", "user-1", driverkit.SignLoginState(key, ""))["errcode"])
	_, _ = sb.Login(taro.Weapp, "user-1") // rotates
	assert.Equal(t, float64(87009), check(tok, "user-1", driverkit.SignLoginState(key, ""))["errcode"], "the old key is invalid after a new login")
	sb.Advance(2 * time.Hour)
	assert.Equal(t, float64(42001), check(tok, "user-1", driverkit.SignLoginState(key, ""))["errcode"], "tokens expire")

	assert.Equal(t, 6, sb.Requests(taro.Weapp, sandbox.Code2Session))
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.Token))
	assert.Equal(t, 5, sb.Requests(taro.Weapp, sandbox.CheckSession))
}

func TestDouyinProtocol(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.TT)
	base := sb.BaseURL(taro.TT)
	code, _ := sb.Login(taro.TT, "tt-user")
	anon, _ := sb.AnonymousLogin("tt-anon")
	m := post(t, base+"/api/apps/v2/jscode2session", "application/json", `{"appid":"`+app.ID+`","secret":"`+app.Secret+`","code":"`+code+`","anonymous_code":"`+anon+`"}`)
	assert.Equal(t, float64(0), m["err_no"])
	assert.Equal(t, "success", m["err_tips"])
	data := m["data"].(map[string]any)
	assert.Equal(t, "tt-user", data["openid"])
	assert.Equal(t, "tt-anon", data["anonymous_openid"])
	assert.Equal(t, float64(40018), post(t, base+"/api/apps/v2/jscode2session", "application/json", `{"appid":"`+app.ID+`","secret":"`+app.Secret+`","code":"`+code+`"}`)["err_no"])

	m = post(t, base+"/api/apps/v2/token", "application/json", `{"appid":"`+app.ID+`","secret":"wrong","grant_type":"client_credential"}`)
	assert.Equal(t, map[string]any{"err_no": float64(40017), "err_tips": "bad secret", "data": map[string]any{"access_token": "", "expires_in": float64(0)}}, m,
		"the documented bad-secret answer")
	m = post(t, base+"/api/apps/v2/token", "application/json", `{"appid":"`+app.ID+`","secret":"`+app.Secret+`","grant_type":"client_credential"}`)
	tok := m["data"].(map[string]any)["access_token"].(string)
	key, _ := sb.SessionKey(taro.TT, "tt-user")
	check := func(sig string) map[string]any {
		return get(t, base+"/mgplatform/api/apps/check_session_key?"+url.Values{"access_token": {tok}, "openid": {"tt-user"}, "signature": {sig}, "sig_method": {"hmac_sha256"}}.Encode())
	}
	m = check(driverkit.SignLoginState(key, ""))
	assert.Equal(t, float64(0), m["err_no"])
	assert.Equal(t, "", m["err_msg"])
	assert.NotEmpty(t, m["log_id"])
	assert.Equal(t, float64(28001039), check(driverkit.SignLoginState("x", ""))["err_no"])

	// A new token shortens the previous one to five minutes.
	post(t, base+"/api/apps/v2/token", "application/json", `{"appid":"`+app.ID+`","secret":"`+app.Secret+`","grant_type":"client_credential"}`)
	sb.Advance(4 * time.Minute)
	assert.Equal(t, float64(0), check(driverkit.SignLoginState(key, ""))["err_no"])
	sb.Advance(2 * time.Minute)
	assert.Equal(t, float64(28001003), check(driverkit.SignLoginState(key, ""))["err_no"])
}

func TestQQAndBaiduProtocol(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	qq := sb.App(taro.QQ)
	code, _ := sb.Login(taro.QQ, "qq-user")
	m := get(t, sb.BaseURL(taro.QQ)+"/sns/jscode2session?"+url.Values{"appid": {qq.ID}, "secret": {qq.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}.Encode())
	assert.Equal(t, "qq-user", m["openid"])

	swan := sb.App(taro.Swan)
	code, _ = sb.Login(taro.Swan, "bd-user")
	sb.Advance(9 * time.Minute)
	form := url.Values{"code": {code}, "client_id": {swan.ID}, "sk": {swan.Secret}}.Encode()
	m = post(t, sb.BaseURL(taro.Swan)+"/oauth/jscode2sessionkey", "application/x-www-form-urlencoded", form)
	assert.Equal(t, "bd-user", m["openid"], "Baidu codes live 10 minutes")
	m = post(t, sb.BaseURL(taro.Swan)+"/oauth/jscode2sessionkey", "application/x-www-form-urlencoded", form)
	assert.Equal(t, "invalid_grant", m["error"])
	code, _ = sb.Login(taro.Swan, "bd-user")
	m = get(t, sb.BaseURL(taro.Swan)+"/oauth/jscode2sessionkey?"+url.Values{"code": {code}, "client_id": {swan.ID}, "sk": {swan.Secret}}.Encode())
	assert.Equal(t, "bd-user", m["openid"], "the official SDK's GET form works too")
	m = post(t, sb.BaseURL(taro.Swan)+"/oauth/jscode2sessionkey", "application/x-www-form-urlencoded", url.Values{"code": {"x"}, "client_id": {swan.ID}, "sk": {"bad"}}.Encode())
	assert.Equal(t, "invalid_client", m["error"])
}

func TestFaults(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{SlowDelay: 50 * time.Millisecond})
	defer sb.Close()
	u := sb.BaseURL(taro.QQ) + "/sns/jscode2session"
	fetch := func() (int, string, error) {
		resp, err := http.Get(u)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	tests := []struct {
		kind   sandbox.FaultKind
		status int
		body   string
	}{
		{sandbox.Busy, 200, `{"errcode":-1,"errmsg":"system error"}`},
		{sandbox.RateLimit, 200, `"errcode":45011`},
		{sandbox.ServerError, 502, "502 Bad Gateway"},
		{sandbox.HTMLBody, 200, "<html>"},
		{sandbox.Truncated, 200, `{"errcode":0,"errmsg":"o`},
		{sandbox.Slow, 200, `"errcode":40013`},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			require.NoError(t, sb.Inject(taro.QQ, sandbox.Code2Session, tt.kind, 1))
			status, body, err := fetch()
			require.NoError(t, err)
			assert.Equal(t, tt.status, status)
			assert.Contains(t, body, tt.body)
			_, body, _ = fetch()
			assert.Contains(t, body, `"errcode":40013`, "the fault applied once")
		})
	}
	t.Run("reset", func(t *testing.T) {
		require.NoError(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Reset, 2))
		tr := &http.Transport{DisableKeepAlives: true}
		_, err := (&http.Client{Transport: tr}).Get(u)
		assert.Error(t, err)
		sb.ClearFaults()
	})
	assert.Error(t, sb.Inject(taro.QQ, sandbox.CheckSession, sandbox.Busy, 1), "QQ has no check endpoint")
	assert.Error(t, sb.Inject(taro.Weapp, sandbox.Code2Session, sandbox.TokenInvalid, 1), "code2session takes no token")
	assert.Error(t, sb.Inject("wechatpay", sandbox.Code2Session, sandbox.Busy, 1))
	assert.Error(t, sb.Inject(taro.QQ, sandbox.Code2Session, "meteor", 1))
	assert.Error(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Busy, 0))
	assert.Positive(t, sb.Requests(taro.QQ, sandbox.Code2Session))
	sb.ResetCounters()
	assert.Zero(t, sb.Requests(taro.QQ, sandbox.Code2Session))
}

func TestAdminAPI(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	var apps map[string]map[string]string
	resp, err := http.Get(sb.URL() + "/admin/apps")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apps))
	resp.Body.Close()
	assert.Equal(t, sb.BaseURL(taro.Weapp), apps["weapp"]["baseUrl"], "camelCase, as every member of the admin JSON")
	assert.Equal(t, sb.App(taro.Weapp).ID, apps["weapp"]["appid"])
	assert.True(t, sb.App(taro.TT).PrivateKey == apps["tt"]["phonePrivateKey"], "an SDK in any language can be configured from the listing, under tt.Config's name")
	assert.NotContains(t, apps["weapp"], "privateKey", "empty for platforms that use no key")
	for _, k := range []string{"privateKey", "alipayPublicKey", "aesKey", "appCertificate", "alipayCertificate", "alipayRootCertificate"} {
		assert.NotEmpty(t, apps["alipay"][k], "Alipay's SDKs need %s", k)
	}

	m := post(t, sb.URL()+"/admin/login", "application/json", `{"platform":"qq","openid":"u"}`)
	assert.NotEmpty(t, m["code"])
	m = post(t, sb.URL()+"/admin/login", "application/json", `{"platform":"wechatpay","openid":"u"}`)
	assert.Contains(t, m["error"], "unknown platform")
	m = post(t, sb.URL()+"/admin/login", "application/json", `{"platform":"qq","openid":"u","extra":1}`)
	assert.Contains(t, m["error"], "bad JSON")

	resp, err = http.Post(sb.URL()+"/admin/faults", "application/json", bytes.NewReader([]byte(`{"platform":"weapp","endpoint":"checksession","kind":"busy","count":2}`)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	req, _ := http.NewRequest(http.MethodDelete, sb.URL()+"/admin/faults", nil)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	m = post(t, sb.URL()+"/admin/faults", "application/json", `{"platform":"qq","endpoint":"checksession","kind":"busy"}`)
	assert.Contains(t, m["error"], "no checksession endpoint")

	resp, err = http.Post(sb.URL()+"/admin/advance", "application/json", strings.NewReader(`{"seconds":60}`))
	require.NoError(t, err)
	resp.Body.Close()
	var counts map[string]map[string]int
	resp, err = http.Get(sb.URL() + "/admin/requests")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&counts))
	resp.Body.Close()
	assert.Contains(t, counts, "swan")
}

// TestOneNamePerCredential: every credential of every built-in app has one
// name: the Options key the plugin reads (its Config field), the variable
// FromEnv reads (TARO_<P>_ + the name in upper snake case) and the member
// of GET /admin/apps (the name in camel case); the listing's values
// configure a working driver.
func TestOneNamePerCredential(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	var apps map[taro.Platform]map[string]string
	resp, err := http.Get(sb.URL() + "/admin/apps")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apps))
	resp.Body.Close()
	snake := func(name string) string {
		var b strings.Builder
		for i, c := range name {
			if i > 0 && unicode.IsUpper(c) && !unicode.IsUpper(rune(name[i-1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToUpper(c))
		}
		return strings.ReplaceAll(b.String(), "AESKEY", "AES_KEY")
	}
	camel := func(name string) string {
		if strings.HasPrefix(name, "AES") {
			return "aes" + name[3:]
		}
		return strings.ToLower(name[:1]) + name[1:]
	}
	for _, pl := range platforms.All {
		p := pl.Platform
		app := apps[p]
		require.NotNil(t, app, "%s is listed", p)
		_, secretVar, _ := platforms.EnvNames(p)
		assert.Equal(t, "TARO_"+strings.ToUpper(string(p))+"_"+snake(platforms.SecretName(p)), secretVar)
		assert.NotEmpty(t, app[camel(platforms.SecretName(p))], "%s lists its %s", p, platforms.SecretName(p))
		env := sandbox.AppEnv(p, sb.App(p), sb.BaseURL(p))
		assert.Equal(t, app[camel(platforms.SecretName(p))], env[secretVar], "%s: one value under both names", p)
		for _, v := range pl.Env {
			if v.Setting == "MiniGame" {
				continue // a mode, not a credential, and named so since the first release
			}
			assert.Equal(t, snake(v.Setting), v.Suffix, "%s's %s", p, v.Setting)
			if val := env["TARO_"+strings.ToUpper(string(p))+"_"+v.Suffix]; val != "" {
				assert.Equal(t, app[camel(v.Setting)], val, "%s: %s has one value under both names", p, v.Setting)
			}
		}
		for member := range app {
			if member == "appid" || member == "baseUrl" {
				continue
			}
			known := member == camel(platforms.SecretName(p))
			for _, v := range pl.Env {
				known = known || member == camel(v.Setting)
			}
			assert.True(t, known, "%s's member %s is a name its plugin reads", p, member)
		}
	}
	// The listing configures Alipay's driver under the same names.
	a := apps[taro.Alipay]
	s := platforms.Settings{AppID: a["appid"], Secret: a["privateKey"], BaseURL: a["baseUrl"]}.
		With("AlipayPublicKey", a["alipayPublicKey"]).With("AESKey", a["aesKey"])
	_, err = platforms.Driver(taro.Alipay, s)
	require.NoError(t, err)
}
