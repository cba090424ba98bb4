package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t)
	s := b.store(redisstore.Options{SessionTTL: time.Hour})
	id := taro.SessionKeyID{Platform: taro.QQ, AppID: "app", OpenID: "u1"}

	_, ok, err := s.LookupSession(ctx, id)
	require.NoError(t, err)
	assert.False(t, ok)

	t0 := time.Unix(1_700_000_000, 123)
	// The replicas' clocks do not decide: the record Redis receives last
	// wins, stamped with the Redis server's time.
	first := taro.SessionRecord{Fingerprint: taro.FingerprintOf("first-key"), IssuedAt: t0.Add(time.Hour)}
	newer := taro.SessionRecord{Fingerprint: taro.FingerprintOf("new-key"), IssuedAt: t0}
	before := time.Now()
	require.NoError(t, recErr(s.RecordSession(ctx, id, first)))
	require.NoError(t, recErr(s.RecordSession(ctx, id, newer)))
	rec, ok, err := s.LookupSession(ctx, id)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, newer.Fingerprint, rec.Fingerprint, "the last login recorded wins, whatever the replicas' clocks say")
	assert.WithinDuration(t, before, rec.IssuedAt, time.Minute, "the issue time is the Redis server's, not the replica's")

	raw, err := b.rdb.Do(ctx, b.rdb.B().Hget().Key(b.prefix+"u:{qq:app:u1}").Field("s").Build()).ToString()
	require.NoError(t, err)
	fields := strings.SplitN(raw, ":", 4)
	require.Len(t, fields, 4, "only the issue time, login number, expiry and fingerprint are stored")
	assert.Equal(t, strconv.FormatInt(rec.IssuedAt.UnixMicro(), 10), fields[0])
	assert.Equal(t, strconv.FormatUint(rec.Seq-uint64(rec.IssuedAt.UnixMicro()), 10), fields[1], "the login number, from the issue time")
	assert.Equal(t, "3600000", fields[2], "the record expires with the session TTL")
	assert.Equal(t, string(newer.Fingerprint[:]), fields[3])
	ttl, err := b.pttl(ctx, b.prefix+"u:{qq:app:u1}")
	require.NoError(t, err)
	assert.True(t, ttl > 59*time.Minute && ttl <= time.Hour, "records expire: %v", ttl)

	t.Run("key components cannot collide", func(t *testing.T) {
		a := taro.SessionKeyID{Platform: taro.QQ, AppID: "a:b", OpenID: "c"}
		c := taro.SessionKeyID{Platform: taro.QQ, AppID: "a", OpenID: "b:c"}
		require.NoError(t, recErr(s.RecordSession(ctx, a, newer)))
		_, ok, err := s.LookupSession(ctx, c)
		require.NoError(t, err)
		assert.False(t, ok)
	})
	t.Run("concurrent records from many replicas leave exactly one of them", func(t *testing.T) {
		id := taro.SessionKeyID{Platform: taro.Weapp, AppID: "app", OpenID: "race"}
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := taro.SessionRecord{Fingerprint: taro.FingerprintOf(fmt.Sprint(i)), IssuedAt: t0.Add(time.Duration(i) * time.Millisecond)}
				assert.NoError(t, recErr(s.RecordSession(ctx, id, rec)))
			}()
		}
		wg.Wait()
		rec, ok, err := s.LookupSession(ctx, id)
		require.NoError(t, err)
		require.True(t, ok)
		found := false
		for i := range 50 {
			found = found || rec.Fingerprint == taro.FingerprintOf(fmt.Sprint(i))
		}
		assert.True(t, found, "the record is one of the logins")
		// And one more login afterwards replaces it.
		require.NoError(t, recErr(s.RecordSession(ctx, id, taro.SessionRecord{Fingerprint: taro.FingerprintOf("after")})))
		rec, _, _ = s.LookupSession(ctx, id)
		assert.Equal(t, taro.FingerprintOf("after"), rec.Fingerprint)
	})
	t.Run("a malformed record is an error, not a session", func(t *testing.T) {
		require.NoError(t, b.rdb.Do(ctx, b.rdb.B().Hset().Key(b.prefix+"u:{qq:app:bad}").FieldValue().FieldValue("s", "garbage").Build()).Error())
		_, _, err := s.LookupSession(ctx, taro.SessionKeyID{Platform: taro.QQ, AppID: "app", OpenID: "bad"})
		assert.Error(t, err)
	})
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t)
	s := b.store(redisstore.Options{})
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	require.NoError(t, s.SetToken(ctx, "weapp:app", taro.StoredToken{Value: "T1", ExpiresAt: exp}))
	tok, ok, err := s.Token(ctx, "weapp:app")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "T1", tok.Value)
	assert.True(t, exp.Equal(tok.ExpiresAt))
	ttl, _ := b.pttl(ctx, b.prefix+"token:{weapp%3Aapp}")
	assert.True(t, ttl > 59*time.Minute, "the key expires with the token: %v", ttl)

	require.NoError(t, s.DeleteToken(ctx, "weapp:app", "T0"))
	_, ok, _ = s.Token(ctx, "weapp:app")
	assert.True(t, ok, "a stale value does not drop a fresh token")
	require.NoError(t, s.DeleteToken(ctx, "weapp:app", "T1"))
	_, ok, _ = s.Token(ctx, "weapp:app")
	assert.False(t, ok)

	require.NoError(t, s.SetToken(ctx, "x", taro.StoredToken{Value: "old", ExpiresAt: time.Now().Add(-time.Second)}))
	_, ok, _ = s.Token(ctx, "x")
	assert.False(t, ok, "an expired token is not stored")

	unlock, got, err := s.LockToken(ctx, "weapp:app", time.Minute)
	require.NoError(t, err)
	require.True(t, got)
	_, got2, err := s.LockToken(ctx, "weapp:app", time.Minute)
	require.NoError(t, err)
	assert.False(t, got2, "one holder at a time")
	unlock(ctx)
	unlock2, got3, err := s.LockToken(ctx, "weapp:app", 50*time.Millisecond)
	require.NoError(t, err)
	assert.True(t, got3)
	if b.real() {
		time.Sleep(80 * time.Millisecond)
	} else {
		b.mr.FastForward(80 * time.Millisecond)
	}
	_, got4, _ := s.LockToken(ctx, "weapp:app", time.Minute)
	assert.True(t, got4, "a lock expires even if its holder dies")
	unlock2(ctx) // the expired holder must not release the new holder's lock
	_, got5, _ := s.LockToken(ctx, "weapp:app", time.Minute)
	assert.False(t, got5)
}

