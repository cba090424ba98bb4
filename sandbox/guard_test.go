package sandbox_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// TestAdminRefusesCrossSiteRequests: a web page the developer visits can
// neither change the sandbox (a cross-origin text/plain or form POST needs
// no preflight) nor read its keys through a rebound DNS name; the
// sandbox's own console, programs sending JSON and every SDK's platform
// calls are unaffected.
func TestAdminRefusesCrossSiteRequests(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	t.Cleanup(sb.Close)
	do := func(method, path, ctype, body string, hdr map[string]string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, sb.URL()+path, strings.NewReader(body))
		require.NoError(t, err)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for k, v := range hdr {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	evil := map[string]string{"Origin": "https://evil.example"}
	rebound := map[string]string{"Host": "rebind.evil.example"}
	refused := []struct {
		name, method, path, ctype, body string
		hdr                             map[string]string
	}{
		{"text/plain fault", "POST", "/admin/faults", "text/plain", `{"platform":"weapp","endpoint":"code2session","kind":"busy","count":5}`, nil},
		{"form fault", "POST", "/admin/faults", "application/x-www-form-urlencoded", `{"platform":"weapp","endpoint":"code2session","kind":"busy","count":5}`, nil},
		{"cross-origin JSON fault", "POST", "/admin/faults", "application/json", `{"platform":"weapp","endpoint":"code2session","kind":"busy","count":5}`, evil},
		{"text/plain advance", "POST", "/admin/advance", "text/plain", `{"seconds":86400}`, nil},
		{"text/plain login", "POST", "/admin/login", "text/plain", `{"platform":"weapp","openid":"victim"}`, nil},
		{"no type clear", "DELETE", "/admin/faults", "", "", nil},
		{"null origin", "POST", "/admin/advance", "application/json", `{"seconds":86400}`, map[string]string{"Origin": "null"}},
		{"rebound apps", "GET", "/admin/apps", "", "", rebound},
		{"rebound console", "GET", "/", "", "", rebound},
		{"rebound users", "GET", "/admin/users", "", "", rebound},
		{"rebound JSON login", "POST", "/admin/login", "application/json", `{"platform":"weapp","openid":"victim"}`, rebound},
		{"cross-origin read", "GET", "/admin/apps", "", "", evil},
	}
	before := sb.Now()
	for _, c := range refused {
		status, body := do(c.method, c.path, c.ctype, c.body, c.hdr)
		assert.Equal(t, http.StatusForbidden, status, c.name)
		assert.NotContains(t, body, "PRIVATE", c.name)
		assert.NotContains(t, body, sb.App(taro.Weapp).Secret, c.name)
	}
	// Nothing changed: no fault is pending, no user was made, the clock
	// stands.
	assert.Less(t, sb.Now().Sub(before), time.Hour, "the clock was not advanced")
	status, body := do("GET", "/admin/users", "", "", nil)
	assert.Equal(t, 200, status)
	assert.NotContains(t, body, "victim")
	code, err := sb.Login(taro.Weapp, "u")
	require.NoError(t, err)
	app := sb.App(taro.Weapp)
	status, body = do("GET", "/weapp/sns/jscode2session?appid="+app.ID+"&secret="+app.Secret+"&js_code="+code+"&grant_type=authorization_code", "", "", nil)
	assert.Equal(t, 200, status)
	assert.Contains(t, body, "session_key", "no busy fault was injected")

	// Allowed: JSON from a program, the console's header, the sandbox's own
	// origin, localhost by name, and the platforms' paths from anywhere.
	status, _ = do("POST", "/admin/advance", "application/json; charset=utf-8", `{"seconds":1}`, nil)
	assert.Equal(t, 204, status)
	status, _ = do("POST", "/admin/advance", "text/plain", `{"seconds":1}`, map[string]string{"X-Taro-Console": "1", "Origin": sb.URL()})
	assert.Equal(t, 204, status)
	status, _ = do("GET", "/admin/apps", "", "", map[string]string{"Host": "localhost"})
	assert.Equal(t, 200, status)
	status, _ = do("GET", "/weapp/sns/jscode2session?appid=x&secret=y&js_code=z&grant_type=authorization_code", "", "", map[string]string{"Host": "api.weixin.qq.com", "Origin": "https://evil.example"})
	assert.Equal(t, 200, status, "a platform path answers as the platform would")
}
