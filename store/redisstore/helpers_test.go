package redisstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/rueidis"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// backend is the Redis a test runs against: miniredis by default, the
// server at TARO_REDIS_URL when that is set, and the Redis Cluster at
// TARO_REDIS_CLUSTER_ADDRS (comma-separated host:port of its masters) when
// that is set (CI runs the store tests against both, cached, and once
// more with TARO_REDIS_CACHE=off).
type backend struct {
	rdb     rueidis.Client // for the tests' own reads and writes
	mr      *miniredis.Miniredis
	cluster bool
	addrs   []string
	url     string
	// commands counts the round trips of every store client made by
	// store(): each write of a batch of commands to Redis but PINGs (the
	// client's health checks).
	commands *atomic.Int64
	prefix   string
	t        testing.TB
}

func (b *backend) real() bool { return b.mr == nil }

// cacheOff reports whether the run turns client-side caching off.
func cacheOff() bool { return os.Getenv("TARO_REDIS_CACHE") == "off" }

// cached reports whether stores made by store() cache.
func (b *backend) cached() bool { return b.real() && !cacheOff() }

// keys lists the keys under the test's prefix, on every node.
func (b *backend) keys(ctx context.Context) ([]string, error) {
	var mu sync.Mutex
	var all []string
	for _, nc := range b.rdb.Nodes() {
		ks, err := nc.Do(ctx, nc.B().Keys().Pattern(b.prefix+"*").Build()).AsStrSlice()
		if err != nil {
			return nil, err
		}
		mu.Lock()
		all = append(all, ks...)
		mu.Unlock()
	}
	return all, nil
}

// get, set and pttl are the tests' own raw access.
func (b *backend) get(ctx context.Context, key string) (string, error) {
	return b.rdb.Do(ctx, b.rdb.B().Get().Key(key).Build()).ToString()
}

func (b *backend) set(ctx context.Context, key, value string, ttlMS int64) error {
	return b.rdb.Do(ctx, b.rdb.B().Set().Key(key).Value(value).PxMilliseconds(ttlMS).Build()).Error()
}

func (b *backend) pttl(ctx context.Context, key string) (time.Duration, error) {
	n, err := b.rdb.Do(ctx, b.rdb.B().Pttl().Key(key).Build()).AsInt64()
	return time.Duration(n) * time.Millisecond, err
}

// countingConn counts the batches a client writes, PINGs aside.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

var ping = []byte("*1\r\n$4\r\nPING\r\n")

func (c countingConn) Write(p []byte) (int, error) {
	if len(bytes.ReplaceAll(p, ping, nil)) > 0 {
		c.n.Add(1)
	}
	return c.Conn.Write(p)
}

// option is the rueidis option of a client of this backend, counting into
// n when n is set.
func (b *backend) option(n *atomic.Int64) rueidis.ClientOption {
	o := rueidis.ClientOption{InitAddress: b.addrs, DisableCache: !b.cached()}
	if b.url != "" {
		var err error
		if o, err = rueidis.ParseURL(b.url); err != nil {
			panic(err)
		}
		o.DisableCache = !b.cached()
	}
	if !b.cluster {
		o.ForceSingleClient = true
		o.PipelineMultiplex = -1
	}
	o.ConnWriteTimeout = 2 * time.Second // the stores' OpTimeout, as Open sets it
	if n != nil {
		o.DialCtxFn = func(ctx context.Context, dst string, d *net.Dialer, tc *tls.Config) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", dst)
			if err != nil {
				return nil, err
			}
			return countingConn{c, n}, nil
		}
	}
	return o
}

func newBackend(t testing.TB) *backend {
	t.Helper()
	b := &backend{commands: &atomic.Int64{}, t: t}
	switch {
	case os.Getenv("TARO_REDIS_CLUSTER_ADDRS") != "":
		b.addrs = strings.Split(os.Getenv("TARO_REDIS_CLUSTER_ADDRS"), ",")
		b.cluster = true
	case os.Getenv("TARO_REDIS_URL") != "":
		b.url = os.Getenv("TARO_REDIS_URL")
	default:
		b.mr = miniredis.RunT(t)
		b.addrs = []string{b.mr.Addr()}
	}
	rdb, err := rueidis.NewClient(b.option(nil))
	if err != nil {
		t.Fatalf("Redis does not answer: %v", err)
	}
	b.rdb = rdb
	t.Cleanup(rdb.Close)
	// A prefix of its own per test keeps runs on a shared server apart.
	r := make([]byte, 6)
	_, _ = rand.Read(r)
	b.prefix = "taro-test:" + hex.EncodeToString(r) + ":"
	return b
}

// client makes a Redis client of its own (a replica's), counted.
func (b *backend) client(t testing.TB) rueidis.Client {
	t.Helper()
	c, err := rueidis.NewClient(b.option(b.commands))
	if err != nil {
		t.Fatalf("Redis does not answer: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// store makes a store on a client of its own: a replica. On miniredis
// (whose clock the tests set by hand, and which has no client-side
// caching) and with TARO_REDIS_CACHE=off it is uncached.
func (b *backend) store(opts redisstore.Options) *redisstore.Store {
	opts.Prefix = b.prefix
	if !b.cached() && opts.CacheTTL == 0 {
		opts.CacheTTL = -1
	}
	c, err := rueidis.NewClient(b.option(b.commands))
	if err != nil {
		panic("Redis does not answer: " + err.Error())
	}
	b.t.Cleanup(c.Close)
	return redisstore.New(c, opts)
}

// recErr is the error of a RecordSession call.
func recErr(_ taro.SessionRecord, err error) error { return err }
