package failover_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// clusterNode is a redis-server of a Cluster of the test's own.
type clusterNode struct {
	port int
	cmd  *exec.Cmd
}

func (n *clusterNode) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

// freeClusterPort is a port whose bus port (+10000) is free too, both
// below Linux's ephemeral range.
func freeClusterPort(t *testing.T, taken map[int]bool) int {
	for range 1000 {
		p := 22000 + rand.IntN(2000)
		if taken[p] {
			continue
		}
		ok := true
		for _, q := range []int{p, p + 10000} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			taken[p] = true
			return p
		}
	}
	t.Fatal("no free port pair for a Cluster node")
	return 0
}

// startCluster runs three masters with one replica each (node timeout
// 3 s, so that a busy machine does not fail a node over by itself) and waits until the Cluster is up and every replica linked.
func startCluster(t *testing.T) []*clusterNode {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("TARO_REQUIRE_REDIS_SERVER") != "" {
				t.Fatalf("%s is not installed, and TARO_REQUIRE_REDIS_SERVER is set (CI)", bin)
			}
			t.Skipf("no %s: the failover test runs a Redis Cluster of its own (CI installs it)", bin)
		}
	}
	dir := t.TempDir()
	taken := map[int]bool{}
	var nodes []*clusterNode
	t.Cleanup(func() {
		for _, n := range nodes {
			_ = n.cmd.Process.Signal(syscall.SIGCONT)
			_ = n.cmd.Process.Kill()
			_ = n.cmd.Wait()
		}
	})
	var addrs []string
	for i := range 6 {
		n := &clusterNode{port: freeClusterPort(t, taken)}
		d := fmt.Sprintf("%s/n%d", dir, i)
		require.NoError(t, os.MkdirAll(d, 0o755))
		n.cmd = exec.Command("redis-server", "--port", strconv.Itoa(n.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-node-timeout", "3000", "--cluster-config-file", d+"/nodes.conf", "--dir", d, "--loglevel", "warning")
		require.NoError(t, n.cmd.Start())
		nodes = append(nodes, n)
		addrs = append(addrs, n.addr())
	}
	for _, n := range nodes {
		waitFor(t, 10*time.Second, func() bool { return cli(n, "ping") == "PONG" }, "node %s answers", n.addr())
	}
	out, err := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "1", "--cluster-yes")...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, n := range nodes {
		waitFor(t, 20*time.Second, func() bool { return strings.Contains(cli(n, "cluster", "info"), "cluster_state:ok") }, "cluster ok on %s", n.addr())
		// Every node's view has converged: three replicas, each of a master.
		waitFor(t, 20*time.Second, func() bool {
			replicas := 0
			for _, l := range strings.Split(cli(n, "cluster", "nodes"), "\n") {
				if f := strings.Fields(l); len(f) > 3 && strings.Contains(f[2], "slave") && f[3] != "-" {
					replicas++
				}
			}
			return replicas == 3
		}, "replicas known to %s", n.addr())
		waitFor(t, 20*time.Second, func() bool {
			info := cli(n, "info", "replication")
			return strings.Contains(info, "role:master") || strings.Contains(info, "master_link_status:up")
		}, "replica %s linked", n.addr())
	}
	return nodes
}

// cli runs redis-cli against n and returns its trimmed output.
func cli(n *clusterNode, args ...string) string {
	out, _ := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(n.port)}, args...)...).Output()
	return strings.TrimSpace(string(out))
}

func waitFor(t *testing.T, d time.Duration, ok func() bool, what string, args ...any) {
	t.Helper()
	end := time.Now().Add(d)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting: "+what, args...)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// masterOf returns the master serving key's slot and its replica.
func masterOf(t *testing.T, nodes []*clusterNode, key string) (master, replica *clusterNode) {
	t.Helper()
	slot, err := strconv.Atoi(cli(nodes[0], "cluster", "keyslot", key))
	require.NoError(t, err)
	byAddr := map[string]*clusterNode{}
	for _, n := range nodes {
		byAddr[n.addr()] = n
	}
	var masterID string
	lines := strings.Split(cli(nodes[0], "cluster", "nodes"), "\n")
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.Contains(f[2], "master") {
			continue
		}
		for _, r := range f[8:] {
			lo, hi, found := strings.Cut(r, "-")
			if !found {
				hi = lo
			}
			a, _ := strconv.Atoi(lo)
			b, _ := strconv.Atoi(hi)
			if slot >= a && slot <= b {
				masterID, master = f[0], byAddr[strings.Split(f[1], "@")[0]]
			}
		}
	}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) >= 4 && strings.Contains(f[2], "slave") && f[3] == masterID {
			replica = byAddr[strings.Split(f[1], "@")[0]]
		}
	}
	require.NotNil(t, master)
	require.NotNil(t, replica)
	return master, replica
}

