package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
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
		if !write || !s.cached {
			return rueidis.Commands{cmd}
		}
		return rueidis.Commands{cmd, c.B().Pttl().Key(keys[0]).Build()}
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
	return res[0], res[0].Error()
}

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
