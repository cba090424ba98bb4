package redisstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// merchantApp is one of a SaaS host's apps: it logs in "o-<code>" with a
// key of its own.
type merchantApp struct{ id string }

func (merchantApp) Platform() driver.Platform { return taro.QQ }
func (a merchantApp) AppID() string           { return a.id }
func (a merchantApp) Code2Session(_ context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
	return driver.LoginResponse{OpenID: "o-" + r.Code, SessionKey: "key-of-" + a.id + "-" + r.Code}, nil
}

// A thousand apps from a source on one Redis, through one client and one
// login.Manager: each logs a user in, the ticket resolves (the store's
// verdict on its own app's session), and every key the store holds is its
// app's (a session of one app is not another's).
func TestThousandAppsFromASource(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	st := b.store(redisstore.Options{})
	var asked int
	src := taro.AppSourceFunc(func(_ context.Context, p taro.Platform, appID string) (taro.Driver, error) {
		asked++
		return merchantApp{id: appID}, nil
	})
	c, err := taro.New(taro.Config{Apps: src, Sessions: st, Tokens: st})
	require.NoError(t, err)
	m, err := loginpkg.New(loginpkg.Config{Client: c, Store: st, Key: loginKey})
	require.NoError(t, err)
	ctx := context.Background()
	const apps = 1000
	tickets := make([]string, apps)
	for i := range apps {
		res, err := m.Login(ctx, taro.LoginOption{Platform: taro.QQ, AppID: fmt.Sprint("merchant-", i), Code: "u"})
		require.NoError(t, err)
		tickets[i] = res.Ticket
	}
	for i := range apps {
		u, err := m.Resolve(ctx, tickets[i])
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint("merchant-", i), u.AppID, "a ticket stays bound to its app")
		other := fmt.Sprint("merchant-", (i+1)%apps)
		_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, AppID: other, Session: u.Session()})
		require.ErrorIs(t, err, taro.ErrSessionInvalid, "app %d's session is not %s's", i, other)
	}
	assert.Equal(t, apps, asked, "each app looked up once")
}
