package redisstore

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// LivenessWindow is how long a connection of Open's may go without a
// byte from Redis before the replica stops answering from its
// client-side cache: a silent partition (the connection stays open and
// nothing arrives) would otherwise leave it serving records Redis may
// have revoked, with no invalidation to tell it. An idle connection hears
// from Redis at least every LivenessWindow/5 (the client pings it), so a
// healthy one never goes stale.
const LivenessWindow = time.Second

// livenessPing bounds the PING that proves a stale connection alive.
const livenessPing = 200 * time.Millisecond

// ErrStale is in the chain of a cached read refused because a connection
// to Redis has been silent for longer than LivenessWindow and did not
// answer a PING: the store answers it as unavailable (503), never from
// its cache, until the connection is proven alive (or replaced, with
// tracking re-armed by the new connection's handshake).
var ErrStale = errors.New("redisstore: a connection to Redis has been silent for longer than the liveness window; the cache is not trusted")

// base is the origin of the monotonic readings the watch keeps.
var base = time.Now()

func mono() int64 { return int64(time.Since(base)) }

// watch keeps, for each open connection Open made, when it last read a
// byte from Redis.
type watch struct {
	mu    sync.Mutex
	conns map[*watchedConn]struct{}
	snap  atomic.Pointer[[]*watchedConn] // conns, read without the lock
}

// watchedConn is a net.Conn that records when it last read a byte.
type watchedConn struct {
	net.Conn
	addr     string // the address dialled
	w        *watch
	lastRead atomic.Int64 // mono()
	once     sync.Once
}

func (c *watchedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.lastRead.Store(mono())
	}
	return n, err
}

func (c *watchedConn) Close() error {
	c.once.Do(func() { c.w.remove(c) })
	return c.Conn.Close()
}

func (w *watch) add(addr string, c net.Conn) net.Conn {
	wc := &watchedConn{Conn: c, w: w, addr: addr}
	wc.lastRead.Store(mono())
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conns == nil {
		w.conns = map[*watchedConn]struct{}{}
	}
	w.conns[wc] = struct{}{}
	w.publish()
	return wc
}

func (w *watch) remove(c *watchedConn) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.conns, c)
	w.publish()
}

// publish refreshes the lock-free snapshot; w.mu is held.
func (w *watch) publish() {
	s := make([]*watchedConn, 0, len(w.conns))
	for c := range w.conns {
		s = append(s, c)
	}
	w.snap.Store(&s)
}

// stale reports whether Redis at some address has been silent for longer
// than LivenessWindow on every connection to it. (Connections idle in
// the client's pool of dedicated connections are not pinged; the one it
// pipelines on is, so a node heard from on any connection is alive.)
func (w *watch) stale() bool {
	p := w.snap.Load()
	if p == nil {
		return false
	}
	conns := *p
	now := mono()
	for i, c := range conns {
		if now-c.lastRead.Load() <= int64(LivenessWindow) {
			continue
		}
		heard := false
		for j, d := range conns {
			if j != i && d.addr == c.addr && now-d.lastRead.Load() <= int64(LivenessWindow) {
				heard = true
				break
			}
		}
		if !heard {
			return true
		}
	}
	return false
}

// healthy reports whether there is at least one watched connection and
// none is stale.
func (w *watch) healthy() bool {
	p := w.snap.Load()
	return p != nil && len(*p) > 0 && !w.stale()
}

// alive is asked before every read from the client-side cache: nil while
// every connection has heard from Redis within LivenessWindow; otherwise
// it PINGs every node (bounded by livenessPing) and answers ErrStale
// unless they all answered and no connection is stale any more.
func (s *Store) alive(ctx context.Context) error {
	if !s.live.stale() {
		return nil
	}
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, livenessPing)
	defer cancel()
	for _, nc := range c.Nodes() {
		if err := nc.Do(pctx, nc.B().Ping().Build()).Error(); err != nil {
			return ErrStale
		}
	}
	if s.live.stale() {
		return ErrStale
	}
	return nil
}
