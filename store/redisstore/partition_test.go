package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// silentProxy forwards TCP between its clients and a server until paused:
// then it forwards nothing in either direction and closes nothing (a
// silent network partition), until resumed.
type silentProxy struct {
	ln       net.Listener
	target   string
	mu       sync.Mutex
	cond     *sync.Cond
	paused   bool
	lastDown atomic.Int64 // UnixNano of the last byte forwarded to a client
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newSilentProxy(t *testing.T, target string) *silentProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &silentProxy{ln: ln, target: target}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Add(2)
			go p.pipe(s, c, true)
			go p.pipe(c, s, false)
		}
	}()
	t.Cleanup(p.close)
	return p
}

// pipe copies from src to dst, holding each chunk while paused.
func (p *silentProxy) pipe(src, dst net.Conn, down bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.paused {
				p.cond.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if down {
				p.lastDown.Store(time.Now().UnixNano())
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_ = dst.Close()
			}
			return
		}
	}
}

func (p *silentProxy) pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

func (p *silentProxy) resume() {
	p.mu.Lock()
	p.paused = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *silentProxy) close() {
	p.resume()
	_ = p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// A silent partition: the connection to Redis stays open and nothing
// arrives. A replica stops answering from its client-side cache within
// redisstore.LivenessWindow (1 s) of the last byte it received, and
// answers unavailable (never a cached record) until the connection is
// proven alive. Measured behind a loopback proxy that stops forwarding
// without closing, over 20 trials: the time from the last byte the proxy
// forwarded to the start of the first lookup refused. The assertion is
// the documented bound: every lookup that starts more than
// LivenessWindow after that byte (plus 250 ms for the client to read it
// on a busy machine) is refused.
func TestSilentPartitionIsNoticed(t *testing.T) {
	t.Parallel() // it waits on the clock: beside the other waiting tests
	b := newBackend(t)
	if !b.cached() || b.cluster {
		t.Skip("needs a single real Redis with client-side caching (TARO_REDIS_URL); CI runs this")
	}
	u, err := url.Parse(b.url)
	require.NoError(t, err)
	const groups, perGroup = 10, 2 // 20 trials, ten replicas partitioned at a time
	bound := redisstore.LivenessWindow + 250*time.Millisecond
	var mu sync.Mutex
	var delays []time.Duration
	var stale atomic.Int64
	// The replicas connect one after another (twenty handshakes at once
	// through the proxies can miss Open's deadline on a loaded machine),
	// then their trials run side by side as goroutines, not as parallel
	// subtests, which go test would run two at a time on two cores.
	proxies := make([]*silentProxy, groups)
	stores := make([]*redisstore.Store, groups)
	for g := range groups {
		proxies[g] = newSilentProxy(t, u.Host)
		pu := *u
		pu.Host = proxies[g].ln.Addr().String()
		st, err := redisstore.Open(pu.String(), redisstore.Options{Prefix: b.prefix})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		stores[g] = st
	}
	var wg sync.WaitGroup
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trial(t, proxies[g], stores[g], g, perGroup, bound, func(d time.Duration, isStale bool) {
				mu.Lock()
				delays = append(delays, d)
				mu.Unlock()
				if isStale {
					stale.Add(1)
				}
			})
		}()
	}
	wg.Wait()
	require.Len(t, delays, groups*perGroup)
	trials := len(delays)
	slices.Sort(delays)
	t.Logf("silent partition noticed (last byte to first refused lookup) over %d trials: p50 %s, max %s (%d refused as stale, the others on a cache miss that timed out)",
		trials, percentile(delays, 0.5).Round(time.Millisecond), delays[len(delays)-1].Round(time.Millisecond), stale.Load())
	assert.LessOrEqual(t, delays[len(delays)-1], bound)
}

// trial partitions replica g (st, behind proxy) perGroup times and reports each delay from
// the last byte forwarded to the first refused lookup. It runs on a
// goroutine of its own: failures are t.Errorf, and end the trial.
func trial(t *testing.T, proxy *silentProxy, st *redisstore.Store, g, perGroup int, bound time.Duration, report func(time.Duration, bool)) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := taro.SessionKeyID{Platform: taro.QQ, AppID: "app", OpenID: fmt.Sprint("partitioned-", g)}
	_, err := st.RecordSession(ctx, id, taro.SessionRecord{Fingerprint: taro.FingerprintOf("k")})
	if !assert.NoError(t, err) {
		return
	}
	for n := range perGroup {
		healthy := time.Now().Add(10 * time.Second)
		for {
			rec, found, err := st.LookupSession(ctx, id)
			if err == nil && found && rec.Cached {
				break
			}
			if !assert.True(t, time.Now().Before(healthy), "replica %d trial %d: the store never answered from its cache again: %v", g, n, err) {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // a PONG or two arrive
		proxy.pause()
		last := time.Unix(0, proxy.lastDown.Load())
		var refusedAt time.Time
		stale := false
		for refusedAt.IsZero() {
			start := time.Now()
			rec, _, err := st.LookupSession(ctx, id)
			if err != nil {
				// ErrStale, or (when the record's CacheTTL ran out during
				// the partition) a miss that timed out: either way an
				// error, never a cached record.
				stale = errors.Is(err, redisstore.ErrStale)
				refusedAt = start
				break
			}
			if !assert.True(t, rec.Cached) || !assert.Less(t, start.Sub(last), bound, "replica %d trial %d: answered from the cache %s after the last byte", g, n, start.Sub(last)) {
				proxy.resume()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		// Until the connection is proven alive, nothing comes from the
		// cache.
		_, _, err := st.LookupSession(ctx, id)
		assert.Error(t, err, "replica %d trial %d: a cached answer while partitioned", g, n)
		proxy.resume()
		report(refusedAt.Sub(last), stale)
	}
}
