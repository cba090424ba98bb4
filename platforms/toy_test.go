package platforms_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/qq/qqfake"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// The toy platform is what a platform's directory would hold: a driver
// (here QQ's protocol under another name), its plugin, registered from
// init, and its fake.
const toy taro.Platform = "toy"

type toyDriver struct{ *qq.Driver }

func (toyDriver) Platform() driver.Platform { return toy }

var toyPlugin = driver.Plugin{
	Platform: toy,
	Title:    "Toy",
	New: func(s driver.Settings) (driver.Driver, error) {
		d, err := qq.New(qq.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
		if err != nil {
			return nil, err
		}
		return toyDriver{d}, nil
	},
	FromNative: qq.FromNative,
	Env:        []driver.EnvVar{{Suffix: "FLAVOUR", Setting: "flavour", Help: "the toy's flavour"}},
}

func init() { driver.RegisterPlugin(toyPlugin) } // the toy package's init

func toyFake() fake.Platform {
	f := qqfake.New()
	f.Platform = toy
	f.App = fake.App{ID: "toy-app", Secret: "toy-secret"}
	return f
}

// Adding a platform is its directory, its line in the bundle and its
// fake's line in the sandbox's list: with the toy's line in platforms.All,
// the bundle's lists, FromEnv, the help text, a client and FromNative all
// know it (the sandbox is given its fake as its own list would).
func TestToyPlatformIsOneLine(t *testing.T) {
	saved := platforms.All
	t.Cleanup(func() { platforms.All = saved })
	platforms.All = append(slices.Clone(saved), toyPlugin) // the one line

	assert.Contains(t, platforms.Names(), toy)
	assert.Contains(t, strings.Join(platforms.EnvHelp(), "\n"), "TARO_TOY_APPID")
	assert.Contains(t, strings.Join(platforms.EnvHelp(), "\n"), "TARO_TOY_FLAVOUR")
	assert.Contains(t, sandbox.Platforms(), toy)

	sb := sandbox.NewServer(sandbox.Options{Fakes: []fake.Platform{toyFake()}})
	defer sb.Close()
	require.Contains(t, sb.Platforms(), toy, "the sandbox serves the toy's fake")
	app := sb.App(toy)
	env := map[string]string{"TARO_TOY_APPID": app.ID, "TARO_TOY_SECRET": app.Secret, "TARO_TOY_BASE_URL": sb.BaseURL(toy)}
	ds, err := platforms.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Len(t, ds, 1)
	c, err := taro.New(taro.Config{Drivers: ds})
	require.NoError(t, err)
	code, err := sb.Login(toy, "toy-user")
	require.NoError(t, err)
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: toy, Code: code})
	require.NoError(t, err)
	_, err = c.CheckSession(context.Background(), taro.Option{Platform: toy, Session: res.Session})
	assert.NoError(t, err)

	plain, err := taro.NewClient() // no driver at all: the toy's plugin answers
	require.NoError(t, err)
	_, err = plain.FromNative(toy, "checkSession", []byte(`{"errMsg":"checkSession:ok"}`))
	assert.NoError(t, err)
}
