package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// script is a Lua script run by EVALSHA (EVAL when the server lost it).
type script struct {
	src, sha string
}

func newScript(src string) *script {
	h := sha1.Sum([]byte(src))
	return &script{src: src, sha: hex.EncodeToString(h[:])}
}

// scripts lists every script the store runs.
func scripts() []*script {
	return []*script{recordScript, lookupScript, takeDecryptScript, returnDecryptScript, deleteTokenScript, unlockScript,
		putTicketScript, lookupTicketScript, deleteTicketScript, userTicketsScript, deleteUserTicketsScript, touchScript, forgetScript, setTokenScript, resetDecryptScript, claimScript}
}

// LoadScripts loads the store's Lua scripts into Redis (on every master of
// a Cluster), so that the first call of each costs one round trip, not
// two (EVALSHA answered NOSCRIPT, then EVAL). Open calls it unless
// Options.SkipPing; without it, each script loads on its first use.
func (s *Store) LoadScripts(ctx context.Context) error {
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	for _, nc := range c.Nodes() {
		var cmds rueidis.Commands
		for _, sc := range scripts() {
			cmds = append(cmds, nc.B().ScriptLoad().Script(sc.src).Build())
		}
		for _, r := range nc.DoMulti(ctx, cmds...) {
			if err := r.Error(); err != nil {
				return wrapErr("loading scripts", err)
			}
		}
	}
	return nil
}

// run runs sc on keys (all in one hash slot) with args and returns its
// reply. A write passes write true: the script then travels with a read of
// its first key on the same connection, and run returns when that read
// has answered, by which time Redis's invalidations of what the script
// wrote (pushed on this connection right after the script's reply) have
// dropped this replica's cached copies. One round trip either way.
func (s *Store) run(ctx context.Context, sc *script, write bool, keys []string, args ...string) (rueidis.RedisResult, error) {
	return s.runWait(ctx, sc, write, 0, keys, args...)
}

// revoke is run for a write that revokes (a logout, a LogoutAll, a login
// that supersedes): it returns only once the replicas Options.WaitReplicas
// asks for have the write (WAIT on the same connection, right after the
// script), so that a failover cannot undo it; if they do not acknowledge
// within OpTimeout it fails with ErrNotReplicated (the write may or may
// not survive a failover: the caller answers 503).
func (s *Store) revoke(ctx context.Context, sc *script, keys []string, args ...string) (rueidis.RedisResult, error) {
	n, err := s.replicasFor(ctx, keys[0])
	if err != nil {
		return rueidis.RedisResult{}, err
	}
	return s.runWait(ctx, sc, true, n, keys, args...)
}

// runWait is run followed, when replicas > 0, by WAIT replicas OpTimeout
// in the same batch: one round trip, to the node of keys[0].
func (s *Store) runWait(ctx context.Context, sc *script, write bool, replicas int, keys []string, args ...string) (rueidis.RedisResult, error) {
	c, err := s.client(ctx)
	if err != nil {
		return rueidis.RedisResult{}, err
	}
	build := func(eval bool) rueidis.Commands {
		var cmd rueidis.Completed
		if eval {
			cmd = c.B().Eval().Script(sc.src).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build()
		} else {
			cmd = c.B().Evalsha().Sha1(sc.sha).Numkeys(int64(len(keys))).Key(keys...).Arg(args...).Build()
		}
		out := rueidis.Commands{cmd}
		if replicas > 0 {
			// WAIT counts the writes of its own connection: it travels in
			// the script's batch, routed as keys[0] is. It is a blocking
			// command, so the client sends that batch on a dedicated
			// connection, not the tracked one the cache reads.
			return append(out, c.B().Wait().Numreplicas(int64(replicas)).Timeout(waitMillis(ctx, s.opts.OpTimeout)).Build().SetSlot(keys[0]))
		}
		if write && s.cached {
			out = append(out, c.B().Pttl().Key(keys[0]).Build())
		}
		return out
	}
	res := c.DoMulti(ctx, build(false)...)
	if e, ok := rueidis.IsRedisErr(res[0].Error()); ok && e.IsNoScript() {
		res = c.DoMulti(ctx, build(true)...)
	}
	for _, r := range res[1:] {
		if err := r.NonRedisError(); err != nil {
			return rueidis.RedisResult{}, err
		}
	}
	if replicas > 0 && write && s.cached {
		// The write ran on another connection: a read on the tracked one
		// returns after Redis's invalidation of what it wrote (queued on
		// the tracked connection when the write ran) has dropped this
		// replica's copies.
		if err := c.Do(ctx, c.B().Pttl().Key(keys[0]).Build()).NonRedisError(); err != nil {
			return rueidis.RedisResult{}, err
		}
	}
	if replicas > 0 && res[0].Error() == nil {
		acked, err := res[len(res)-1].AsInt64()
		if err != nil {
			return rueidis.RedisResult{}, err
		}
		if acked < int64(replicas) {
			return rueidis.RedisResult{}, fmt.Errorf("%w: %d of %d replicas acknowledged within %s", ErrNotReplicated, acked, replicas, s.opts.OpTimeout)
		}
	}
	return res[0], res[0].Error()
}

