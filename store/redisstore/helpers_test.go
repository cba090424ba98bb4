package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// backend is the Redis a test runs against: miniredis by default, the
// server at TARO_REDIS_URL when that is set, and the Redis Cluster at
// TARO_REDIS_CLUSTER_ADDRS (comma-separated host:port of its masters) when
// that is set (CI runs the store tests against both).
type backend struct {
	rdb      redis.UniversalClient
	mr       *miniredis.Miniredis // nil on a real server
	cluster  bool
	commands *atomic.Int64
	prefix   string
}

func (b *backend) real() bool { return b.mr == nil }

// keys lists the keys under the test's prefix, on every master of a
// cluster.
func (b *backend) keys(ctx context.Context) ([]string, error) {
	if cc, ok := b.rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex
		var all []string
		err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			ks, err := c.Keys(ctx, b.prefix+"*").Result()
			mu.Lock()
			all = append(all, ks...)
			mu.Unlock()
			return err
		})
		return all, err
	}
	return b.rdb.Keys(ctx, b.prefix+"*").Result()
}

// countHook counts the commands (round trips) a client sends.
type countHook struct{ n *atomic.Int64 }

func (countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

func newBackend(t testing.TB) *backend {
	t.Helper()
	b := &backend{commands: &atomic.Int64{}}
	if addrs := os.Getenv("TARO_REDIS_CLUSTER_ADDRS"); addrs != "" {
		b.rdb = redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ","), ContextTimeoutEnabled: true, MaxRetries: 1})
		b.cluster = true
	} else {
		var opts *redis.Options
		if u := os.Getenv("TARO_REDIS_URL"); u != "" {
			o, err := redis.ParseURL(u)
			if err != nil {
				t.Fatalf("TARO_REDIS_URL: %v", err)
			}
			opts = o
		} else {
			b.mr = miniredis.RunT(t)
			opts = &redis.Options{Addr: b.mr.Addr()}
		}
		opts.ContextTimeoutEnabled = true
		opts.MaxRetries = 1
		b.rdb = redis.NewClient(opts)
	}
	if err := b.rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis does not answer: %v", err)
	}
	b.rdb.AddHook(countHook{b.commands})
	t.Cleanup(func() { _ = b.rdb.Close() })
	// A prefix of its own per test keeps runs on a shared server apart.
	r := make([]byte, 6)
	_, _ = rand.Read(r)
	b.prefix = "taro-test:" + hex.EncodeToString(r) + ":"
	return b
}

func (b *backend) store(opts redisstore.Options) *redisstore.Store {
	opts.Prefix = b.prefix
	return redisstore.New(b.rdb, opts)
}

// quietRedis silences go-redis's global logger, which reports every dial
// failure of the tests that stop Redis on purpose.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...interface{}) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietRedis{})
	os.Exit(m.Run())
}

// recErr is the error of a RecordSession call.
func recErr(_ taro.SessionRecord, err error) error { return err }
