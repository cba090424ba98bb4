package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// MakeDriver builds p's driver against sb (Douyin as a mini-game, whose
// session check is the platform's).
func MakeDriver(t testing.TB, sb *sandbox.Sandbox, p taro.Platform, hc *http.Client) taro.Driver {
	t.Helper()
	s := sandbox.AppSettings(sb.App(p), sb.BaseURL(p), hc)
	if p == taro.TT {
		s = s.With("MiniGame", "1")
	}
	d, err := platforms.Driver(p, s)
	require.NoError(t, err)
	return d
}

// Replica is one service instance: its own client and p's driver, Fast
// retries, and a shared store.
func Replica(t testing.TB, sb *sandbox.Sandbox, p taro.Platform, st *redisstore.Store, logger *slog.Logger) *taro.Client {
	t.Helper()
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{MakeDriver(t, sb, p, sb.HTTPClient())},
		Tokens: st, Sessions: st, Retry: Fast, Logger: logger})
	require.NoError(t, err)
	return c
}

// Login logs openid in on p through c with a code from sb and returns
// the session.
func Login(t testing.TB, sb *sandbox.Sandbox, c *taro.Client, p taro.Platform, openid string) taro.Session {
	t.Helper()
	code, err := sb.Login(p, openid)
	require.NoError(t, err)
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: p, Code: code})
	require.NoError(t, err)
	return res.Session
}

// KeyedPlatforms lists the built-in platforms whose sessions have a key.
func KeyedPlatforms() []taro.Platform {
	var out []taro.Platform
	for _, p := range sandbox.Platforms() {
		if pl, _ := driver.LookupPlugin(p); !pl.Keyless {
			out = append(out, p)
		}
	}
	return out
}

// Store is a store of the test's own (a random key prefix, unless
// opts.Prefix shares one between replicas) on the Redis
// the environment names: TARO_REDIS_CLUSTER_ADDRS, TARO_REDIS_URL, or a
// miniredis. Client-side caching is off on miniredis and with
// TARO_REDIS_CACHE=off. It returns the store's client too.
func Store(t testing.TB, opts redisstore.Options) (*redisstore.Store, rueidis.Client) {
	t.Helper()
	o := rueidis.ClientOption{ForceSingleClient: true, PipelineMultiplex: -1}
	cached := os.Getenv("TARO_REDIS_CACHE") != "off"
	switch {
	case os.Getenv("TARO_REDIS_CLUSTER_ADDRS") != "":
		o = rueidis.ClientOption{InitAddress: strings.Split(os.Getenv("TARO_REDIS_CLUSTER_ADDRS"), ",")}
	case os.Getenv("TARO_REDIS_URL") != "":
		var err error
		o, err = rueidis.ParseURL(os.Getenv("TARO_REDIS_URL"))
		require.NoError(t, err)
		o.ForceSingleClient, o.PipelineMultiplex = true, -1
	default:
		o.InitAddress = []string{miniredis.RunT(t).Addr()}
		cached = false
	}
	o.DisableCache = !cached
	o.ConnWriteTimeout = 2 * time.Second // the stores' OpTimeout, as Open sets it
	if !cached && opts.CacheTTL == 0 {
		opts.CacheTTL = -1
	}
	c, err := rueidis.NewClient(o)
	require.NoError(t, err, "Redis does not answer")
	t.Cleanup(c.Close)
	if opts.Prefix == "" {
		r := make([]byte, 6)
		_, _ = rand.Read(r)
		opts.Prefix = "taro-test:" + hex.EncodeToString(r) + ":"
	}
	return redisstore.New(c, opts), c
}
