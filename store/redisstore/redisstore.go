// Package redisstore keeps access tokens and session records in Redis, so
// that several replicas of a service share one truth: one token per app
// (fetched by one replica at a time) and one newest session per user.
//
// A Store is both a taro.TokenStore (with the taro.TokenLocker capability)
// and a taro.SessionStore:
//
//	st, err := redisstore.Open("redis://127.0.0.1:6379/0", redisstore.Options{})
//	client, err := taro.New(taro.Config{Drivers: ds, Tokens: st, Sessions: st})
//
// Tokens: a shared cache with expiry; a fetch lock (SET NX PX) lets one
// replica fetch while the others wait, bounded by their ctx, for the value
// it stores; a token-invalid answer drops the token only if it is still the
// one that was used (compare-and-delete in a Lua script), so a stale replica
// cannot throw away a fresh token.
//
// Sessions: the fingerprint and issue time only, never a session key, with
// a TTL (Options.SessionTTL) so the data stays bounded; a Lua script keeps
// the record with the newest issue time when replicas record concurrently.
//
// Redis down or slow: every call is bounded by its ctx and by
// Options.OpTimeout, and fails with an error the taro client reports as
// ErrUnavailable (or DeadlineExceeded when the caller's ctx ran out first).
// Checks then fail closed: a session is never reported valid because the
// store could not be asked. (go-redis reports dial failures through its
// own global logger; redis.SetLogger routes them.)
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tarogo/adapter/taro"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// Prefix starts every key. Empty means "taro:".
	Prefix string
	// SessionTTL bounds how long a session record is kept after its login.
	// Zero means 30 days.
	SessionTTL time.Duration
	// OpTimeout bounds each Redis call when the ctx allows longer. Zero
	// means 2s.
	OpTimeout time.Duration
}

// Store is a Redis-backed taro.TokenStore, taro.TokenLocker and
// taro.SessionStore. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	opts   Options
	closer func() error
}

var (
	_ taro.TokenStore   = (*Store)(nil)
	_ taro.TokenLocker  = (*Store)(nil)
	_ taro.SessionStore = (*Store)(nil)
)

// New returns a Store using rdb, which the caller keeps and closes. For
// calls to end at their ctx deadline even when Redis stops answering, rdb
// should have ContextTimeoutEnabled set (Open sets it).
func New(rdb redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "taro:"
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.OpTimeout <= 0 {
		opts.OpTimeout = 2 * time.Second
	}
	return &Store{rdb: rdb, opts: opts}
}

// Open connects to the Redis at a redis:// or rediss:// URL. Close the
// Store when done. Errors never repeat the URL, which may hold a password.
func Open(rawURL string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errors.New("redisstore: cannot parse the Redis URL (want redis://[user:password@]host:port/db)")
	}
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.DialerRetries = 1 // a stopped Redis fails the call at once; the taro client retries
	rdb := redis.NewClient(o)
	s := New(rdb, opts)
	s.closer = rdb.Close
	return s, nil
}

// Close closes the connection Open made; it does nothing for New.
func (s *Store) Close() error {
	if s.closer != nil {
		return s.closer()
	}
	return nil
}

func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= s.opts.OpTimeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opts.OpTimeout)
}

// wrapErr names the operation and never repeats keys' contents.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// part escapes a key component that could collide with the separator.
func part(s string) string {
	if strings.ContainsAny(s, ":%{}") {
		return url.QueryEscape(s)
	}
	return s
}

func (s *Store) sessionKey(id taro.SessionKeyID) string {
	return s.opts.Prefix + "session:" + part(string(id.Platform)) + ":" + part(id.AppID) + ":" + part(id.OpenID)
}

func (s *Store) tokenKey(key string) string     { return s.opts.Prefix + "token:" + part(key) }
func (s *Store) tokenLockKey(key string) string { return s.opts.Prefix + "tokenlock:" + part(key) }

// A session record is stored as "<issued unix nanoseconds>:<hex fingerprint>".
func encodeSession(rec taro.SessionRecord) string {
	return strconv.FormatInt(rec.IssuedAt.UnixNano(), 10) + ":" + rec.Fingerprint.String()
}

