package redisstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

var loginKey = redistest.LoginKey

// loginReplica is one replica of a service: a client and a manager on st.
func loginReplica(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, interval time.Duration) *loginpkg.Manager {
	t.Helper()
	return loginReplicaWith(t, sb, st, loginpkg.Config{CheckInterval: interval})
}

// loginReplicaWith is loginReplica with more of the manager's config.
func loginReplicaWith(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, lc loginpkg.Config) *loginpkg.Manager {
	t.Helper()
	return redistest.LoginReplica(t, sb, st, lc)
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
	return redistest.LoginVia(t, sb, m, p, openid)
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
			id := sha256.Sum256([]byte(third))
			assert.Contains(t, dump, hex.EncodeToString(id[:]), "the ticket record is there, under its hash")
		})
	}
}

// The warm path of Require: with client-side caching (a real Redis), no
// round trip at all: the ticket, its last use, the user's session record
// and the newest ticket (PerDevice) come from the replica's memory;
// uncached (miniredis, TARO_REDIS_CACHE=off), one script call.
func TestRequireWarmPathRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    taro.Platform
		lc   loginpkg.Config
	}{
		{"qq", taro.QQ, loginpkg.Config{}},
		{"weapp", taro.Weapp, loginpkg.Config{}},
		{"qq-idle-perdevice", taro.QQ, loginpkg.Config{IdleTimeout: time.Hour, Sessions: loginpkg.PerDevice}},
		{"weapp-idle", taro.Weapp, loginpkg.Config{IdleTimeout: time.Hour}},
	} {
		p := tc.p
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t)
			st := b.store(redisstore.Options{})
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			tc.lc.CheckInterval = time.Hour
			m := loginReplicaWith(t, sb, st, tc.lc)
			ticket := loginVia(t, sb, m, p, "warm-user")
			require.Equal(t, 200, status(t, m, ticket)) // weapp: the platform check of this interval
			require.Equal(t, 200, status(t, m, ticket)) // the cache is warm
			checks, cmds := sb.Requests(p, sandbox.CheckSession), b.commands.Load()
			for range 10 {
				require.Equal(t, 200, status(t, m, ticket))
			}
			want := int64(10) // one script call each
			if b.cached() {
				want = 0
			}
			assert.Equal(t, want, b.commands.Load()-cmds, "Redis round trips for 10 warm requests")
			assert.Equal(t, checks, sb.Requests(p, sandbox.CheckSession), "no platform call within the interval")
		})
	}
}

// IdleTimeout's last-use touch is a write at most once per ticket per
// IdleTimeout/10: requests 20 ms apart under a one-second timeout touch at
// most once per 100 ms of the run (the bound is computed from the run's
// own duration, so a slow machine cannot fail it), and a cached read
// after a touch is one more round trip.
func TestIdleTouchIsRare(t *testing.T) {
	b := newBackend(t)
	st := b.store(redisstore.Options{})
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	m := loginReplicaWith(t, sb, st, loginpkg.Config{CheckInterval: time.Hour, IdleTimeout: time.Second})
	ticket := loginVia(t, sb, m, taro.QQ, "touch-user")
	require.Equal(t, 200, status(t, m, ticket))
	cmds, start := b.commands.Load(), time.Now()
	const n = 30
	for range n {
		time.Sleep(20 * time.Millisecond)
		require.Equal(t, 200, status(t, m, ticket))
	}
	touches := int64(time.Since(start)/(100*time.Millisecond)) + 1
	got := b.commands.Load() - cmds
	if b.cached() {
		assert.LessOrEqual(t, got, 2*touches, "a touch and the read after it, at most once per 100 ms")
	} else {
		assert.Equal(t, int64(n), got, "uncached: the lookup script touches in the same call")
	}
	t.Logf("%d requests over %v: %d Redis round trips", n, time.Since(start).Round(time.Millisecond), got)
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
	for _, v := range []struct {
		name string
		opts redisstore.Options
		lc   loginpkg.Config
	}{
		{"redis-uncached", redisstore.Options{CacheTTL: -1}, loginpkg.Config{}},
		{"redis-cached", redisstore.Options{}, loginpkg.Config{}},
		{"redis-cached-idle-perdevice", redisstore.Options{}, loginpkg.Config{IdleTimeout: 30 * time.Minute, Sessions: loginpkg.PerDevice}},
	} {
		b.Run(v.name, func(b *testing.B) {
			bk := newBackend(b)
			st := bk.store(v.opts)
			v.lc.CheckInterval = time.Hour
			m := loginReplicaWith(b, sb, st, v.lc)
			ticket := loginVia(b, sb, m, taro.QQ, "bench-"+v.name)
			if st.Cached() {
				require.Equal(b, 200, status(b, m, ticket)) // warm the cache
			}
			before := bk.commands.Load()
			run(b, m, ticket)
			b.ReportMetric(float64(bk.commands.Load()-before)/float64(b.N), "redis-round-trips/op")
		})
	}
}