func TestOpenRejectsBadURLWithoutEchoingIt(t *testing.T) {
	_, err := redisstore.Open("redis://user:hunter2@[bad", redisstore.Options{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	_, err = redisstore.Open("", redisstore.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the Redis URL is empty (is TARO_REDIS_URL set?")
	_, err = redisstore.Open("redis://user:hunter2@127.0.0.1:1/0", redisstore.Options{OpTimeout: 200 * time.Millisecond})
	require.Error(t, err, "Open pings: nothing listens on port 1")
	assert.Contains(t, err.Error(), "127.0.0.1:1 did not answer a PING")
	assert.NotContains(t, err.Error(), "hunter2")
	s, err := redisstore.Open("redis://127.0.0.1:1/0", redisstore.Options{OpTimeout: 200 * time.Millisecond, SkipPing: true})
	require.NoError(t, err, "SkipPing opens without asking")
	defer s.Close()
	_, _, err = s.Token(context.Background(), "k")
	assert.Error(t, err, "nothing listens on port 1")
}

// unresponsive listens on loopback and accepts connections but never
// answers: a Redis that hangs.
func unresponsive(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

func TestRedisDownOrSlowFailsClosedWithinTheDeadline(t *testing.T) {
	ctx := context.Background()
	sess := taro.Session{OpenID: "u", SessionKey: "k"}
	driverFor := func() taro.Driver { return storeOnlyDriver{} }
	t.Run("stopped", func(t *testing.T) {
		mr := miniredis.RunT(t)
		st, err := redisstore.Open("redis://"+mr.Addr()+"/0", redisstore.Options{})
		require.NoError(t, err)
		defer st.Close()
		c, _ := taro.New(taro.Config{Drivers: []taro.Driver{driverFor()}, Sessions: st, Tokens: st})
		mr.Close()
		start := time.Now()
		res, err := c.CheckSession(ctx, taro.Option{Platform: "store-only", Session: sess})
		assert.ErrorIs(t, err, taro.ErrUnavailable)
		assert.Equal(t, "checkSession:fail platform unavailable: session store unavailable", res.ErrMsg)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("hanging, op timeout first", func(t *testing.T) {
		st, err := redisstore.Open("redis://"+unresponsive(t)+"/0", redisstore.Options{OpTimeout: 150 * time.Millisecond, SkipPing: true})
		require.NoError(t, err)
		defer st.Close()
		c, _ := taro.New(taro.Config{Drivers: []taro.Driver{driverFor()}, Sessions: st})
		start := time.Now()
		_, err = c.CheckSession(ctx, taro.Option{Platform: "store-only", Session: sess})
		assert.ErrorIs(t, err, taro.ErrUnavailable)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
	t.Run("hanging, ctx deadline first", func(t *testing.T) {
		st, err := redisstore.Open("redis://"+unresponsive(t)+"/0", redisstore.Options{OpTimeout: time.Minute, SkipPing: true})
		require.NoError(t, err)
		defer st.Close()
		c, _ := taro.New(taro.Config{Drivers: []taro.Driver{driverFor()}, Sessions: st})
		dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = c.CheckSession(dctx, taro.Option{Platform: "store-only", Session: sess})
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

// Open takes a cluster as a list of addresses or a URL with addr=
// parameters; CI runs this against a real 3-master cluster.
func TestOpenCluster(t *testing.T) {
	_, err := redisstore.Open("redis://:pw@[bad,x", redisstore.Options{})
	assert.ErrorContains(t, err, "cannot parse an address of the Redis Cluster list")
	assert.NotContains(t, err.Error(), "pw")
	addrs := os.Getenv("TARO_REDIS_CLUSTER_ADDRS")
	if addrs == "" {
		// Without a cluster: a list that nothing answers is unreachable.
		_, err = redisstore.Open("127.0.0.1:1,127.0.0.1:2", redisstore.Options{OpTimeout: 300 * time.Millisecond})
		assert.ErrorIs(t, err, redisstore.ErrUnreachable)
		return
	}
	list := strings.Split(addrs, ",")
	for _, u := range []string{addrs, "redis://" + list[0] + "?addr=" + strings.Join(list[1:], "&addr=")} {
		st, err := redisstore.Open(u, redisstore.Options{Prefix: "taro-test-open:"})
		require.NoError(t, err, u)
		ctx := context.Background()
		id := taro.SessionKeyID{Platform: taro.QQ, AppID: "a", OpenID: "cluster-user"}
		require.NoError(t, recErr(st.RecordSession(ctx, id, taro.SessionRecord{Fingerprint: taro.FingerprintOf("k")})))
		rec, ok, err := st.LookupSession(ctx, id)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, taro.FingerprintOf("k"), rec.Fingerprint)
		require.NoError(t, st.Close())
	}
}
