package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// The README's service against the sandbox, on the Redis at TARO_REDIS_URL
// (miniredis without it): log in, /me, log out, /me refused.
func TestQuickLogin(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	env := sandbox.AppEnv(taro.QQ, sb.App(taro.QQ), sb.BaseURL(taro.QQ))
	env["LOGIN_KEY"] = "0123456789abcdef0123456789abcdef"
	env["TARO_REDIS_URL"] = os.Getenv("TARO_REDIS_URL")
	if env["TARO_REDIS_URL"] == "" {
		env["TARO_REDIS_URL"] = "redis://" + miniredis.RunT(t).Addr() + "/0"
	}
	h, closeStore, err := service(func(k string) string { return env[k] })
	require.NoError(t, err)
	defer closeStore()
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(method, path, ticket, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ticket != "" {
			req.Header.Set("Authorization", "Bearer "+ticket)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, err := sb.Login(taro.QQ, "readme-user")
	require.NoError(t, err)
	status, body := do("POST", "/login", "", `{"platform":"qq","code":"`+code+`"}`)
	require.Equal(t, 200, status, body)
	var res struct{ Ticket string }
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	status, body = do("GET", "/me", res.Ticket, "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "hello readme-user on qq\n", body)
	status, _ = do("POST", "/logout", res.Ticket, "")
	assert.Equal(t, 200, status)
	status, _ = do("GET", "/me", res.Ticket, "")
	assert.Equal(t, 401, status)
}