func decodeSession(v string) (taro.SessionRecord, error) {
	ts, fp, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || len(fp) != 64 {
		return taro.SessionRecord{}, errors.New("redisstore: malformed session record")
	}
	var rec taro.SessionRecord
	if _, err := hex.Decode(rec.Fingerprint[:], []byte(fp)); err != nil {
		return taro.SessionRecord{}, errors.New("redisstore: malformed session fingerprint")
	}
	rec.IssuedAt = time.Unix(0, n)
	return rec, nil
}

// recordScript stores ARGV[2] unless the key holds a record issued later
// than ARGV[1], atomically.
var recordScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local ts = tonumber(string.match(cur, '^(%-?%d+):'))
  if ts and ts > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)

// RecordSession implements taro.SessionStore.
func (s *Store) RecordSession(ctx context.Context, id taro.SessionKeyID, rec taro.SessionRecord) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := s.opts.SessionTTL.Milliseconds()
	err := recordScript.Run(ctx, s.rdb, []string{s.sessionKey(id)},
		strconv.FormatInt(rec.IssuedAt.UnixNano(), 10), encodeSession(rec), ttl).Err()
	return wrapErr("recording a session", err)
}

// LookupSession implements taro.SessionStore with one GET.
func (s *Store) LookupSession(ctx context.Context, id taro.SessionKeyID) (taro.SessionRecord, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	v, err := s.rdb.Get(ctx, s.sessionKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return taro.SessionRecord{}, false, nil
	}
	if err != nil {
		return taro.SessionRecord{}, false, wrapErr("looking up a session", err)
	}
	rec, err := decodeSession(v)
	if err != nil {
		return taro.SessionRecord{}, false, err
	}
	return rec, true, nil
}

// A token is stored as "<expires unix milliseconds>:<token>".
func encodeToken(t taro.StoredToken) string {
	return strconv.FormatInt(t.ExpiresAt.UnixMilli(), 10) + ":" + t.Value
}

// Token implements taro.TokenStore.
func (s *Store) Token(ctx context.Context, key string) (taro.StoredToken, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	v, err := s.rdb.Get(ctx, s.tokenKey(key)).Result()
	if errors.Is(err, redis.Nil) {
		return taro.StoredToken{}, false, nil
	}
	if err != nil {
		return taro.StoredToken{}, false, wrapErr("reading a token", err)
	}
	ms, tok, ok := strings.Cut(v, ":")
	n, perr := strconv.ParseInt(ms, 10, 64)
	if !ok || perr != nil || tok == "" {
		return taro.StoredToken{}, false, errors.New("redisstore: malformed token record")
	}
	return taro.StoredToken{Value: tok, ExpiresAt: time.UnixMilli(n)}, true, nil
}

// SetToken implements taro.TokenStore; the key expires with the token.
func (s *Store) SetToken(ctx context.Context, key string, t taro.StoredToken) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := time.Until(t.ExpiresAt)
	if ttl < time.Millisecond {
		return nil // already stale: nothing worth sharing
	}
	return wrapErr("storing a token", s.rdb.Set(ctx, s.tokenKey(key), encodeToken(t), ttl).Err())
}

// deleteTokenScript deletes KEYS[1] if it holds a token whose value is
// ARGV[1].
var deleteTokenScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, ':', 1, true)
  if sep and string.sub(cur, sep + 1) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
  end
end
return 0`)

// DeleteToken implements taro.TokenStore with a compare-and-delete.
func (s *Store) DeleteToken(ctx context.Context, key, value string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return wrapErr("dropping a token", deleteTokenScript.Run(ctx, s.rdb, []string{s.tokenKey(key)}, value).Err())
}

// unlockScript releases a lock only for the holder that took it.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// LockToken implements taro.TokenLocker with SET NX PX and a random owner
// id; the lock expires after ttl even if its holder dies.
func (s *Store) LockToken(ctx context.Context, key string, ttl time.Duration) (func(context.Context), bool, error) {
	bctx, cancel := s.bound(ctx)
	defer cancel()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	owner := hex.EncodeToString(b)
	lk := s.tokenLockKey(key)
	ok, err := s.rdb.SetNX(bctx, lk, owner, ttl).Result()
	if err != nil {
		return nil, false, wrapErr("taking the token lock", err)
	}
	if !ok {
		return nil, false, nil
	}
	unlock := func(ctx context.Context) {
		ctx, cancel := s.bound(ctx)
		defer cancel()
		_ = unlockScript.Run(ctx, s.rdb, []string{lk}, owner).Err()
	}
	return unlock, true, nil
}
