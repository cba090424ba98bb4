package platforms_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
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

	_, err = platforms.Driver("alipay", platforms.Settings{})
	assert.ErrorContains(t, err, `unknown platform "alipay"; known: kwai, qq, swan, tt, weapp`)
	_, err = platforms.New(map[taro.Platform]platforms.Settings{"alipay": {}})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	s := platforms.Settings{AppID: "a", Secret: "TOP-SECRET-VALUE"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, s), "TOP-SECRET-VALUE")
	}
}
