package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// One sandbox serves several apps of every platform, each with its own
// users, codes and tokens: an app's code logs in through its own driver
// only, and its access token checks sessions of its own users only.
func TestOneSandboxServesManyAppsOfEveryPlatform(t *testing.T) {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{AppsPerPlatform: 3})
	defer sb.Close()
	for _, p := range sb.Platforms() {
		t.Run(string(p), func(t *testing.T) {
			apps := sb.Apps(p)
			require.Len(t, apps, 3)
			added := sandbox.App{ID: "added-" + string(p)}
			if apps[0].Secret != "" {
				added.Secret = "added-secret"
			}
			require.NoError(t, sb.AddApp(p, added))
			apps = sb.Apps(p)
			require.Len(t, apps, 4)
			var settings []platforms.Settings
			for _, app := range apps {
				settings = append(settings, sandbox.AppSettings(app, sb.BaseURL(p), sb.HTTPClient()))
			}
			ds, err := platforms.NewApps(map[taro.Platform][]platforms.Settings{p: settings})
			require.NoError(t, err)
			c, err := taro.New(taro.Config{Drivers: ds})
			require.NoError(t, err)
			for i, app := range apps {
				other := apps[(i+1)%len(apps)]
				code, err := sb.LoginApp(p, app.ID, "u")
				require.NoError(t, err)
				// Another app cannot redeem it.
				_, err = c.Code2Session(ctx, taro.LoginOption{Platform: p, AppID: other.ID, Code: code})
				require.Error(t, err, "%s's code redeemed by %s", app.ID, other.ID)
				res, err := c.Code2Session(ctx, taro.LoginOption{Platform: p, AppID: app.ID, Code: code})
				require.NoError(t, err, "app %s", app.ID)
				assert.Equal(t, "u", res.OpenID)
				if res.Session.SessionKey == "" {
					continue // keyless (Alipay)
				}
				_, err = c.CheckSession(ctx, taro.Option{Platform: p, AppID: app.ID, Session: res.Session})
				require.NoError(t, err, "app %s", app.ID)
			}
			_, err = sb.LoginApp(p, "nobody", "u")
			assert.Error(t, err)
			assert.Error(t, sb.AddApp(p, apps[1]), "a duplicate id")
			assert.Error(t, sb.AddApp(p, sandbox.App{}), "no id")
		})
	}
	assert.Equal(t, sb.App(taro.Weapp).ID+"-2", sb.Apps(taro.Weapp)[1].ID)
}

