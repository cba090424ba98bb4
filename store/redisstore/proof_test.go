package redisstore_test

// What replicas sharing one Redis cost in round trips. The other proofs
// that they behave as one are in package proof.

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// The replicas of these tests and of the store's others (internal/redistest).
var (
	fast           = redistest.Fast
	makeDriver     = redistest.MakeDriver
	replica        = redistest.Replica
	login          = redistest.Login
	keyedPlatforms = redistest.KeyedPlatforms
)

func TestRotationIsSeenByEveryReplica(t *testing.T) {
	for _, p := range keyedPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			b := newBackend(t)
			st := b.store(redisstore.Options{})
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			a, bb := replica(t, sb, p, st, nil), replica(t, sb, p, st, nil)
			first := login(t, sb, a, p, "rot-user")
			second := login(t, sb, a, p, "rot-user")
			require.NotEqual(t, first.SessionKey, second.SessionKey)
			require.NoError(t, st.LoadScripts(context.Background()))

			checks, cmds := sb.Requests(p, sandbox.CheckSession), b.commands.Load()
			res, err := bb.CheckSession(context.Background(), taro.Option{Platform: p, Session: first})
			require.ErrorIs(t, err, taro.ErrSessionInvalid)
			assert.Equal(t, "checkSession:fail session invalid: superseded by a newer login", res.ErrMsg)
			assert.Equal(t, checks, sb.Requests(p, sandbox.CheckSession), "decided without a network call to the platform")
			want := int64(1) // one script call
			if b.cached() {
				want = 2 // a read into the cache, and a fresh read: no refusal comes from a cache
			}
			assert.Equal(t, want, b.commands.Load()-cmds, "Redis round trips")

			_, err = bb.CheckSession(context.Background(), taro.Option{Platform: p, Session: second})
			require.NoError(t, err)
		})
	}
}

func TestWarmCheckRoundTrips(t *testing.T) {
	for _, p := range []taro.Platform{taro.Weapp, taro.QQ} {
		t.Run(string(p), func(t *testing.T) {
			b := newBackend(t)
			st := b.store(redisstore.Options{})
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			c := replica(t, sb, p, st, nil)
			s := login(t, sb, c, p, "warm-user")
			_, err := c.CheckSession(context.Background(), taro.Option{Platform: p, Session: s}) // warms the token
			require.NoError(t, err)
			before := b.commands.Load()
			for range 10 {
				_, err := c.CheckSession(context.Background(), taro.Option{Platform: p, Session: s})
				require.NoError(t, err)
			}
			want := int64(10) // one script call each
			if b.cached() {
				want = 0 // the session record (and weapp's token) from the replica's memory
			}
			assert.Equal(t, want, b.commands.Load()-before, "Redis round trips for 10 warm checks")
		})
	}
}
