package redisstore_test

import (
	"context"
	"testing"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// BenchmarkCheckSession measures the warm path with the memory stores and
// with Redis (miniredis, or the server at TARO_REDIS_URL), uncached and
// with client-side caching, and reports the Redis round trips each check
// makes: qq is decided by the session store alone, weapp by the store and
// then the platform (whose call is the same in every variant).
func BenchmarkCheckSession(b *testing.B) {
	for _, p := range []taro.Platform{taro.QQ, taro.Weapp} {
		for _, store := range []string{"memory", "redis-uncached", "redis-cached"} {
			b.Run(string(p)+"/"+store, func(b *testing.B) {
				ctx := context.Background()
				sb := sandbox.NewServer(sandbox.Options{})
				defer sb.Close()
				cfg := taro.Config{Drivers: []taro.Driver{makeDriver(b, sb, p, sb.HTTPClient())}}
				var be *backend
				if store != "memory" {
					be = newBackend(b)
					opts := redisstore.Options{}
					if store == "redis-uncached" {
						opts.CacheTTL = -1
					}
					st := be.store(opts)
					cfg.Sessions, cfg.Tokens = st, st
				}
				c, err := taro.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				s := login(b, sb, c, p, "bench-user")
				opt := taro.Option{Platform: p, Session: s}
				for range 2 { // the token, then the records, in memory
					if _, err := c.CheckSession(ctx, opt); err != nil {
						b.Fatal(err)
					}
				}
				var before int64
				if be != nil {
					before = be.commands.Load()
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := c.CheckSession(ctx, opt); err != nil {
						b.Fatal(err)
					}
				}
				if be != nil {
					b.ReportMetric(float64(be.commands.Load()-before)/float64(b.N), "redis-round-trips/op")
				}
			})
		}
	}
}
