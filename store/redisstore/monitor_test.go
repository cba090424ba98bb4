package redisstore_test

import (
	"bufio"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// monitor counts, from Redis's MONITOR feed, the commands clients send
// that name a key under prefix (a script counts once: the commands it
// runs inside are Lua's, not a client's).
func monitor(t *testing.T, addr, prefix string) *atomic.Int64 {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.Write([]byte("MONITOR\r\n"))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "+OK\r\n", line)
	var n atomic.Int64
	go func() {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.Contains(line, prefix) && !strings.Contains(line, " lua]") {
				n.Add(1)
			}
		}
	}()
	return &n
}

// On a request whose weapp platform check is due (CheckInterval < 0),
// with caching off, the client sends Redis one command (the ticket's
// lookup script: the ticket, the user's session record and Redis's clock)
// and the platform one check: login judges the session once and asks the
// platform through the app's handle, with no second store read.
func TestDueCheckIsOneCommand(t *testing.T) {
	b := newBackend(t)
	if !b.real() || b.cluster {
		t.Skip("MONITOR needs a single real Redis (TARO_REDIS_URL); CI runs this")
	}
	u, err := url.Parse(b.url)
	require.NoError(t, err)
	st := b.store(redisstore.Options{CacheTTL: -1})
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	m := loginReplicaWith(t, sb, st, loginpkg.Config{CheckInterval: -1})
	ticket := loginVia(t, sb, m, taro.Weapp, "due-user")
	require.Equal(t, 200, status(t, m, ticket)) // the token is fetched and kept
	n := monitor(t, u.Host, b.prefix)
	time.Sleep(50 * time.Millisecond)
	before, checks := n.Load(), sb.Requests(taro.Weapp, sandbox.CheckSession)
	const requests = 20
	for range requests {
		require.Equal(t, 200, status(t, m, ticket))
	}
	// A sentinel write: once MONITOR shows it, it has shown everything
	// sent before.
	_, err = st.RecordSession(t.Context(), taro.SessionKeyID{Platform: taro.QQ, AppID: "a", OpenID: "sentinel"}, taro.SessionRecord{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return n.Load()-before >= requests+1 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, int64(requests+1), n.Load()-before, "one Redis command per request (and the sentinel)")
	assert.Equal(t, requests, sb.Requests(taro.Weapp, sandbox.CheckSession)-checks, "one platform check per request")
}
