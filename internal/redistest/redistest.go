// Package redistest holds what the store's test packages share: a
// redis-server of a test's own, and a login replica on a store.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

var (
	// LoginKey seals the tickets of LoginReplica's managers.
	LoginKey = []byte("0123456789abcdef0123456789abcdef")
	// Fast is LoginReplica's retry policy.
	Fast = taro.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
)

// Server is a redis-server of the test's own, on loopback, that the
// test can pause, kill and restart.
type Server struct {
	t    *testing.T
	Port string
	Cmd  *exec.Cmd
}

func Start(t *testing.T) *Server {
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
	r := &Server{t: t, Port: port}
	r.start()
	t.Cleanup(func() {
		_ = r.Cmd.Process.Signal(syscall.SIGCONT)
		_ = r.Cmd.Process.Kill()
		_ = r.Cmd.Wait()
	})
	return r
}

func (r *Server) Addr() string { return "127.0.0.1:" + r.Port }

// start runs a new, empty server and waits (up to 10 s) for its PONG.
func (r *Server) start() {
	r.t.Helper()
	r.Cmd = exec.Command("redis-server", "--port", r.Port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning")
	require.NoError(r.t, r.Cmd.Start())
	for range 200 {
		if c, err := net.DialTimeout("tcp", r.Addr(), 100*time.Millisecond); err == nil {
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

func (r *Server) Signal(s syscall.Signal) { require.NoError(r.t, r.Cmd.Process.Signal(s)) }

// KillAndRestartEmpty kills the server and starts an empty one on the
// same port.
func (r *Server) KillAndRestartEmpty() {
	r.Signal(syscall.SIGKILL)
	_ = r.Cmd.Wait()
	r.start()
}

// ClientKill kills the connections whose client name is name.
func (r *Server) ClientKill(name string) int64 {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{r.Addr()}, DisableCache: true, ForceSingleClient: true})
	require.NoError(r.t, err)
	defer c.Close()
	list, err := c.Do(context.Background(), c.B().ClientList().Build()).ToString()
	require.NoError(r.t, err)
	var killed int64
	list = strings.TrimPrefix(list, "txt:") // RESP3's verbatim string
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				k, err := c.Do(context.Background(), c.B().ClientKill().Id(mustInt(id)).Build()).AsInt64()
				require.NoError(r.t, err)
				killed += k
			}
		}
	}
	return killed
}

func mustInt(s string) int64 {
	var n int64
	_, _ = fmt.Sscan(s, &n)
	return n
}

// LoginReplica is one replica of a service on st: a client of every
// platform of sb, with Fast retries, and a manager with lc and LoginKey.
func LoginReplica(t testing.TB, sb *sandbox.Sandbox, st *redisstore.Store, lc loginpkg.Config) *loginpkg.Manager {
	t.Helper()
	ds, err := platforms.New(sandbox.Settings(sb))
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, Sessions: st, Tokens: st, Retry: Fast})
	require.NoError(t, err)
	lc.Client, lc.Store, lc.Key = c, st, LoginKey
	m, err := loginpkg.New(lc)
	require.NoError(t, err)
	return m
}

// LoginVia logs openid in on p through m with a code from sb and returns
// the ticket.
func LoginVia(t testing.TB, sb *sandbox.Sandbox, m *loginpkg.Manager, p taro.Platform, openid string) string {
	t.Helper()
	code, err := sb.Login(p, openid)
	require.NoError(t, err)
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: p, Code: code})
	require.NoError(t, err)
	return res.Ticket
}
