// Package redisstore keeps access tokens and session records in Redis, so
// that several replicas of a service share one truth: one token per app
// (fetched by one replica at a time) and one newest session per user.
//
// A Store is both a taro.TokenStore (with the taro.TokenLocker capability)
// and a taro.SessionStore, and a login.Store:
//
//	st, err := redisstore.Open("redis://127.0.0.1:6379/0", redisstore.Options{})
//	client, err := taro.New(taro.Config{Drivers: ds, Tokens: st, Sessions: st})
//
// The client is github.com/redis/rueidis, for its server-assisted
// client-side caching (Redis 6 and newer, RESP3): the records the warm
// paths read (a ticket, its user's newest session record and the ticket's
// last use; a session record; a shared token) are kept in the replica's
// memory, and Redis tells the replica when any client writes one of them.
// A warm login.Require, a warm store-decided CheckSession and a warm
// token read then make no Redis round trip at all; a warm weapp
// CheckSession makes only its platform call. Writes are never cached, and
// each write returns only after this replica's own copies of what it
// wrote are dropped, so a replica reads its own writes; other replicas
// drop theirs when Redis's invalidation reaches them (milliseconds on a
// local network), and in any case within Options.CacheTTL. A replica that
// loses its connection loses its invalidation stream and with it its
// whole cache, and answers nothing from memory until it has reconnected
// and re-armed tracking. A server without RESP3 or tracking (or
// miniredis) is used uncached, with the same answers.
//
// Tokens: a shared cache with expiry; a fetch lock (SET NX PX) lets one
// replica fetch while the others wait, bounded by their ctx, for the value
// it stores; a token-invalid answer drops the token only if it is still the
// one that was used (compare-and-delete in a Lua script), so a stale replica
// cannot throw away a fresh token.
//
// Sessions: the fingerprint and issue time only, never a session key, with
// a TTL (Options.SessionTTL) so the data stays bounded. Which login is the
// newest is Redis's decision, not the replicas' clocks: a Lua script
// records each login in the order Redis receives it and stamps it with the
// Redis server's TIME, so replicas whose clocks disagree cannot make a
// rotated-away session valid or the current one "superseded". Ages are
// judged on the same clock: uncached lookups read TIME in the same script;
// cached ones use the Redis TIME last read (at most a minute old) advanced
// by the replica's monotonic clock, so a replica's wall clock, however
// wrong, never enters.
//
// Defence in depth (Options.Secret): with a secret set, fingerprints are
// HMAC-SHA256(secret, session key) instead of SHA-256(session key), and
// stored access tokens are sealed with AES-256-GCM (a key derived from the
// secret, the Redis key as associated data). A dump of Redis then confirms
// no guessed session key and replays no token, and a writer of Redis cannot
// forge a record for a session key of their choosing. All replicas sharing
// a Redis must use the same secret.
//
// Redis down or slow: every call is bounded by its ctx and by
// Options.OpTimeout, and fails with an error the taro client reports as
// ErrUnavailable (or DeadlineExceeded when the caller's ctx ran out first).
// Checks then fail closed: a session is never reported valid because the
// store could not be asked.
package redisstore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
	"golang.org/x/sync/singleflight"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// Prefix starts every key. Empty means "taro:".
	Prefix string
	// SessionTTL bounds how long a session record is kept after its login.
	// Zero means 30 days.
	SessionTTL time.Duration
	// OpTimeout bounds each Redis call when the ctx allows longer, and
	// how long a connection may go unanswered before it is dropped (with
	// its cache). Zero means 2s.
	OpTimeout time.Duration
	// SkipPing makes Open return without connecting. By default Open
	// connects and asks for a PING, bounded by OpTimeout, so that a wrong
	// address or a stopped Redis is reported where the store is opened.
	SkipPing bool
	// Logger receives the store's own debug records (a dial that failed,
	// a server that cannot cache). Nil means silence.
	Logger *slog.Logger
	// Secret, when set (at least 16 bytes), keys the session fingerprints
	// (HMAC-SHA256) and seals stored access tokens (AES-256-GCM). Every
	// replica sharing the Redis must use the same value. It is never
	// printed.
	Secret []byte
	// CacheTTL bounds how long a record read with client-side caching may
	// be served from memory without news from Redis: the safety net should
	// an invalidation be lost. Zero means 5s; negative turns caching off
	// (every read is a round trip). A cached record is never served past
	// its own expiry in Redis.
	CacheTTL time.Duration
	// CacheBytes bounds the memory of the client-side cache of each
	// connection (Open makes one connection per Redis node). Zero means
	// 64 MiB.
	CacheBytes int
	// WaitReplicas is how many replicas must acknowledge a revocation (a
	// logout, a LogoutAll, a login that supersedes the user's earlier
	// tickets) before it returns: WAIT after the write, bounded by
	// OpTimeout, so that a failover cannot undo a logout the caller was
	// told happened; without the acknowledgements the call fails
	// (ErrNotReplicated, 503). Zero means one wherever Redis lists a
	// replica of the node (a Cluster's CLUSTER NODES, connected or not; a
	// single server's INFO replication, and from then on), none where it
	// lists none; negative means never wait.
	WaitReplicas int
}

