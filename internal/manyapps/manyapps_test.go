package manyapps

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	loginpkg "github.com/tarogo/adapter/login"
	_ "github.com/tarogo/adapter/platforms" // the plugins SettingsSource builds with
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

const apps = 1000

var key = []byte("0123456789abcdef0123456789abcdef")

// source is a SettingsSource over the sandbox's apps of weapp and qq, as
// a database of app rows would be; known restricts it to some ids.
func source(sb *sandbox.Sandbox, known func(appID string) bool) taro.AppSource {
	rows := map[taro.Platform]map[string]sandbox.App{}
	for _, p := range []taro.Platform{taro.Weapp, taro.QQ} {
		rows[p] = map[string]sandbox.App{}
		for _, a := range sb.Apps(p) {
			rows[p][a.ID] = a
		}
	}
	return taro.SettingsSource(func(_ context.Context, p taro.Platform, appID string) (taro.Settings, error) {
		a, ok := rows[p][appID]
		if !ok || !known(appID) {
			return taro.Settings{}, fmt.Errorf("%w: %s %s", taro.ErrNoDriver, p, appID)
		}
		return taro.Settings{AppID: a.ID, Secret: a.Secret, BaseURL: sb.BaseURL(p), HTTPClient: sb.HTTPClient()}, nil
	})
}

// A thousand weapp apps and a thousand qq apps from a SettingsSource log
// in and check sessions through one login.Manager, on memory and on
// Redis: each ticket resolves to its own app, another app's check
// refuses its session, and a replica whose source serves other apps
// refuses its tickets as another app's.
func TestThousandAppsPerPlatformThroughOneManager(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{AppsPerPlatform: apps})
	defer sb.Close()
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			cfg := taro.Config{Apps: source(sb, func(string) bool { return true })}
			var st *redisstore.Store
			if backend == "redis" {
				st, _ = redistest.Store(t, redisstore.Options{}) // TARO_REDIS_URL, or a miniredis; keys of this run only
				cfg.Sessions, cfg.Tokens = st, st
			}
			c, err := taro.New(cfg)
			require.NoError(t, err)
			lc := loginpkg.Config{Client: c, Key: key}
			if st != nil {
				lc.Store = st
			}
			m, err := loginpkg.New(lc)
			require.NoError(t, err)

			type issued struct {
				p      taro.Platform
				app    string
				ticket string
			}
			var all []issued
			user := "user-" + backend
			for _, p := range []taro.Platform{taro.Weapp, taro.QQ} {
				for _, a := range sb.Apps(p) {
					code, err := sb.LoginApp(p, a.ID, user)
					require.NoError(t, err)
					res, err := m.Login(ctx, taro.LoginOption{Platform: p, AppID: a.ID, Code: code})
					require.NoError(t, err, "%s %s", p, a.ID)
					all = append(all, issued{p, a.ID, res.Ticket})
				}
			}
			require.Len(t, all, 2*apps)
			for i, is := range all {
				u, err := m.Resolve(ctx, is.ticket)
				require.NoError(t, err, "%s %s", is.p, is.app)
				require.Equal(t, is.app, u.AppID, "a ticket stays bound to its app")
				next := all[(i+1)%len(all)]
				if next.p != is.p {
					continue
				}
				_, err = c.CheckSession(ctx, taro.Option{Platform: is.p, AppID: next.app, Session: u.Session()})
				require.ErrorIs(t, err, taro.ErrSessionInvalid, "%s's session is not %s's", is.app, next.app)
			}

			// A replica whose source serves only each platform's default
			// app refuses every other app's ticket.
			only := map[string]bool{sb.App(taro.Weapp).ID: true, sb.App(taro.QQ).ID: true}
			c2, err := taro.New(taro.Config{Apps: source(sb, func(id string) bool { return only[id] }), Sessions: cfg.Sessions, Tokens: cfg.Tokens})
			require.NoError(t, err)
			lc2 := lc
			lc2.Client = c2
			if st == nil {
				lc2.Store = loginpkg.NewMemoryStore(c.Sessions()) // the first replica's records
			}
			m2, err := loginpkg.New(lc2)
			require.NoError(t, err)
			refused := 0
			for _, is := range all {
				_, err := m2.Resolve(ctx, is.ticket)
				if only[is.app] {
					continue
				}
				require.ErrorIs(t, err, loginpkg.ErrTicketOtherApp)
				refused++
			}
			assert.Equal(t, 2*apps-2, refused)
		})
	}
}