// The admin API adds and lists apps, and mints codes and faults for one
// of them.
func TestAdminAppsAndPerAppFaults(t *testing.T) {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	post := func(path, body string) (int, string) {
		resp, err := sb.HTTPClient().Post(sb.URL()+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	st, _ := post("/admin/apps", `{"platform":"weapp","appid":"wx-shop-2","secret":"shop-2-secret"}`)
	require.Equal(t, http.StatusNoContent, st)
	st, body := post("/admin/apps", `{"platform":"weapp","appid":"wx-shop-2","secret":"x"}`)
	assert.Equal(t, http.StatusBadRequest, st, body)
	resp, err := sb.HTTPClient().Get(sb.URL() + "/admin/apps/weapp")
	require.NoError(t, err)
	var apps []struct {
		AppID   string   `json:"appid"`
		Secret  string   `json:"secret"`
		BaseURL string   `json:"baseUrl"`
		Users   []string `json:"users"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apps))
	resp.Body.Close()
	require.Len(t, apps, 2)
	assert.Equal(t, "wx-shop-2", apps[1].AppID)
	assert.Equal(t, "shop-2-secret", apps[1].Secret)
	assert.Equal(t, sb.BaseURL(taro.Weapp), apps[1].BaseURL)

	st, body = post("/admin/login", `{"platform":"weapp","appid":"wx-shop-2","openid":"u"}`)
	require.Equal(t, http.StatusOK, st, body)
	var code struct{ Code string }
	require.NoError(t, json.Unmarshal([]byte(body), &code))

	ds, err := platforms.NewApps(map[taro.Platform][]platforms.Settings{taro.Weapp: {
		sandbox.AppSettings(sb.App(taro.Weapp), sb.BaseURL(taro.Weapp), sb.HTTPClient()),
		{AppID: "wx-shop-2", Secret: "shop-2-secret", BaseURL: sb.BaseURL(taro.Weapp), HTTPClient: sb.HTTPClient()},
	}})
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, Retry: taro.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)

	// A fault for the second app spares the default app.
	st, body = post("/admin/faults", `{"platform":"weapp","appid":"wx-shop-2","endpoint":"code2session","kind":"busy"}`)
	require.Equal(t, http.StatusNoContent, st, body)
	first, err := sb.Login(taro.Weapp, "v")
	require.NoError(t, err)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: sb.App(taro.Weapp).ID, Code: first})
	require.NoError(t, err)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: "wx-shop-2", Code: code.Code})
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: "wx-shop-2", Code: code.Code})
	require.NoError(t, err)
	assert.Equal(t, "wx-shop-2", res.AppID)
	resp, err = sb.HTTPClient().Get(sb.URL() + "/admin/apps/weapp")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apps))
	resp.Body.Close()
	assert.Equal(t, []string{"v"}, apps[0].Users)
	assert.Equal(t, []string{"u"}, apps[1].Users)
	assert.Error(t, sb.InjectApp(taro.Weapp, "wx-nobody", sandbox.Code2Session, sandbox.Busy, 1))
}

// The admin API adds a component, authorizes an app for it and pushes a
// ticket to the component's event URL, which stores it.
func TestAdminComponents(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	post := func(path, body string) (int, string) {
		resp, err := sb.HTTPClient().Post(sb.URL()+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	st, body := post("/admin/components", `{"appid":"wx-comp","secret":"comp-secret","token":"push-token","encodingAesKey":"`+key+`"}`)
	require.Equal(t, http.StatusNoContent, st, body)
	st, body = post("/admin/components", `{"appid":"wx-comp2","secret":"s","token":"t","encodingAesKey":"short"}`)
	assert.Equal(t, http.StatusBadRequest, st, body)
	st, body = post("/admin/authorize", `{"component":"wx-comp","appid":"`+sb.App(taro.Weapp).ID+`"}`)
	require.Equal(t, http.StatusOK, st, body)
	assert.Contains(t, body, "refreshToken")
	st, body = post("/admin/authorize", `{"component":"wx-comp","appid":"wx-nobody"}`)
	assert.Equal(t, http.StatusBadRequest, st, body)

	tokens := taro.NewMemoryTokenStore()
	comp, err := weapp.NewComponent(weapp.ComponentConfig{AppID: "wx-comp", Secret: "comp-secret", Token: "push-token", EncodingAESKey: key, Tokens: tokens})
	require.NoError(t, err)
	events := httptest.NewServer(comp.Handler())
	defer events.Close()
	st, body = post("/admin/push-ticket", `{"component":"wx-comp","url":"`+events.URL+`/events"}`)
	require.Equal(t, http.StatusNoContent, st, body)
	tok, ok, _ := tokens.Token(context.Background(), "weapp-component:wx-comp:ticket")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(tok.Value, "ticket@@@"))
	st, body = post("/admin/push-ticket", `{"component":"wx-comp","url":"file:///etc/passwd"}`)
	assert.Equal(t, http.StatusBadRequest, st, body)
	assert.Equal(t, []sandbox.ComponentInfo{{AppID: "wx-comp", Authorized: []string{sb.App(taro.Weapp).ID}, Tickets: 1}}, sb.Components())
}

// A push that fails says where it went, never the push's signature.
func TestPushTicketErrorHoldsNoSignature(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	require.NoError(t, sb.AddComponent(sandbox.Component{AppID: "wx-c", Secret: "s", Token: "t", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}))
	dead := httptest.NewServer(http.NotFoundHandler())
	target := dead.URL + "/events"
	dead.Close() // nothing listens there now
	err := sb.PushTicket("wx-c", target)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "msg_signature")
	assert.NotContains(t, err.Error(), "?")
}
