package platforms_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"TARO_WEAPP_APPID": "wx", "TARO_WEAPP_SECRET": "s1",
		"TARO_TT_APPID": "tt", "TARO_TT_SECRET": "s2", "TARO_TT_MINIGAME": "1",
		"TARO_SWAN_APPID": "key", "TARO_SWAN_SECRET": "s3", "TARO_SWAN_BASE_URL": "http://127.0.0.1:1/swan",
	}
	ds, err := platforms.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%s:%s", d.Platform(), d.AppID()))
	}
	assert.Equal(t, []string{"swan:key", "tt:tt", "weapp:wx"}, got)
	assert.True(t, driver.Has(ds[1], driver.CapSessionChecker), "TARO_TT_MINIGAME=1 selects the mini-game check")
	c, err := taro.New(taro.Config{Drivers: ds})
	require.NoError(t, err)
	assert.Contains(t, c.Platforms(), taro.Weapp)

	env["TARO_QQ_APPID"] = "qq"
	_, err = platforms.FromEnv(func(k string) string { return env[k] })
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "TARO_QQ_SECRET is not set")
	_, err = platforms.FromEnv(func(string) string { return "" })
	assert.ErrorContains(t, err, "no platform is configured")

	_, err = platforms.Driver("wechatpay", platforms.Settings{})
	var known []string
	for _, p := range platforms.Names() {
		known = append(known, string(p))
	}
	assert.ErrorContains(t, err, `unknown platform "wechatpay"; known: `+strings.Join(known, ", "))
	_, err = platforms.New(map[taro.Platform]platforms.Settings{"wechatpay": {}})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	s := platforms.Settings{AppID: "a", Secret: "TOP-SECRET-VALUE"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, s), "TOP-SECRET-VALUE")
	}
}

// Several apps of one platform from the environment: comma-separated
// lists in the same order; a mismatch names the variables.
func TestFromEnvSeveralApps(t *testing.T) {
	env := map[string]string{
		"TARO_WEAPP_APPID": "wx-main, wx-lite", "TARO_WEAPP_SECRET": "s1,s2",
		"TARO_WEAPP_BASE_URL": "http://127.0.0.1:1/a,http://127.0.0.1:2/b",
	}
	get := func(k string) string { return env[k] }
	ds, err := platforms.FromEnv(get)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	assert.Equal(t, "wx-main", ds[0].AppID())
	assert.Equal(t, "wx-lite", ds[1].AppID())
	c, err := taro.New(taro.Config{Drivers: ds})
	require.NoError(t, err)
	assert.Equal(t, []string{"wx-main", "wx-lite"}, c.AppIDs(taro.Weapp))

	env["TARO_WEAPP_SECRET"] = "s1"
	_, err = platforms.FromEnv(get)
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.ErrorContains(t, err, "TARO_WEAPP_APPID lists 2 app ids and TARO_WEAPP_SECRET 1 secrets")
	assert.NotContains(t, err.Error(), "s1")
	env["TARO_WEAPP_SECRET"] = "s1,s2"
	env["TARO_WEAPP_BASE_URL"] = "http://127.0.0.1:1/a,http://127.0.0.1:2/b,http://127.0.0.1:3/c"
	_, err = platforms.FromEnv(get)
	assert.ErrorContains(t, err, "TARO_WEAPP_BASE_URL lists 3 base URLs for 2 apps")
}

// A plugin's Keyless says what its drivers' traits say.
func TestPluginKeylessMatchesTheDriver(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	for _, pl := range platforms.All {
		d, err := platforms.Driver(pl.Platform, sandbox.AppSettings(sb.App(pl.Platform), sb.BaseURL(pl.Platform), nil))
		require.NoError(t, err, pl.Platform)
		assert.Equal(t, driver.TraitsOf(d).Keyless, pl.Keyless, "%s: Plugin.Keyless", pl.Platform)
	}
}

// TestAlipayEnvNames: Alipay's keys are read under their one name
// (TARO_ALIPAY_PRIVATE_KEY, TARO_ALIPAY_ALIPAY_PUBLIC_KEY, …) and, when
// those are unset, under the names of earlier releases; the driver built
// either way verifies the sandbox's signed answers.
func TestAlipayEnvNames(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Alipay)
	current := sandbox.AppEnv(taro.Alipay, app, sb.BaseURL(taro.Alipay))
	assert.Equal(t, app.PrivateKey, current["TARO_ALIPAY_PRIVATE_KEY"])
	assert.Equal(t, app.AlipayPublicKey, current["TARO_ALIPAY_ALIPAY_PUBLIC_KEY"])
	assert.NotContains(t, current, "TARO_ALIPAY_SECRET")
	old := map[string]string{"TARO_ALIPAY_APPID": app.ID, "TARO_ALIPAY_SECRET": app.PrivateKey,
		"TARO_ALIPAY_PUBLIC_KEY": app.AlipayPublicKey, "TARO_ALIPAY_BASE_URL": sb.BaseURL(taro.Alipay)}
	for name, env := range map[string]map[string]string{"current": current, "earlier": old} {
		ds, err := platforms.FromEnv(func(k string) string { return env[k] })
		require.NoError(t, err, name)
		c, err := taro.New(taro.Config{Drivers: ds})
		require.NoError(t, err, name)
		code, err := sb.Login(taro.Alipay, "env-user")
		require.NoError(t, err)
		res, err := c.Code2Session(t.Context(), taro.LoginOption{Platform: taro.Alipay, Code: code})
		require.NoError(t, err, "%s names: the signed answer verifies", name)
		assert.Equal(t, "env-user", res.Session.OpenID)
	}
}