// A revocation survives a crash failover. On a Cluster of three masters
// with a replica each, logouts, a LogoutAll and a superseding login
// return only once the user's master's replica has them (WAIT): after the
// master is killed and its replica takes over, none of those tickets is
// accepted, and a ticket that was not revoked still is. While the
// replica does not answer, a revocation answers Unavailable instead of a
// success that a crash could undo.
func TestRevocationSurvivesFailover(t *testing.T) {
	t.Parallel() // servers, ports and keys of its own
	nodes := startCluster(t)
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.addr())
	}
	st, err := redisstore.Open(strings.Join(addrs, ","), redisstore.Options{OpTimeout: 3 * time.Second}) // a replica's ACK may take a moment on a busy machine
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	per := loginReplicaWith(t, sb, st, loginpkg.Config{Sessions: loginpkg.PerDevice, CheckInterval: time.Hour})
	one := loginReplicaWith(t, sb, st, loginpkg.Config{CheckInterval: time.Hour})
	ctx := context.Background()
	appID := sb.App(taro.QQ).ID
	tag := func(openid string) string { return "{qq:" + appID + ":" + openid + "}" }

	// Users whose records live on one master.
	master, replica := masterOf(t, nodes, tag("fo-0"))
	var users []string
	for i := 0; len(users) < 4 && i < 5000; i++ {
		u := fmt.Sprint("fo-", i)
		if m, _ := masterOf(t, nodes, tag(u)); m == master {
			users = append(users, u)
		}
	}
	require.Len(t, users, 4)

	loggedOut := loginVia(t, sb, per, taro.QQ, users[0])
	require.NoError(t, per.Logout(ctx, loggedOut))
	all1 := loginVia(t, sb, per, taro.QQ, users[1])
	all2 := loginVia(t, sb, per, taro.QQ, users[1])
	u1, err := per.Resolve(ctx, all2)
	require.NoError(t, err)
	require.NoError(t, per.LogoutAll(ctx, u1))
	superseded := loginVia(t, sb, one, taro.QQ, users[2])
	kept := loginVia(t, sb, one, taro.QQ, users[2])
	control := loginVia(t, sb, per, taro.QQ, users[3])

	// The master crashes; its replica takes over.
	require.NoError(t, master.cmd.Process.Signal(syscall.SIGKILL))
	_ = master.cmd.Wait()
	waitFor(t, 30*time.Second, func() bool {
		return strings.Contains(cli(replica, "info", "replication"), "role:master") &&
			strings.Contains(cli(replica, "cluster", "info"), "cluster_state:ok")
	}, "the replica takes over")

	verdict := func(m *loginpkg.Manager, ticket string) error {
		var err error
		waitFor(t, 30*time.Second, func() bool {
			_, err = m.Resolve(ctx, ticket)
			c := taro.CodeOf(err)
			return c != taro.CodeUnavailable && c != taro.CodeDeadlineExceeded
		}, "the store answers after the failover: %v", err)
		return err
	}
	for name, ticket := range map[string]string{"logged out": loggedOut, "LogoutAll (1)": all1, "LogoutAll (2)": all2} {
		assert.ErrorIs(t, verdict(per, ticket), taro.ErrSessionInvalid, "%s: revoked before the crash, still revoked after it", name)
	}
	assert.ErrorIs(t, verdict(one, superseded), loginpkg.ErrTicketSuperseded, "superseded before the crash, still after it")
	assert.NoError(t, verdict(one, kept), "the newest login of its user survived")
	assert.NoError(t, verdict(per, control), "a ticket that was never revoked survived")
	_ = rueidis.Nil
}

// A revocation its replica does not acknowledge answers Unavailable
// (ErrNotReplicated) instead of a success a crash could undo: a server
// and its replica of the test's own; the replica is stopped (SIGSTOP).
func TestUnacknowledgedRevocationIs503(t *testing.T) {
	t.Parallel() // servers, ports and keys of its own
	primary := startRedis(t)
	replica := startRedis(t)
	out, err := exec.Command("redis-cli", "-p", replica.Port, "replicaof", "127.0.0.1", primary.Port).CombinedOutput()
	require.NoError(t, err, "%s", out)
	rn := &clusterNode{port: mustAtoi(replica.Port)}
	pn := &clusterNode{port: mustAtoi(primary.Port)}
	waitFor(t, 20*time.Second, func() bool { return strings.Contains(cli(rn, "info", "replication"), "master_link_status:up") }, "the replica links")
	waitFor(t, 20*time.Second, func() bool { return strings.Contains(cli(pn, "info", "replication"), "connected_slaves:1") }, "the primary lists it")
	st, err := redisstore.Open("redis://"+primary.Addr()+"/0", redisstore.Options{OpTimeout: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	m := loginReplicaWith(t, sb, st, loginpkg.Config{Sessions: loginpkg.PerDevice, CheckInterval: time.Hour})
	ctx := context.Background()
	acked := loginVia(t, sb, m, taro.QQ, "acked")
	require.NoError(t, m.Logout(ctx, acked), "acknowledged by the replica")
	unacked := loginVia(t, sb, m, taro.QQ, "unacked")
	require.NoError(t, replica.Cmd.Process.Signal(syscall.SIGSTOP))
	defer func() { _ = replica.Cmd.Process.Signal(syscall.SIGCONT) }()
	err = m.Logout(ctx, unacked)
	assert.ErrorIs(t, err, taro.ErrUnavailable, "a logout the replica did not acknowledge")
	assert.True(t, errors.Is(err, redisstore.ErrNotReplicated), "%v", err)
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
