package redisstore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/rueidis"
)

// topologyRefresh is how often the store asks again whether a Redis node
// has replicas (for Options.WaitReplicas zero).
const topologyRefresh = 10 * time.Second

// replicaMap is which nodes have a replica, as each node says of itself:
// on a Cluster, a slot's own master answers CLUSTER NODES (a master knows
// its replicas, connected or not, before gossip tells the other nodes);
// on a single server, INFO replication. Once a node has listed a replica
// it is waited for until the process ends: a replica that is down or not
// yet known to the node being asked must not turn revocations into
// writes a failover can undo.
type replicaMap struct {
	mu      sync.Mutex
	masters []masterView // Cluster: what each asked master said of itself
	single  bool         // a single server has (had) a replica
	at      time.Time    // when the single server was asked
	refresh sync.Mutex   // one reader of the topology at a time
}

// masterView is a master's slots and whether it has (had) a replica.
type masterView struct {
	id      string
	ranges  [][2]uint16
	replica bool
	at      time.Time
}

// replicasFor is how many replicas a revocation of key waits for.
func (s *Store) replicasFor(ctx context.Context, key string) (int, error) {
	switch {
	case s.opts.WaitReplicas < 0:
		return 0, nil
	case s.opts.WaitReplicas > 0:
		return s.opts.WaitReplicas, nil
	}
	c, err := s.client(ctx)
	if err != nil {
		return 0, err
	}
	if c.Mode() != rueidis.ClientModeCluster {
		has, err := s.replicas.singleServer(ctx, c, s.opts.OpTimeout)
		if err != nil || !has {
			return 0, err
		}
		return 1, nil
	}
	has, err := s.replicas.cluster(ctx, c, key, s.opts.OpTimeout)
	if err != nil || !has {
		return 0, err
	}
	return 1, nil
}

// cluster says whether the master of key's slot has (had) a replica,
// asking that master when what it said is older than topologyRefresh.
func (rm *replicaMap) cluster(ctx context.Context, c rueidis.Client, key string, timeout time.Duration) (bool, error) {
	cmd := c.B().Get().Key(key).Build()
	slot := cmd.Slot()
	if has, fresh := rm.lookup(slot); fresh {
		return has, nil
	}
	rm.refresh.Lock()
	defer rm.refresh.Unlock()
	if has, fresh := rm.lookup(slot); fresh {
		return has, nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Routed as the key is: the slot's own master answers.
	text, err := c.Do(ctx, c.B().ClusterNodes().Build().SetSlot(key)).ToString()
	if err != nil {
		return false, err
	}
	v, ok := parseSelf(text)
	if !ok {
		// The node that answered is not the slot's master (the client's
		// map of slots is catching up with a failover or a resharding):
		// wait for a replica, to be safe, and ask again next time.
		return true, nil
	}
	v.at = time.Now()
	rm.mu.Lock()
	defer rm.mu.Unlock()
	for i, m := range rm.masters {
		if m.id == v.id {
			v.replica = v.replica || m.replica // once seen, waited for
			rm.masters[i] = v
			return rm.has(slot, v), nil
		}
	}
	rm.masters = append(rm.masters, v)
	return rm.has(slot, v), nil
}

// has reports v's answer for slot; rm.mu is held.
func (rm *replicaMap) has(slot uint16, v masterView) bool {
	for _, r := range v.ranges {
		if slot >= r[0] && slot <= r[1] {
			return v.replica
		}
	}
	// The asked node no longer serves the slot (a failover, a migration):
	// wait for one, to be safe, until the topology settles.
	return true
}

// lookup returns what the master serving slot said, and whether that is
// fresh.
func (rm *replicaMap) lookup(slot uint16) (has, fresh bool) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	for _, m := range rm.masters {
		for _, r := range m.ranges {
			if slot >= r[0] && slot <= r[1] {
				// A node that lists no replica is asked again sooner: a
				// replica just added is known to its master by gossip.
				ttl := topologyRefresh
				if !m.replica {
					ttl = time.Second
				}
				return m.replica, time.Since(m.at) < ttl
			}
		}
	}
	return false, false
}

// single_ says whether the single server has (had) a replica.
func (rm *replicaMap) singleServer(ctx context.Context, c rueidis.Client, timeout time.Duration) (bool, error) {
	rm.mu.Lock()
	has, fresh := rm.single, !rm.at.IsZero() && time.Since(rm.at) < topologyRefresh
	rm.mu.Unlock()
	if fresh || has {
		return has, nil
	}
	rm.refresh.Lock()
	defer rm.refresh.Unlock()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	text, err := c.Do(ctx, c.B().Info().Section("replication").Build()).ToString()
	if err != nil {
		if _, ok := rueidis.IsRedisErr(err); !ok {
			return false, err
		}
		text = "" // a server that reports no replication (a test double) lists no replica
	}
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
			n, _ := strconv.Atoi(v)
			has = n > 0
		}
	}
	rm.mu.Lock()
	rm.single = rm.single || has
	rm.at = time.Now()
	has = rm.single
	rm.mu.Unlock()
	return has, nil
}

// parseSelf reads CLUSTER NODES as the answering node ("myself") sees
// itself: a master's slot ranges, and whether a replica of it is listed
// (in any state but forgotten). ok is false when the node is no master.
func parseSelf(text string) (masterView, bool) {
	var v masterView
	ok := false
	var lines [][]string
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) >= 8 {
			lines = append(lines, f)
		}
	}
	for _, f := range lines {
		if strings.Contains(f[2], "myself") && strings.Contains(f[2], "master") {
			v.id, ok = f[0], true
			for _, sr := range f[8:] {
				if strings.HasPrefix(sr, "[") {
					continue // a slot being imported or migrated
				}
				lo, hi, found := strings.Cut(sr, "-")
				if !found {
					hi = lo
				}
				a, err1 := strconv.ParseUint(lo, 10, 16)
				b, err2 := strconv.ParseUint(hi, 10, 16)
				if err1 == nil && err2 == nil {
					v.ranges = append(v.ranges, [2]uint16{uint16(a), uint16(b)})
				}
			}
		}
	}
	if !ok {
		return v, false
	}
	for _, f := range lines {
		if strings.Contains(f[2], "slave") && f[3] == v.id {
			v.replica = true
		}
	}
	return v, true
}
