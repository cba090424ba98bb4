package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

func TestRunAgainstTheSandbox(t *testing.T) {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	// Log a user in, as the backend's login handler would.
	d, _ := weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp)})
	c, _ := taro.NewClient(d)
	code, _ := sb.Login(taro.Weapp, "user-1")
	login, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)

	env := map[string]string{"TARO_WEAPP_APPID": app.ID, "TARO_WEAPP_SECRET": app.Secret, "TARO_WEAPP_BASE_URL": sb.BaseURL(taro.Weapp),
		"OPENID": login.OpenID, "SESSION_KEY": login.Session.SessionKey}
	var out bytes.Buffer
	assert.Equal(t, 0, run(ctx, func(k string) string { return env[k] }, &out))
	assert.Equal(t, "checkSession:ok\n", out.String())

	env["SESSION_KEY"] = "b2xkLWtleS0xMjM0NTY3OA=="
	out.Reset()
	assert.Equal(t, 1, run(ctx, func(k string) string { return env[k] }, &out))
	assert.Equal(t, "checkSession:fail session invalid\n", out.String())

	out.Reset()
	assert.Equal(t, 2, run(ctx, func(string) string { return "" }, &out))
	assert.Contains(t, out.String(), "AppID and Config.Secret are required")
}
