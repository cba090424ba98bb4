package failover_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// The failover tests run redis-servers of their own and wait on their
// clocks: they live in a package of their own, beside the store's other
// tests (go test runs packages side by side).

var (
	loginKey = []byte("0123456789abcdef0123456789abcdef")
	fast     = taro.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
)

// redisProc is a redis-server of the test's own, on loopback, that the
// test can pause, kill and restart.
type redisProc struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisProc {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("TARO_REQUIRE_REDIS_SERVER") != "" {
			t.Fatal("redis-server is not installed, and TARO_REQUIRE_REDIS_SERVER is set (CI)")
		}
		t.Skip("no redis-server binary: the fault tests pause, kill and restart a server of their own (CI installs it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	r := &redisProc{t: t, port: port}
	r.start()
	t.Cleanup(func() {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	})
	return r
}

func (r *redisProc) addr() string { return "127.0.0.1:" + r.port }

// start runs a new, empty server and waits (up to 10 s) for its PONG.
func (r *redisProc) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning")
	require.NoError(r.t, r.cmd.Start())
	for range 200 {
		if c, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond); err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, _ := c.Read(buf)
			c.Close()
			if strings.HasPrefix(string(buf[:n]), "+PONG") {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatal("redis-server never answered")
}

func (r *redisProc) signal(s syscall.Signal) { require.NoError(r.t, r.cmd.Process.Signal(s)) }

// loginReplicaWith is loginReplica with more of the manager's config.
func loginReplicaWith(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, lc loginpkg.Config) *loginpkg.Manager {
	t.Helper()
	cfg := map[taro.Platform]platforms.Settings{}
	for _, p := range sandbox.Platforms() {
		app := sb.App(p)
		s := sandbox.AppSettings(app, sb.BaseURL(p), sb.HTTPClient())
		if p == taro.TT {
			s = s.With("MiniGame", "1")
		}
		cfg[p] = s
	}
	ds, err := platforms.New(cfg)
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, Sessions: st, Tokens: st, Retry: fast})
	require.NoError(t, err)
	lc.Client, lc.Store, lc.Key = c, st, loginKey
	m, err := loginpkg.New(lc)
	require.NoError(t, err)
	return m
}

func loginVia(t testing.TB, sb *sandbox.Sandbox, m *loginpkg.Manager, p taro.Platform, openid string) string {
	t.Helper()
	code, err := sb.Login(p, openid)
	require.NoError(t, err)
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: p, Code: code})
	require.NoError(t, err)
	return res.Ticket
}
