package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/cbcr"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func call(t *testing.T, method, url, ticket, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if ticket != "" {
		req.Header.Set("Authorization", "Bearer "+ticket)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return resp.StatusCode, m
}

// The service end to end against the sandbox, on every platform: login,
// /me, /profile, /phone, /sessions, logout.
func TestServiceAgainstTheSandbox(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	env := map[string]string{"LOGIN_KEY": hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	for _, p := range sandbox.Platforms() {
		maps.Copy(env, sandbox.AppEnv(p, sb.App(p), sb.BaseURL(p)))
	}
	env["TARO_TT_PHONE_PRIVATE_KEY"] = sb.App(taro.TT).PrivateKey // Douyin's phone numbers by code
	h, closeAll, err := newServer(func(k string) string { return env[k] }, nil)
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, p := range sandbox.Platforms() {
		t.Run(string(p), func(t *testing.T) {
			code, _ := sb.Login(p, "svc-user")
			status, res := call(t, "POST", srv.URL+"/login", "", fmt.Sprintf(`{"platform":%q,"code":%q}`, p, code))
			require.Equal(t, 200, status, res)
			ticket := res["ticket"].(string)

			status, res = call(t, "GET", srv.URL+"/me", ticket, "")
			require.Equal(t, 200, status, res)
			assert.Equal(t, "svc-user", res["openid"])

			// /profile answers the two fields it uses and nothing else
			// of what it decrypted.
			data, iv, err := sb.Encrypt(p, "svc-user", []byte(`{"nickName":"Band","avatarUrl":"https://a/b.png","phoneNumber":"13800138000"}`))
			if d, _ := platforms.Driver(p, sandbox.AppSettings(sb.App(p), sb.BaseURL(p), sb.HTTPClient())); !driver.Has(d, driver.CapDecrypter) {
				// No client data the server opens: no session key
				// (Alipay, DingTalk), or none documented (WeCom, Feishu).
				require.Error(t, err)
				status, res = call(t, "POST", srv.URL+"/profile", ticket, `{"encryptedData":"AAAAAAAAAAAAAAAAAAAAAA==","iv":"AAAAAAAAAAAAAAAAAAAAAA=="}`)
				assert.Equal(t, "NotSupported", res["code"], status)
			} else {
				require.NoError(t, err)
				status, res = call(t, "POST", srv.URL+"/profile", ticket, fmt.Sprintf(`{"encryptedData":%q,"iv":%q}`, data, iv))
				require.Equal(t, 200, status, res)
				assert.Equal(t, map[string]any{"errMsg": "profile:ok", "nickName": "Band", "avatarUrl": "https://a/b.png"}, res)
				status, res = call(t, "POST", srv.URL+"/profile", ticket, `{"encryptedData":"AAAAAAAAAAAAAAAAAAAAAA==","iv":"AAAAAAAAAAAAAAAAAAAAAA=="}`)
				assert.Equal(t, 401, status)
				assert.Equal(t, map[string]any{"errMsg": "profile:fail SessionInvalid", "code": "SessionInvalid"}, res)
			}

			// /phone exchanges a getPhoneNumber code where the platform
			// has such codes; on Alipay it opens the signed envelope.
			if p == taro.Alipay {
				env, err := sb.PhoneCode(p, "svc-user", "13800138000")
				require.NoError(t, err)
				body, _ := json.Marshal(map[string]string{"response": env})
				status, res = call(t, "POST", srv.URL+"/phone", ticket, string(body))
				require.Equal(t, 200, status, res)
				assert.Equal(t, "13800138000", res["purePhoneNumber"])
			} else if pc, err := sb.PhoneCode(p, "svc-user", "13800138000"); err == nil {
				status, res = call(t, "POST", srv.URL+"/phone", ticket, fmt.Sprintf(`{"code":%q}`, pc))
				require.Equal(t, 200, status, res)
				assert.Equal(t, "phone:ok", res["errMsg"])
				assert.Equal(t, "13800138000", res["purePhoneNumber"])
			} else {
				status, res = call(t, "POST", srv.URL+"/phone", ticket, `{"code":"c"}`)
				assert.Equal(t, 400, status)
				assert.Equal(t, "NotSupported", res["code"])
			}

			status, res = call(t, "GET", srv.URL+"/sessions", ticket, "")
			require.Equal(t, 200, status, res)
			assert.Len(t, res["sessions"], 1)

			status, _ = call(t, "POST", srv.URL+"/logout", ticket, "")
			assert.Equal(t, 200, status)
			status, res = call(t, "GET", srv.URL+"/me", ticket, "")
			assert.Equal(t, 401, status)
			assert.Equal(t, string(taro.CodeSessionInvalid.String()), res["code"])
		})
	}
	_, _, err = newServer(func(string) string { return "" }, nil)
	assert.ErrorContains(t, err, "no platform is configured")
	env["LOGIN_KEY"] = "short"
	_, _, err = newServer(func(k string) string { return env[k] }, nil)
	assert.ErrorContains(t, err, "LOGIN_KEY must be 64 hexadecimal digits")
	_ = httptest.NewRecorder
}

// The CBC-R attack through /profile, as a client holding only its own
// ticket would run it: the answers tell it nothing, and the failure
// budget then refuses the session key, genuine data too. The control:
// with a leaky oracle on the same key the attack forges data that
// /profile accepts, so the attack works and the service is what stops it.
func TestCBCRAttackThroughProfile(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	env := map[string]string{"LOGIN_KEY": hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	idVar, secretVar, baseVar := platforms.EnvNames(taro.Weapp)
	env[idVar], env[secretVar], env[baseVar] = app.ID, app.Secret, sb.BaseURL(taro.Weapp)
	h, closeAll, err := newServer(func(k string) string { return env[k] }, nil)
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h)
	defer srv.Close()
	login := func() string {
		code, _ := sb.Login(taro.Weapp, "attacker")
		status, res := call(t, "POST", srv.URL+"/login", "", fmt.Sprintf(`{"platform":"weapp","code":%q}`, code))
		require.Equal(t, 200, status, res)
		return res["ticket"].(string)
	}
	profile := func(ticket string, iv, data []byte) (int, map[string]any) {
		return call(t, "POST", srv.URL+"/profile", ticket, fmt.Sprintf(`{"encryptedData":%q,"iv":%q}`,
			base64.StdEncoding.EncodeToString(data), base64.StdEncoding.EncodeToString(iv)))
	}
	want := []byte(`{"nickName":"forged","avatarUrl":"x","watermark":{"appid":"` + app.ID + `","timestamp":1700000000}}`)

	ticket := login()
	answers := map[string]int{}
	a := cbcr.New(func(iv, data []byte) (string, error) {
		status, res := profile(ticket, iv, data)
		ans := fmt.Sprint(status, res)
		answers[ans]++
		return ans, nil
	}, 100000)
	_, _, err = a.Forge(want)
	assert.ErrorIs(t, err, cbcr.ErrNoOracle)
	assert.Equal(t, 256, a.Queries)
	assert.Equal(t, map[string]int{`401 map[code:SessionInvalid errMsg:profile:fail SessionInvalid]`: 256}, answers)
	data, iv, err := sb.Encrypt(taro.Weapp, "attacker", []byte(`{"nickName":"Band"}`))
	require.NoError(t, err)
	status, _ := call(t, "POST", srv.URL+"/profile", ticket, fmt.Sprintf(`{"encryptedData":%q,"iv":%q}`, data, iv))
	assert.Equal(t, 401, status, "the key has spent its failure budget")

	// The control, on a fresh login's key.
	ticket = login()
	key, _ := sb.SessionKey(taro.Weapp, "attacker")
	raw, err := base64.StdEncoding.DecodeString(key)
	require.NoError(t, err)
	control := cbcr.New(cbcr.Leaky(raw), 100000)
	fiv, fdata, err := control.Forge(want)
	require.NoError(t, err)
	status, res := profile(ticket, fiv, fdata)
	assert.Equal(t, 200, status)
	assert.Equal(t, "forged", res["nickName"], "with an oracle the forgery would have been accepted")
}

// The service serves two WeChat apps (a main app and a lite app, each its
// own sandbox) from comma-separated lists in the environment: the login
// body's "appid" chooses, and each app's tickets are its own.
func TestServiceServesTwoWeChatApps(t *testing.T) {
	main := sandbox.NewServer(sandbox.Options{})
	defer main.Close()
	lite := sandbox.NewServer(sandbox.Options{Apps: map[taro.Platform]sandbox.App{taro.Weapp: {ID: "wx-lite", Secret: "lite-secret"}}})
	defer lite.Close()
	a, b := main.App(taro.Weapp), lite.App(taro.Weapp)
	idVar, secretVar, baseVar := platforms.EnvNames(taro.Weapp)
	env := map[string]string{"LOGIN_KEY": hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		idVar: a.ID + "," + b.ID, secretVar: a.Secret + "," + b.Secret, baseVar: main.BaseURL(taro.Weapp) + "," + lite.BaseURL(taro.Weapp)}
	h, closeAll, err := newServer(func(k string) string { return env[k] }, nil)
	require.NoError(t, err)
	defer closeAll()
	srv := httptest.NewServer(h)
	defer srv.Close()

	tickets := map[string]string{}
	for _, app := range []struct {
		sb *sandbox.Sandbox
		id string
	}{{main, a.ID}, {lite, b.ID}} {
		code, _ := app.sb.Login(taro.Weapp, "two-apps-user")
		status, res := call(t, "POST", srv.URL+"/login", "", fmt.Sprintf(`{"platform":"weapp","appid":%q,"code":%q}`, app.id, code))
		require.Equal(t, 200, status, res)
		tickets[app.id] = res["ticket"].(string)
	}
	for id, ticket := range tickets {
		status, res := call(t, "GET", srv.URL+"/me", ticket, "")
		require.Equal(t, 200, status, res)
		assert.Equal(t, id, res["appid"])
	}
	code, _ := main.Login(taro.Weapp, "two-apps-user")
	status, res := call(t, "POST", srv.URL+"/login", "", fmt.Sprintf(`{"platform":"weapp","code":%q}`, code))
	assert.Equal(t, 400, status, "which app must be said")
	assert.Contains(t, res["errMsg"], "AppID")
}