// DefaultCacheTTL is the CacheTTL of zero Options.
const DefaultCacheTTL = 5 * time.Second

// DefaultCacheBytes is the CacheBytes of zero Options.
const DefaultCacheBytes = 64 << 20

// String describes the options without the secret.
func (o Options) describe() string {
	return fmt.Sprintf("redisstore.Options{Prefix:%q SessionTTL:%s OpTimeout:%s CacheTTL:%s Secret:%s}",
		o.Prefix, o.SessionTTL, o.OpTimeout, o.CacheTTL, redactedMark(len(o.Secret) > 0))
}

// MarshalJSON writes the options without the secret (only whether one is
// set) and without the logger.
func (o Options) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Prefix     string
		SessionTTL time.Duration
		OpTimeout  time.Duration
		SkipPing   bool
		CacheTTL   time.Duration
		CacheBytes int
		Secret     string
	}{o.Prefix, o.SessionTTL, o.OpTimeout, o.SkipPing, o.CacheTTL, o.CacheBytes, redactedMark(len(o.Secret) > 0)})
}

// Format implements fmt.Formatter: every verb prints String.
func (o Options) Format(f fmt.State, verb rune) {
	t := o.describe()
	if verb == 'q' {
		t = strconv.Quote(t)
	}
	_, _ = io.WriteString(f, t)
}

func redactedMark(set bool) string {
	if set {
		return driver.RedactedSecret
	}
	return ""
}

// Store is a Redis-backed taro.TokenStore, taro.TokenLocker,
// taro.SessionStore and login.Store. It is safe for concurrent use.
type Store struct {
	opts     Options
	seal     cipher.AEAD // nil without Options.Secret
	cached   bool        // reads use client-side caching
	clock    clock
	live     watch // Open's connections and when each last heard from Redis
	replicas replicaMap

	mu         sync.Mutex // guards rdb while Open's connection is made lazily
	rdb        rueidis.Client
	ready      atomic.Pointer[rueidis.Client] // rdb once set and open, read without the lock
	dial       func() (rueidis.Client, error) // Open's lazy connection (SkipPing)
	connecting singleflight.Group
	closed     bool
	owned      bool // Close closes rdb
}

var (
	_ taro.TokenStore            = (*Store)(nil)
	_ taro.TokenLocker           = (*Store)(nil)
	_ taro.SessionStore          = (*Store)(nil)
	_ taro.Fingerprinter         = (*Store)(nil)
	_ taro.DecryptLimiter        = (*Store)(nil)
	_ taro.CachingSessionStore   = (*Store)(nil)
	_ taro.DecryptBudgetResetter = (*Store)(nil)
	_ taro.EnvelopeClaimer       = (*Store)(nil)
)

