package sandbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// One Client serves two weapp apps (each its own sandbox): the options'
// AppID chooses; an empty AppID is ErrInvalidArgument naming AppID before
// any I/O; an unknown one is ErrNoDriver; each app has its own records and
// tokens; the same openid on both apps is two users.
func TestSeveralAppsOfOnePlatform(t *testing.T) {
	ctx := context.Background()
	sa := sandbox.NewServer(sandbox.Options{})
	defer sa.Close()
	sb := sandbox.NewServer(sandbox.Options{Apps: map[taro.Platform]sandbox.App{taro.Weapp: {ID: "wx-lite", Secret: "lite-secret"}}})
	defer sb.Close()
	a, b := sa.App(taro.Weapp), sb.App(taro.Weapp)
	ds, err := platforms.NewApps(map[taro.Platform][]platforms.Settings{taro.Weapp: {
		{AppID: a.ID, Secret: a.Secret, BaseURL: sa.BaseURL(taro.Weapp)},
		{AppID: b.ID, Secret: b.Secret, BaseURL: sb.BaseURL(taro.Weapp)},
	}})
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds})
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID, b.ID}, c.AppIDs(taro.Weapp))
	_, ok := c.AppID(taro.Weapp)
	assert.False(t, ok, "no single app id")

	// Refused before any I/O.
	code, _ := sa.Login(taro.Weapp, "u")
	before := sa.Requests(taro.Weapp, sandbox.Code2Session)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.Contains(t, res.ErrMsg, "AppID is required")
	assert.Equal(t, before, sa.Requests(taro.Weapp, sandbox.Code2Session))
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: "wx-nobody", Code: code})
	assert.ErrorIs(t, err, taro.ErrNoDriver)
	for _, call := range []func() error{
		func() error {
			_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: "k"}})
			return err
		},
		func() error {
			_, err := c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: "k"}, EncryptedData: "AAAA", IV: "AAAA"})
			return err
		},
		func() error {
			_, err := c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp, Code: "c"})
			return err
		},
		func() error {
			_, err := c.ResetSession(ctx, taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: "k"}})
			return err
		},
		func() error { _, err := c.AccessToken(ctx, taro.Weapp); return err },
		func() error { return c.InvalidateAccessToken(ctx, taro.Weapp, "t") },
		func() error {
			return c.VerifyRawData(taro.Weapp, taro.Session{OpenID: "u", SessionKey: "k"}, "{}", "0")
		},
	} {
		assert.ErrorIs(t, call(), taro.ErrInvalidArgument)
	}

	// Each app's login, session and token.
	la, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: a.ID, Code: code})
	require.NoError(t, err)
	assert.Equal(t, a.ID, la.AppID)
	codeB, _ := sb.Login(taro.Weapp, "u")
	lb, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: b.ID, Code: codeB})
	require.NoError(t, err)
	assert.Equal(t, b.ID, lb.AppID)
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, AppID: a.ID, Session: la.Session})
	assert.NoError(t, err, "app B's login of the same openid does not supersede app A's")
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, AppID: b.ID, Session: lb.Session})
	assert.NoError(t, err)
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, AppID: b.ID, Session: la.Session})
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "app A's key is not app B's session")
	ta, err := c.AccessTokenFor(ctx, taro.Weapp, a.ID)
	require.NoError(t, err)
	tb, err := c.AccessTokenFor(ctx, taro.Weapp, b.ID)
	require.NoError(t, err)
	assert.Contains(t, sa.IssuedTokens(taro.Weapp), ta)
	assert.Contains(t, sb.IssuedTokens(taro.Weapp), tb)
	assert.NoError(t, c.InvalidateAccessTokenFor(ctx, taro.Weapp, b.ID, tb))
	data, iv, err := sb.Encrypt(taro.Weapp, "u", []byte(`{"a":1}`))
	require.NoError(t, err)
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, AppID: b.ID, Session: lb.Session, EncryptedData: data, IV: iv})
	assert.NoError(t, err)
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, AppID: a.ID, Session: lb.Session, EncryptedData: data, IV: iv})
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "app B's data does not open as app A's (its watermark)")
	pc, err := sb.PhoneCode(taro.Weapp, "u", "13800138000")
	require.NoError(t, err)
	ph, err := c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp, AppID: b.ID, Code: pc})
	require.NoError(t, err)
	assert.Equal(t, "13800138000", ph.PurePhoneNumber)

	// The client results of the platform need no app.
	_, err = c.FromNative(taro.Weapp, "checkSession", []byte(`{"errMsg":"checkSession:ok"}`))
	assert.NoError(t, err)

	// Two drivers of one platform and app id are still an error.
	d, err := platforms.Driver(taro.Weapp, platforms.Settings{AppID: a.ID, Secret: a.Secret})
	require.NoError(t, err)
	assert.ErrorIs(t, c.Register(d), taro.ErrInvalidArgument)
}
