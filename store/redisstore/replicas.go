package redisstore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/rueidis"
)

// topologyRefresh is how often the store reads again which Redis nodes
// have replicas (for Options.WaitReplicas zero).
const topologyRefresh = 10 * time.Second

// replicaMap is which nodes have a replica, as Redis lists them: on a
// Cluster, each master's slot ranges and whether CLUSTER NODES lists a
// replica of it (connected or not); on a single server, whether INFO
// replication ever listed one (a replica that is down is not listed, so
// once seen, one is waited for until the process ends).
type replicaMap struct {
	mu      sync.Mutex
	at      time.Time
	ranges  []slotRange // Cluster
	single  bool        // a single server has (had) a replica
	refresh sync.Mutex  // one reader of the topology at a time
}

type slotRange struct {
	lo, hi  uint16
	replica bool
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
	if err := s.replicas.load(ctx, c, s.opts.OpTimeout); err != nil {
		return 0, err
	}
	rm := &s.replicas
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if c.Mode() != rueidis.ClientModeCluster {
		if rm.single {
			return 1, nil
		}
		return 0, nil
	}
	cmd := c.B().Get().Key(key).Build()
	slot := cmd.Slot()
	for _, r := range rm.ranges {
		if slot >= r.lo && slot <= r.hi {
			if r.replica {
				return 1, nil
			}
			return 0, nil
		}
	}
	return 0, nil
}

// load reads the topology when it is older than topologyRefresh.
func (rm *replicaMap) load(ctx context.Context, c rueidis.Client, timeout time.Duration) error {
	rm.mu.Lock()
	fresh := !rm.at.IsZero() && time.Since(rm.at) < topologyRefresh
	rm.mu.Unlock()
	if fresh {
		return nil
	}
	rm.refresh.Lock()
	defer rm.refresh.Unlock()
	rm.mu.Lock()
	fresh = !rm.at.IsZero() && time.Since(rm.at) < topologyRefresh
	rm.mu.Unlock()
	if fresh {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if c.Mode() == rueidis.ClientModeCluster {
		text, err := c.Do(ctx, c.B().ClusterNodes().Build()).ToString()
		if err != nil {
			return err
		}
		ranges := parseClusterNodes(text)
		rm.mu.Lock()
		rm.ranges, rm.at = ranges, time.Now()
		rm.mu.Unlock()
		return nil
	}
	text, err := c.Do(ctx, c.B().Info().Section("replication").Build()).ToString()
	if err != nil {
		if _, ok := rueidis.IsRedisErr(err); !ok {
			return err
		}
		text = "" // a server that reports no replication (a test double) lists no replica
	}
	has := false
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "connected_slaves:"); ok {
			n, _ := strconv.Atoi(v)
			has = n > 0
		}
	}
	rm.mu.Lock()
	rm.single = rm.single || has
	rm.at = time.Now()
	rm.mu.Unlock()
	return nil
}

// parseClusterNodes reads CLUSTER NODES: each master's slot ranges, and
// whether a replica of it is listed (in any state but forgotten).
func parseClusterNodes(text string) []slotRange {
	type master struct {
		ranges  [][2]uint16
		replica bool
	}
	masters := map[string]*master{}
	get := func(id string) *master {
		m := masters[id]
		if m == nil {
			m = &master{}
			masters[id] = m
		}
		return m
	}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		id, flags, of := f[0], f[2], f[3]
		switch {
		case strings.Contains(flags, "master"):
			m := get(id)
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
					m.ranges = append(m.ranges, [2]uint16{uint16(a), uint16(b)})
				}
			}
		case strings.Contains(flags, "slave") && of != "-":
			get(of).replica = true
		}
	}
	var out []slotRange
	for _, m := range masters {
		for _, r := range m.ranges {
			out = append(out, slotRange{lo: r[0], hi: r[1], replica: m.replica})
		}
	}
	return out
}