// New returns a Store using rdb, which the caller keeps and closes. For
// the warm reads to make no round trip, rdb must have client-side caching
// (rueidis's default; a server of Redis 6 or newer), and for a replica to
// read its own writes at once it should use one connection per node
// (ClientOption.PipelineMultiplex -1 for a single server; the cluster
// client's default), and ConnWriteTimeout should be OpTimeout, which
// bounds a cached read's wait on a miss: Open sets all three. With
// caching off in rdb
// (ClientOption.DisableCache) the store is correct, uncached; with
// Options.CacheTTL negative it reads through scripts that also read
// Redis's clock, as a server without client-side caching (or miniredis,
// whose clock tests set by hand) needs.
func New(rdb rueidis.Client, opts Options) *Store {
	st := newStore(opts)
	st.rdb = rdb
	st.ready.Store(&rdb)
	return st
}

func newStore(opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "taro:"
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.OpTimeout <= 0 {
		opts.OpTimeout = 2 * time.Second
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	st := &Store{opts: opts, cached: opts.CacheTTL > 0}
	if len(opts.Secret) > 0 {
		st.opts.Secret = bytes.Clone(opts.Secret)
		m := hmac.New(sha256.New, st.opts.Secret)
		m.Write([]byte("taro redisstore token seal"))
		block, _ := aes.NewCipher(m.Sum(nil)) // a 32-byte key: cannot fail
		st.seal, _ = cipher.NewGCM(block)
	}
	return st
}

// Cached reports whether the store reads its warm records with
// client-side caching.
func (s *Store) Cached() bool { return s.cached }

// Fingerprint implements taro.Fingerprinter: HMAC-SHA256(Options.Secret,
// sessionKey) with a secret, SHA-256(sessionKey) without one.
func (s *Store) Fingerprint(sessionKey string) taro.Fingerprint {
	if len(s.opts.Secret) == 0 {
		return taro.FingerprintOf(sessionKey)
	}
	var fp taro.Fingerprint
	m := hmac.New(sha256.New, s.opts.Secret)
	m.Write([]byte(sessionKey))
	m.Sum(fp[:0])
	return fp
}

// Open connects to the Redis at a redis:// or rediss:// URL (a Redis
// Cluster: the URL with addr= parameters, or a comma-separated list; see
// parseURL) and, unless Options.SkipPing, checks that it answers a PING
// within OpTimeout and loads the store's scripts. It uses client-side
// caching where the server offers it (Redis 6 and newer) and runs
// uncached where it does not. Close the Store when done. Errors never
// repeat the URL, which may hold a password.
func Open(rawURL string, opts Options) (*Store, error) {
	if len(opts.Secret) > 0 && len(opts.Secret) < 16 {
		return nil, errors.New("redisstore: Options.Secret must be at least 16 bytes")
	}
	if strings.TrimSpace(rawURL) == "" {
		return nil, errors.New("redisstore: the Redis URL is empty (is TARO_REDIS_URL set? want redis://[user:password@]host:port/db)")
	}
	co, addr, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := newStore(opts)
	s.owned = true
	lg := opts.Logger
	co.Dialer.Timeout = s.opts.OpTimeout
	// The client PINGs a connection idle for this long (and TCP probes it),
	// so that a healthy connection hears from Redis well within
	// LivenessWindow.
	co.Dialer.KeepAlive = min(LivenessWindow/5, s.opts.OpTimeout)
	co.ConnWriteTimeout = s.opts.OpTimeout
	// No silent retries: a read on a broken connection fails (503) rather
	// than redialling for as long as its ctx allows, which a cached
	// read's ctx may not bound.
	co.DisableRetry = true
	co.CacheSizeEachConn = s.opts.CacheBytes
	co.DisableCache = !s.cached
	if len(co.InitAddress) == 1 {
		co.ForceSingleClient = true
		co.PipelineMultiplex = -1 // one connection: a replica reads its own writes
	}
	dialCtx := co.DialCtxFn
	co.DialCtxFn = func(ctx context.Context, dst string, d *net.Dialer, tc *tls.Config) (net.Conn, error) {
		var c net.Conn
		var err error
		if dialCtx != nil {
			c, err = dialCtx(ctx, dst, d, tc)
		} else if tc != nil {
			c, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(ctx, "tcp", dst)
		} else {
			c, err = d.DialContext(ctx, "tcp", dst)
		}
		if err != nil {
			if lg != nil {
				lg.LogAttrs(ctx, slog.LevelDebug, "redisstore: dial failed", slog.String("addr", dst), slog.String("error", err.Error()))
			}
			return c, err
		}
		return s.live.add(dst, c), nil
	}
	s.dial = func() (rueidis.Client, error) {
		c, err := rueidis.NewClient(co)
		if err != nil && s.cached && errors.Is(err, rueidis.ErrNoCache) {
			// A server without RESP3 or tracking: uncached, and correct.
			if lg != nil {
				lg.LogAttrs(context.Background(), slog.LevelDebug, "redisstore: the server offers no client-side caching; reads are uncached")
			}
			s.cached = false
			nc := co
			nc.DisableCache = true
			c, err = rueidis.NewClient(nc)
		}
		if err != nil {
			return nil, fmt.Errorf("redisstore: the Redis at %s did not answer a PING within %s: %w (%w)", addr, s.opts.OpTimeout, ErrUnreachable, err)
		}
		return c, nil
	}
	if opts.SkipPing {
		return s, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.OpTimeout)
	defer cancel()
	c, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Do(ctx, c.B().Ping().Build()).Error(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redisstore: the Redis at %s did not answer a PING within %s: %w (%w)", addr, s.opts.OpTimeout, ErrUnreachable, err)
	}
	if err := s.LoadScripts(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

// client returns the Redis client. Open's is made on first use (with
// SkipPing) by one caller at a time; a caller whose ctx ends first stops
// waiting, and the connection, bounded by OpTimeout, is kept for the next.
func (s *Store) client(ctx ...context.Context) (rueidis.Client, error) {
	if c := s.ready.Load(); c != nil {
		return *c, nil
	}
	s.mu.Lock()
	c, closed := s.rdb, s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return nil, errors.New("redisstore: the store is closed")
	case c != nil:
		return c, nil
	}
	ch := s.connecting.DoChan("dial", func() (any, error) {
		c, err := s.dial()
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			c.Close()
			return nil, errors.New("redisstore: the store is closed")
		}
		if s.rdb == nil {
			s.rdb = c
			s.ready.Store(&c)
		} else {
			c.Close()
		}
		return s.rdb, nil
	})
	var done <-chan struct{}
	if len(ctx) > 0 {
		done = ctx[0].Done()
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(rueidis.Client), nil
	case <-done:
		return nil, ctx[0].Err()
	}
}

// Close closes the connection Open made; it does nothing for New.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owned && !s.closed && s.rdb != nil {
		s.rdb.Close()
	}
	s.closed = true
	s.ready.Store(nil)
	return nil
}

func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= s.opts.OpTimeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opts.OpTimeout)
}

// readBound is bound for a read that may come from the client-side cache:
// none, so that a warm read costs no timer. A miss waits on the
// connection, whose every wait is bounded by the client's
// ConnWriteTimeout (OpTimeout for Open's; see New), and by ctx.
//
// A store of Open's takes that shortcut only while its connections are
// known healthy (open, and each heard from Redis within LivenessWindow):
// a reconnection's handshake, which a silent server never answers, is
// otherwise bounded only by ctx.
func (s *Store) readBound(ctx context.Context, fresh bool) (context.Context, context.CancelFunc) {
	if s.cached && !fresh && (!s.owned || s.live.healthy()) {
		return ctx, func() {}
	}
	return s.bound(ctx)
}

// wrapErr names the operation and never repeats keys' contents.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}
