package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// startRedis is a redis-server of the test's own (redistest.Start).
func startRedis(t *testing.T) *redistest.Server { return redistest.Start(t) }

// The cache never answers from a stale copy. Two replicas (A revokes, B
// serves under load from three goroutines) on a server of the test's own
// go through 600 revocations (logouts, logouts everywhere and
// re-logins) while the server is paused (SIGSTOP), B's connection is
// killed (CLIENT KILL), and the server is killed and restarted empty. A
// revocation counts once A's call returned and B's Sync then returned;
// from then on no answer of B may accept the ticket. While Redis is
// unreachable B answers 503 (Unavailable or DeadlineExceeded), and after
// the empty restart every earlier ticket is refused.
func TestCacheFailsClosedUnderFaults(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	ctx := context.Background()
	prefix := fmt.Sprintf("taro-fault:%d:", rand.Int64())
	opts := redisstore.Options{Prefix: prefix, OpTimeout: 400 * time.Millisecond}
	if cacheOff() {
		opts.CacheTTL = -1
	}
	stA, err := redisstore.Open("redis://"+r.Addr()+"/0?client_name=replica-a", opts)
	require.NoError(t, err)
	defer stA.Close()
	stB, err := redisstore.Open("redis://"+r.Addr()+"/0?client_name=replica-b", opts)
	require.NoError(t, err)
	defer stB.Close()
	require.Equal(t, !cacheOff(), stB.Cached(), "a Redis 6+ server caches")
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	mA := loginReplicaWith(t, sb, stA, loginpkg.Config{})
	mB := loginReplicaWith(t, sb, stB, loginpkg.Config{})

	// Every ticket, with the clock value at which its revocation counted
	// (0 while it has not).
	type entry struct {
		ticket  string
		revoked atomic.Int64
	}
	var (
		mu        sync.Mutex
		pool      []*entry
		clock     atomic.Int64
		accepted  atomic.Int64 // answers of 200 after a revocation counted
		outages   atomic.Int64 // answers of 503 (Redis unreachable)
		resolves  atomic.Int64
		stop      atomic.Bool
		wg        sync.WaitGroup
		revokedOK int
	)
	clock.Store(1)
	pick := func() *entry {
		mu.Lock()
		defer mu.Unlock()
		if len(pool) == 0 {
			return nil
		}
		return pool[rand.IntN(len(pool))]
	}
	deadline := time.Now().Add(2 * time.Minute)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() && time.Now().Before(deadline) && resolves.Load() < 2_000_000 {
				e := pick()
				if e == nil {
					time.Sleep(time.Millisecond)
					continue
				}
				start := clock.Load()
				_, err := mB.Resolve(ctx, e.ticket)
				resolves.Add(1)
				switch {
				case err == nil:
					if at := e.revoked.Load(); at != 0 && at <= start {
						accepted.Add(1)
					}
				case errors.Is(err, taro.ErrUnavailable) || taro.CodeOf(err) == taro.CodeDeadlineExceeded:
					outages.Add(1)
				}
			}
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()

	// retry repeats f until it succeeds: Redis may be paused or down.
	retry := func(what string, f func() error) {
		var err error
		for range 200 {
			if err = f(); err == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s never succeeded: %v", what, err)
	}
	counted := func(e *entry) {
		retry("B's Sync", func() error { return stB.Sync(ctx) })
		e.revoked.Store(clock.Add(1))
	}
	const revocations = 600
	for i := range revocations {
		switch i {
		case 150:
			r.Signal(syscall.SIGSTOP)
			go func() { time.Sleep(1200 * time.Millisecond); _ = r.Cmd.Process.Signal(syscall.SIGCONT) }()
		case 300:
			var killed int64
			for range 50 { // B may be between connections: it is killed once it is back
				retry("B's Sync", func() error { return stB.Sync(ctx) })
				if killed = r.ClientKill("replica-b"); killed > 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			assert.Positive(t, killed, "B's connection was killed")
		case 450:
			r.KillAndRestartEmpty()
			retry("B's Sync after the restart", func() error { return stB.Sync(ctx) })
			mu.Lock()
			old := pool
			mu.Unlock()
			for _, e := range old {
				e.revoked.CompareAndSwap(0, clock.Add(1)) // gone with the data
			}
			for _, e := range old {
				_, err := mB.Resolve(ctx, e.ticket)
				require.Error(t, err, "a ticket from before the empty restart")
			}
		}
		user := fmt.Sprintf("fault-%d", i%40)
		var ticket string
		retry("a login on A", func() error {
			code, err := sb.Login(taro.QQ, user)
			if err != nil {
				return err
			}
			res, err := mA.Login(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
			ticket = res.Ticket
			return err
		})
		e := &entry{ticket: ticket}
		mu.Lock()
		pool = append(pool, e)
		mu.Unlock()
		_, _ = mB.Resolve(ctx, ticket) // B's cache holds it
		switch i % 3 {
		case 0:
			retry("a logout on A", func() error { return mA.Logout(ctx, ticket) })
		case 1:
			retry("a logout everywhere on A", func() error {
				u, err := mA.Resolve(ctx, ticket)
				if err != nil {
					return err
				}
				return mA.LogoutAll(ctx, u)
			})
		case 2:
			retry("a re-login on A", func() error {
				code, err := sb.Login(taro.QQ, user)
				if err != nil {
					return err
				}
				_, err = mA.Login(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
				return err
			})
		}
		counted(e)
		revokedOK++
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d revocations acknowledged under %d concurrent resolves on B (%d answered 503 during the faults); accepted after their revocation: %d",
		revokedOK, resolves.Load(), outages.Load(), accepted.Load())
	assert.Equal(t, revocations, revokedOK)
	assert.Zero(t, accepted.Load(), "tickets accepted after their revocation counted")
	assert.Positive(t, outages.Load(), "B answered 503 while Redis was unreachable")
}
