package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

var loginKey = []byte("0123456789abcdef0123456789abcdef")

// loginReplica is one replica of a service: a client and a manager on st.
func loginReplica(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, interval time.Duration) *loginpkg.Manager {
	t.Helper()
	return loginReplicaWith(t, sb, st, loginpkg.Config{CheckInterval: interval})
}

// loginReplicaWith is loginReplica with more of the manager's config.
func loginReplicaWith(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, lc loginpkg.Config) *loginpkg.Manager {
	t.Helper()
	cfg := map[taro.Platform]platforms.Settings{}
	for _, p := range sandbox.Platforms() {
		app := sb.App(p)
		s := platforms.AppSettings(app, sb.BaseURL(p), sb.HTTPClient())
		s.MiniGame = p == taro.TT
		cfg[p] = s
	}
	ds, err := platforms.New(cfg)
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, Sessions: st, Tokens: st, Retry: fast})
	require.NoError(t, err)
	lc.Client, lc.Store, lc.Key = c, st, loginKey
	m, err := loginpkg.New(lc)
	require.NoError(t, err)
	return m
}

func status(t testing.TB, m *loginpkg.Manager, ticket string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+ticket)
	m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := loginpkg.UserFrom(r.Context()); !ok {
			w.WriteHeader(500)
		}
	})).ServeHTTP(rec, req)
	return rec.Code
}

func loginVia(t testing.TB, sb *sandbox.Sandbox, m *loginpkg.Manager, p taro.Platform, openid string) string {
	t.Helper()
	code, err := sb.Login(p, openid)
	require.NoError(t, err)
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: p, Code: code})
	require.NoError(t, err)
	return res.Ticket
}

// Two managers on one Redis (or Redis Cluster) are two replicas of one
// service: a ticket issued on A works on B, a newer login on B makes A's
// old ticket 401 on both, a logout on one is seen by the other.
func TestLoginReplicasShareOneRedis(t *testing.T) {
	for _, p := range sandbox.Platforms() {
		t.Run(string(p), func(t *testing.T) {
			b := newBackend(t)
			st := b.store(redisstore.Options{})
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			a, bb := loginReplica(t, sb, st, 0), loginReplica(t, sb, st, 0)
			first := loginVia(t, sb, a, p, "replica-user")
			assert.Equal(t, 200, status(t, bb, first), "a ticket issued on A works on B")
			second := loginVia(t, sb, bb, p, "replica-user")
			assert.Equal(t, 401, status(t, a, first), "a newer login on B makes A's old ticket 401")
			assert.Equal(t, 401, status(t, bb, first))
			assert.Equal(t, 200, status(t, a, second))
			require.NoError(t, a.Logout(context.Background(), second))
			assert.Equal(t, 401, status(t, bb, second), "a logout on A is seen by B")

			// Nothing in Redis holds a ticket or a session key in clear.
			third := loginVia(t, sb, a, p, "replica-user")
			key, _ := sb.SessionKey(p, "replica-user")
			dump := dumpAll(t, b)
			assert.NotContains(t, dump, third)
			assert.NotContains(t, dump, key)
			assert.Contains(t, dump, "ticket:", "the ticket record is there, under its hash")
		})
	}
}

