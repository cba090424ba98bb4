package redisstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// percentile is the p-th percentile of sorted durations.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// How long a revocation takes to reach another replica: two replicas on
// one Redis (or the Cluster), each its own connection and cache. A logs a
// user in and B's cache is warmed with the ticket; then A logs the ticket
// out, logs the user out everywhere, or logs the user in again (the old
// ticket superseded), and the test times, from the moment A's call
// returned, how long B keeps answering 200. It prints p50, p99 and max
// over 1,000 revocations; its assertion is the correctness bound: every
// revocation is seen within CacheTTL.
func TestRevocationDelay(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	if !b.cached() {
		t.Skip("client-side caching needs a real Redis (TARO_REDIS_URL or TARO_REDIS_CLUSTER_ADDRS) with caching on; CI runs this")
	}
	stA, stB := b.store(redisstore.Options{}), b.store(redisstore.Options{})
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	mA := loginReplicaWith(t, sb, stA, loginpkg.Config{})
	mB := loginReplicaWith(t, sb, stB, loginpkg.Config{})
	ctx := context.Background()
	const trials = 1000
	ttl := redisstore.DefaultCacheTTL
	delays := map[string][]time.Duration{}
	var all []time.Duration
	for i := range trials {
		user := fmt.Sprintf("rev-%d", i%50)
		ticket := loginVia(t, sb, mA, taro.QQ, user)
		for j := range 2 { // a miss, then a hit: B's copy is in memory
			_, err := mB.Resolve(ctx, ticket)
			require.NoError(t, err, "trial %d, resolve %d", i, j)
		}
		kind := []string{"logout", "logout-all", "re-login"}[i%3]
		switch kind {
		case "logout":
			require.NoError(t, mA.Logout(ctx, ticket))
		case "logout-all":
			u, err := mA.Resolve(ctx, ticket)
			require.NoError(t, err)
			require.NoError(t, mA.LogoutAll(ctx, u))
		case "re-login":
			_ = loginVia(t, sb, mA, taro.QQ, user)
		}
		start := time.Now()
		for {
			_, err := mB.Resolve(ctx, ticket)
			if err != nil {
				require.ErrorIs(t, err, taro.ErrSessionInvalid)
				break
			}
			require.Less(t, time.Since(start), ttl, "a %s not seen by the other replica within CacheTTL", kind)
		}
		d := time.Since(start)
		delays[kind] = append(delays[kind], d)
		all = append(all, d)
	}
	slices.Sort(all)
	t.Logf("revocation delay on another replica over %d revocations (%s): p50 %v, p99 %v, max %v",
		trials, map[bool]string{true: "Redis Cluster", false: "one Redis"}[b.cluster], percentile(all, 0.50), percentile(all, 0.99), all[len(all)-1])
	for _, k := range []string{"logout", "logout-all", "re-login"} {
		d := delays[k]
		slices.Sort(d)
		t.Logf("  %-10s p50 %v, p99 %v, max %v", k, percentile(d, 0.50), percentile(d, 0.99), d[len(d)-1])
	}
	assert.Len(t, all, trials)
}
