package failover_test

import (
	"testing"

	"github.com/tarogo/adapter/internal/redistest"
	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// The failover tests run redis-servers of their own and wait on their
// clocks: they live in a package of their own, beside the store's other
// tests (go test runs packages side by side).

func startRedis(t *testing.T) *redistest.Server { return redistest.Start(t) }

func loginReplicaWith(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, lc loginpkg.Config) *loginpkg.Manager {
	t.Helper()
	return redistest.LoginReplica(t, sb, st, lc)
}

func loginVia(t testing.TB, sb *sandbox.Sandbox, m *loginpkg.Manager, p taro.Platform, openid string) string {
	t.Helper()
	return redistest.LoginVia(t, sb, m, p, openid)
}