// The warm path of Require asks Redis once: the ticket record, the
// user's session record, the newest ticket (PerDevice) and the idle
// touch (IdleTimeout) in one script call.
func TestRequireWarmPathIsOneRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    taro.Platform
		lc   loginpkg.Config
	}{
		{"qq", taro.QQ, loginpkg.Config{}},
		{"weapp", taro.Weapp, loginpkg.Config{}},
		{"qq-idle-perdevice", taro.QQ, loginpkg.Config{IdleTimeout: time.Millisecond, Sessions: loginpkg.PerDevice}},
		{"weapp-idle", taro.Weapp, loginpkg.Config{IdleTimeout: time.Millisecond}},
	} {
		p := tc.p
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t)
			st := b.store(redisstore.Options{})
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			tc.lc.CheckInterval = time.Hour
			var gap time.Duration
			if tc.lc.IdleTimeout > 0 {
				// A second's timeout and requests 110 ms apart: every
				// request is past IdleTimeout/10 and touches the ticket,
				// the worst case, and is still one round trip.
				tc.lc.IdleTimeout, gap = time.Second, 110*time.Millisecond
			}
			m := loginReplicaWith(t, sb, st, tc.lc)
			ticket := loginVia(t, sb, m, p, "warm-user")
			require.Equal(t, 200, status(t, m, ticket)) // weapp: the platform check of this interval
			checks, cmds := sb.Requests(p, sandbox.CheckSession), b.commands.Load()
			for range 10 {
				time.Sleep(gap)
				require.Equal(t, 200, status(t, m, ticket))
			}
			assert.Equal(t, int64(10), b.commands.Load()-cmds, "one Redis round trip per request")
			assert.Equal(t, checks, sb.Requests(p, sandbox.CheckSession), "no platform call within the interval")
		})
	}
}

// Redis stopped: 503, never 200 and never 401; logins hand out nothing.
func TestLoginWithRedisStopped(t *testing.T) {
	mr := miniredis.RunT(t)
	st, err := redisstore.Open("redis://"+mr.Addr()+"/0", redisstore.Options{OpTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	defer st.Close()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	m := loginReplica(t, sb, st, 0)
	ticket := loginVia(t, sb, m, taro.QQ, "u")
	require.Equal(t, 200, status(t, m, ticket))
	mr.Close()
	assert.Equal(t, 503, status(t, m, ticket))
	code, _ := sb.Login(taro.QQ, "u")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/login", strings.NewReader(fmt.Sprintf(`{"platform":"qq","code":%q}`, code))))
	assert.Equal(t, 503, rec.Code, rec.Body.String())
	assert.NotContains(t, rec.Body.String(), "ticket\"")
}

// BenchmarkRequire measures the warm path of the middleware on qq (the
// store's verdict only): memory stores, and Redis.
func BenchmarkRequire(b *testing.B) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	run := func(b *testing.B, m *loginpkg.Manager, ticket string) {
		h := m.Require(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		req := httptest.NewRequest("GET", "/me", nil)
		req.Header.Set("Authorization", "Bearer "+ticket)
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	}
	b.Run("memory", func(b *testing.B) {
		app := sb.App(taro.QQ)
		d, _ := platforms.Driver(taro.QQ, platforms.Settings{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ)})
		c, _ := taro.NewClient(d)
		m, _ := loginpkg.New(loginpkg.Config{Client: c, Key: loginKey})
		code, _ := sb.Login(taro.QQ, "bench")
		res, err := m.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: code})
		if err != nil {
			b.Fatal(err)
		}
		run(b, m, res.Ticket)
	})
	b.Run("redis", func(b *testing.B) {
		bk := newBackend(b)
		st := bk.store(redisstore.Options{})
		m := loginReplica(b, sb, st, time.Hour)
		ticket := loginVia(b, sb, m, taro.QQ, "bench")
		before := bk.commands.Load()
		run(b, m, ticket)
		b.ReportMetric(float64(bk.commands.Load()-before)/float64(b.N), "redis-round-trips/op")
	})
	b.Run("redis-idle", func(b *testing.B) {
		bk := newBackend(b)
		st := bk.store(redisstore.Options{})
		m := loginReplicaWith(b, sb, st, loginpkg.Config{CheckInterval: time.Hour, IdleTimeout: 50 * time.Millisecond})
		ticket := loginVia(b, sb, m, taro.QQ, "bench-idle")
		before := bk.commands.Load()
		run(b, m, ticket)
		b.ReportMetric(float64(bk.commands.Load()-before)/float64(b.N), "redis-round-trips/op")
	})
}
