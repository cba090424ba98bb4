package platforms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/qq/qqfake"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// A throw-away keyless platform, as Alipay is: no session key, so logins
// are recorded by order, CheckSession is not supported, Decrypt is not
// supported, and package login decides by login order and age. What it
// touched: its own "directory" (this file: the driver, the plugin, the
// fake), the bundle's line (platforms.All) and the sandbox's list of fakes
// (here given through sandbox.Options). No path of the portable layer, the
// login state, the kit or the CLI names it: they ask driver.TraitsOf.
const keyToy taro.Platform = "keyless-toy"

type keylessDriver struct{ *qq.Driver }

func (keylessDriver) Platform() driver.Platform { return keyToy }
func (keylessDriver) KeylessLogin() bool        { return true }
func (d keylessDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	r, err := d.Driver.Code2Session(ctx, req)
	r.SessionKey = "" // the platform has none
	return r, err
}

// Only the login: no checker, no decrypter, no token.
type keylessOnly struct{ d keylessDriver }

func (k keylessOnly) Platform() driver.Platform { return keyToy }
func (k keylessOnly) AppID() string             { return k.d.AppID() }
func (k keylessOnly) KeylessLogin() bool        { return true }
func (k keylessOnly) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	return k.d.Code2Session(ctx, req)
}

var keylessPlugin = driver.Plugin{
	Platform: keyToy,
	Title:    "Keyless Toy",
	New: func(s driver.Settings) (driver.Driver, error) {
		d, err := qq.New(qq.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
		if err != nil {
			return nil, err
		}
		return keylessOnly{keylessDriver{d}}, nil
	},
}

func init() { driver.RegisterPlugin(keylessPlugin) }

func keylessFake() fake.Platform {
	f := qqfake.New()
	f.Platform = keyToy
	f.App = fake.App{ID: "keyless-app", Secret: "keyless-secret"}
	return f
}

func TestKeylessToyPlatform(t *testing.T) {
	saved := platforms.All
	t.Cleanup(func() { platforms.All = saved })
	platforms.All = append(slices.Clone(saved), keylessPlugin) // the bundle's line

	sb := sandbox.NewServer(sandbox.Options{Fakes: []fake.Platform{keylessFake()}}) // the sandbox's line
	defer sb.Close()
	app := sb.App(keyToy)
	ds, err := platforms.New(map[taro.Platform]platforms.Settings{keyToy: sandbox.AppSettings(app, sb.BaseURL(keyToy), nil)})
	require.NoError(t, err)
	require.True(t, driver.TraitsOf(ds[0]).Keyless)
	c, err := taro.New(taro.Config{Drivers: ds})
	require.NoError(t, err)
	ctx := context.Background()
	code, err := sb.Login(keyToy, "k-user")
	require.NoError(t, err)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: keyToy, Code: code})
	require.NoError(t, err)
	assert.Equal(t, "k-user", res.OpenID)
	assert.Empty(t, res.Session.SessionKey)
	_, err = c.CheckSession(ctx, taro.Option{Platform: keyToy, Session: taro.Session{OpenID: "k-user", SessionKey: "x"}})
	assert.ErrorIs(t, err, taro.ErrNotSupported, "no key to check")
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: keyToy, Session: taro.Session{OpenID: "k-user", SessionKey: "x"}, EncryptedData: "AAAA", IV: "AAAA"})
	assert.ErrorIs(t, err, taro.ErrNotSupported)

	// The login state: tickets by login order and age.
	m, err := login.New(login.Config{Client: c, Key: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	me := m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	status := func(ticket string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/me", nil)
		req.Header.Set("Authorization", "Bearer "+ticket)
		me.ServeHTTP(rec, req)
		return rec.Code
	}
	loginOnce := func() string {
		code, err := sb.Login(keyToy, "k-user")
		require.NoError(t, err)
		r, err := m.Login(ctx, taro.LoginOption{Platform: keyToy, Code: code})
		require.NoError(t, err)
		return r.Ticket
	}
	first := loginOnce()
	assert.Equal(t, 200, status(first))
	second := loginOnce()
	assert.Equal(t, 401, status(first), "a newer login supersedes")
	assert.Equal(t, 200, status(second))
	assert.True(t, strings.HasPrefix(second, "v1."))
}
