package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
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
// /me, /decrypt, logout.
func TestServiceAgainstTheSandbox(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	env := map[string]string{"LOGIN_KEY": hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}
	for _, p := range sandbox.Platforms() {
		idVar, secretVar, baseVar := platforms.EnvNames(p)
		app := sb.App(p)
		env[idVar], env[secretVar], env[baseVar] = app.ID, app.Secret, sb.BaseURL(p)
	}
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

			data, iv, err := sb.Encrypt(p, "svc-user", []byte(`{"phoneNumber":"13800138000"}`))
			require.NoError(t, err)
			status, res = call(t, "POST", srv.URL+"/decrypt", ticket, fmt.Sprintf(`{"encryptedData":%q,"iv":%q}`, data, iv))
			require.Equal(t, 200, status, res)
			assert.Equal(t, "decrypt:ok", res["errMsg"])
			assert.Equal(t, "13800138000", res["data"].(map[string]any)["phoneNumber"])

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