// waitMillis is WAIT's timeout: OpTimeout, or less where ctx ends sooner,
// with a tenth kept for the answer to come back; never 0 (which WAIT
// takes as "forever").
func waitMillis(ctx context.Context, op time.Duration) int64 {
	d := op
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		d = time.Until(dl)
	}
	return max(1, (d - d/10).Milliseconds())
}

// ErrNotReplicated is in the chain of a revocation that Redis's replicas
// did not acknowledge within OpTimeout (WAIT): it may not survive a
// failover, and the call answers 503 so that the caller knows.
var ErrNotReplicated = errors.New("redisstore: the write was not acknowledged by the replicas")

// clock is Redis's clock as this replica knows it: the Redis TIME last
// read and the replica's monotonic clock reading at the middle of that
// round trip. Now is that TIME advanced by the monotonic time since; a
// replica's wall clock never enters.
type clock struct {
	p atomic.Pointer[clockSample]
}

type clockSample struct {
	redis  time.Time
	at     time.Time // with its monotonic reading
	sample time.Time // when Redis's clock was last read (monotonic)
}

// clockRefresh is how often the cached paths read Redis's TIME again: one
// round trip a minute per replica, to bound the drift of the replica's
// monotonic clock against Redis's.
const clockRefresh = time.Minute

// note records a TIME reply read between t0 and t1 (local, monotonic).
func (k *clock) note(redis, t0, t1 time.Time) {
	k.p.Store(&clockSample{redis: redis, at: t0.Add(t1.Sub(t0) / 2), sample: t1})
}

// now returns Redis's clock, reading TIME when the last reading is older
// than clockRefresh.
func (s *Store) now(ctx context.Context) (time.Time, error) {
	k := &s.clock
	if c := k.p.Load(); c != nil && time.Since(c.sample) < clockRefresh {
		return c.redis.Add(time.Since(c.at)), nil
	}
	c, err := s.client(ctx)
	if err != nil {
		return time.Time{}, err
	}
	t0 := time.Now()
	v, err := c.Do(ctx, c.B().Time().Build()).AsStrSlice()
	t1 := time.Now()
	if err != nil {
		return time.Time{}, err
	}
	if len(v) != 2 {
		return time.Time{}, errors.New("redisstore: TIME answered the wrong shape")
	}
	now, ok := serverTime(v[0], v[1])
	if !ok {
		return time.Time{}, errors.New("redisstore: TIME answered the wrong shape")
	}
	k.note(now, t0, t1)
	return now.Add(time.Since(t0.Add(t1.Sub(t0) / 2))), nil
}

// Sync returns when every invalidation Redis sent this replica before the
// call has been applied to its cache: one PING on each node's connection,
// whose answer comes after them. A replica drops a revoked record when
// Redis's invalidation reaches it (milliseconds; see the README's
// figures); Sync is for the caller that must know it has.
func (s *Store) Sync(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	c, err := s.client(ctx)
	if err != nil {
		return wrapErr("syncing", err)
	}
	for _, nc := range c.Nodes() {
		if err := nc.Do(ctx, nc.B().Ping().Build()).Error(); err != nil {
			return wrapErr("syncing", err)
		}
	}
	return nil
}
