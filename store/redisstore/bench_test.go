package redisstore_test

import (
	"context"
	"testing"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// BenchmarkCheckSession measures the warm path with the memory stores and
// with Redis (miniredis, or the server at TARO_REDIS_URL): the difference is
// the latency Redis adds to a check — one GET of the session record.
func BenchmarkCheckSession(b *testing.B) {
	for _, p := range []taro.Platform{taro.QQ, taro.Weapp} {
		for _, store := range []string{"memory", "redis"} {
			b.Run(string(p)+"/"+store, func(b *testing.B) {
				ctx := context.Background()
				sb := sandbox.NewServer(sandbox.Options{})
				defer sb.Close()
				cfg := taro.Config{Drivers: []taro.Driver{makeDriver(b, sb, p, sb.HTTPClient())}}
				if store == "redis" {
					be := newBackend(b)
					st := be.store(redisstore.Options{})
					cfg.Sessions, cfg.Tokens = st, st
				}
				c, err := taro.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				s := login(b, sb, c, p, "bench-user")
				opt := taro.Option{Platform: p, Session: s}
				if _, err := c.CheckSession(ctx, opt); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := c.CheckSession(ctx, opt); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
