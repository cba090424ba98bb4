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
// a TTL (Options.SessionTTL) so the data stays bounded. Which login is the
// newest is Redis's decision, not the replicas' clocks: a Lua script
// records each login in the order Redis receives it and stamps it with the
// Redis server's TIME, so replicas whose clocks disagree cannot make a
// rotated-away session valid or the current one "superseded".
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
// store could not be asked. (go-redis reports dial failures through its
// own process-wide logger; Open routes it to Options.Logger, or silences
// it.)
package redisstore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

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
	// OpTimeout bounds each Redis call when the ctx allows longer. Zero
	// means 2s.
	OpTimeout time.Duration
	// SkipPing makes Open return without asking Redis for a PING. By
	// default Open pings, bounded by OpTimeout, so that a wrong address
	// or a stopped Redis is reported where the store is opened.
	SkipPing bool
	// Logger receives go-redis's own log lines (dial failures, pool
	// warnings) at debug level. go-redis has one logger per process:
	// Open routes it to the Logger of the most recent Open that set one,
	// and silences it until then.
	Logger *slog.Logger
	// Secret, when set (at least 16 bytes), keys the session fingerprints
	// (HMAC-SHA256) and seals stored access tokens (AES-256-GCM). Every
	// replica sharing the Redis must use the same value. It is never
	// printed.
	Secret []byte
}

// String describes the options without the secret.
func (o Options) String() string {
	return fmt.Sprintf("redisstore.Options{Prefix:%q SessionTTL:%s OpTimeout:%s Secret:%s}",
		o.Prefix, o.SessionTTL, o.OpTimeout, redactedMark(len(o.Secret) > 0))
}

// MarshalJSON writes the options without the secret (only whether one is
// set) and without the logger.
func (o Options) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Prefix     string
		SessionTTL time.Duration
		OpTimeout  time.Duration
		SkipPing   bool
		Secret     string
	}{o.Prefix, o.SessionTTL, o.OpTimeout, o.SkipPing, redactedMark(len(o.Secret) > 0)})
}

// LogValue implements slog.LogValuer without the secret.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(slog.String("prefix", o.Prefix), slog.Duration("session_ttl", o.SessionTTL),
		slog.Duration("op_timeout", o.OpTimeout), slog.Bool("skip_ping", o.SkipPing), slog.String("secret", redactedMark(len(o.Secret) > 0)))
}

// GoString is String, for %#v.
func (o Options) GoString() string { return o.String() }

// Format implements fmt.Formatter: every verb prints String.
func (o Options) Format(f fmt.State, verb rune) {
	t := o.String()
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

// Store is a Redis-backed taro.TokenStore, taro.TokenLocker and
// taro.SessionStore. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	opts   Options
	closer func() error
	seal   cipher.AEAD // nil without Options.Secret
}

var (
	_ taro.TokenStore     = (*Store)(nil)
	_ taro.TokenLocker    = (*Store)(nil)
	_ taro.SessionStore   = (*Store)(nil)
	_ taro.Fingerprinter  = (*Store)(nil)
	_ taro.DecryptLimiter = (*Store)(nil)
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
	st := &Store{rdb: rdb, opts: opts}
	if len(opts.Secret) > 0 {
		st.opts.Secret = bytes.Clone(opts.Secret)
		m := hmac.New(sha256.New, st.opts.Secret)
		m.Write([]byte("taro redisstore token seal"))
		block, _ := aes.NewCipher(m.Sum(nil)) // a 32-byte key: cannot fail
		st.seal, _ = cipher.NewGCM(block)
	}
	return st
}

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
// dial) and, unless
// Options.SkipPing, checks that it answers a PING within OpTimeout. Close
// the Store when done. Errors never repeat the URL, which may hold a
// password.
func Open(rawURL string, opts Options) (*Store, error) {
	if len(opts.Secret) > 0 && len(opts.Secret) < 16 {
		return nil, errors.New("redisstore: Options.Secret must be at least 16 bytes")
	}
	if strings.TrimSpace(rawURL) == "" {
		return nil, errors.New("redisstore: the Redis URL is empty (is TARO_REDIS_URL set? want redis://[user:password@]host:port/db)")
	}
	routeRedisLog(opts.Logger)
	rdb, addr, err := dial(rawURL)
	if err != nil {
		return nil, err
	}
	s := New(rdb, opts)
	s.closer = rdb.Close
	if !opts.SkipPing {
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.OpTimeout)
		defer cancel()
		if err := rdb.Ping(ctx).Err(); err != nil {
			_ = rdb.Close()
			return nil, fmt.Errorf("redisstore: the Redis at %s did not answer a PING within %s: %w (%w)", addr, s.opts.OpTimeout, ErrUnreachable, err)
		}
		if err := s.LoadScripts(ctx); err != nil {
			_ = rdb.Close()
			return nil, err
		}
	}
	return s, nil
}

// dial makes the client for rawURL: a single server for
// redis[s]://[user:password@]host:port/db, a Redis Cluster for a URL with
// addr= parameters (redis://[user:password@]host1:port?addr=host2:port&addr=host3:port)
// or a comma-separated list of URLs or host:port (the first URL's user,
// password and TLS apply to all). It returns the address to name in
// errors, never the URL.
func dial(rawURL string) (redis.UniversalClient, string, error) {
	const want = "want redis://[user:password@]host:port/db, or for a cluster redis://host1:port?addr=host2:port&addr=host3:port or a comma-separated list"
	switch {
	case strings.Contains(rawURL, ","):
		var addrs []string
		var first *redis.Options
		for _, part := range strings.Split(rawURL, ",") {
			part = strings.TrimSpace(part)
			if !strings.Contains(part, "://") {
				part = "redis://" + part
			}
			o, err := redis.ParseURL(part)
			if err != nil {
				return nil, "", errors.New("redisstore: cannot parse an address of the Redis Cluster list (" + want + ")")
			}
			if first == nil {
				first = o
			}
			addrs = append(addrs, o.Addr)
		}
		co := &redis.ClusterOptions{Addrs: addrs, Username: first.Username, Password: first.Password, TLSConfig: first.TLSConfig}
		clusterDefaults(co)
		return redis.NewClusterClient(co), strings.Join(addrs, ","), nil
	case strings.Contains(rawURL, "addr="):
		co, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, "", errors.New("redisstore: cannot parse the Redis Cluster URL (" + want + ")")
		}
		clusterDefaults(co)
		return redis.NewClusterClient(co), strings.Join(co.Addrs, ","), nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, "", errors.New("redisstore: cannot parse the Redis URL (" + want + ")")
	}
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.DialerRetries = 1 // a stopped Redis fails the call at once; the taro client retries
	return redis.NewClient(o), o.Addr, nil
}

func clusterDefaults(co *redis.ClusterOptions) {
	co.ContextTimeoutEnabled = true
	co.MaxRetries = 1
	co.DialerRetries = 1
}

// ErrUnreachable is in the chain of Open's error when Redis did not
// answer its PING (as opposed to a URL that is wrong).
var ErrUnreachable = errors.New("no answer")

// redisLog forwards go-redis's process-wide log lines to a slog.Logger,
// or drops them.
type redisLog struct{ to atomic.Pointer[slog.Logger] }

func (l *redisLog) Printf(ctx context.Context, format string, v ...any) {
	if lg := l.to.Load(); lg != nil {
		lg.LogAttrs(ctx, slog.LevelDebug, "redisstore: go-redis: "+fmt.Sprintf(format, v...))
	}
}

var (
	redisLogger     redisLog
	redisLoggerOnce sync.Once
)

// routeRedisLog installs the forwarder once and points it at lg when set.
func routeRedisLog(lg *slog.Logger) {
	redisLoggerOnce.Do(func() { redis.SetLogger(&redisLogger) })
	if lg != nil {
		redisLogger.to.Store(lg)
	}
}

// scripts lists every script the store runs.
func scripts() []*redis.Script {
	return []*redis.Script{recordScript, lookupScript, takeDecryptScript, returnDecryptScript, deleteTokenScript, unlockScript,
		putTicketScript, lookupTicketScript, deleteTicketScript, userTicketsScript, deleteUserTicketsScript}
}

// LoadScripts loads the store's Lua scripts into Redis (on every master of
// a Cluster), so that the first call of each costs one round trip, not
// two (EVALSHA answered NOSCRIPT, then EVAL). Open calls it unless
// Options.SkipPing; without it, each script loads on its first use.
func (s *Store) LoadScripts(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	load := func(ctx context.Context, c redis.Scripter) error {
		for _, sc := range scripts() {
			if err := sc.Load(ctx, c).Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return wrapErr("loading scripts", cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return load(ctx, c) }))
	}
	return wrapErr("loading scripts", load(ctx, s.rdb))
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

// userTag is the hash tag of a user's keys: its session record and its
// tickets share one Redis Cluster hash slot, so that they are read in one
// command and every script touches one slot.
func userTag(id taro.SessionKeyID) string {
	return "{" + part(string(id.Platform)) + ":" + part(id.AppID) + ":" + part(id.OpenID) + "}"
}

func (s *Store) sessionKey(id taro.SessionKeyID) string {
	return s.opts.Prefix + "session:" + userTag(id)
}

func (s *Store) tokenKey(key string) string { return s.opts.Prefix + "token:{" + part(key) + "}" }
func (s *Store) tokenLockKey(key string) string {
	return s.opts.Prefix + "tokenlock:{" + part(key) + "}"
}

// A session record is stored as "<issued unix microseconds>:<hex
// fingerprint>:<seq>"; the issue time is the Redis server's and the seq
// the user's login sequence number (see taro.NextSeq).
func decodeSession(v string) (taro.SessionRecord, error) {
	ts, rest, ok := strings.Cut(v, ":")
	fp, seqText, _ := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || len(fp) != 64 {
		return taro.SessionRecord{}, errors.New("redisstore: malformed session record")
	}
	var rec taro.SessionRecord
	if _, err := hex.Decode(rec.Fingerprint[:], []byte(fp)); err != nil {
		return taro.SessionRecord{}, errors.New("redisstore: malformed session fingerprint")
	}
	if seqText != "" {
		if rec.Seq, err = strconv.ParseUint(seqText, 10, 64); err != nil {
			return taro.SessionRecord{}, errors.New("redisstore: malformed session sequence number")
		}
	}
	rec.IssuedAt = time.UnixMicro(n)
	return rec, nil
}

// recordScript records a login as the newest, in the order Redis receives
// them, stamped with the server's clock (TIME), never a replica's, and
// with the user's next sequence number: max(previous + 1, now in µs).
var recordScript = redis.NewScript(`
local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local prev = 0
local cur = redis.call('GET', KEYS[1])
if cur then
  local s = string.match(cur, '^%d+:%x+:(%d+)$')
  if s then prev = tonumber(s) end
end
local seq = math.max(prev + 1, us)
redis.call('SET', KEYS[1], string.format('%d', us) .. ':' .. ARGV[1] .. ':' .. string.format('%d', seq), 'PX', ARGV[2])
return {string.format('%d', us), string.format('%d', seq)}`)

// RecordSession implements taro.SessionStore. The record's IssuedAt is
// the Redis server's time and its Seq the user's next login number.
func (s *Store) RecordSession(ctx context.Context, id taro.SessionKeyID, rec taro.SessionRecord) (taro.SessionRecord, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := s.opts.SessionTTL.Milliseconds()
	v, err := recordScript.Run(ctx, s.rdb, []string{s.sessionKey(id)}, rec.Fingerprint.String(), ttl).StringSlice()
	if err != nil {
		return taro.SessionRecord{}, wrapErr("recording a session", err)
	}
	if len(v) != 2 {
		return taro.SessionRecord{}, errors.New("redisstore: the record script answered the wrong shape")
	}
	us, err1 := strconv.ParseInt(v[0], 10, 64)
	seq, err2 := strconv.ParseUint(v[1], 10, 64)
	if err1 != nil || err2 != nil {
		return taro.SessionRecord{}, errors.New("redisstore: the record script answered the wrong shape")
	}
	return taro.SessionRecord{Fingerprint: rec.Fingerprint, IssuedAt: time.UnixMicro(us), Seq: seq}, nil
}

// lookupScript reads a session record with the server's clock.
var lookupScript = redis.NewScript(`
local t = redis.call('TIME')
return {t[1], t[2], redis.call('GET', KEYS[1])}`)

// serverTime reads the seconds and microseconds of a TIME reply.
func serverTime(sec, usec any) (time.Time, bool) {
	a, ok1 := sec.(string)
	b, ok2 := usec.(string)
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return time.Time{}, false
	}
	return time.Unix(x, y*1000), true
}

// LookupSession implements taro.SessionStore in one script call that
// also reads the server's clock (the record's ReadAt).
func (s *Store) LookupSession(ctx context.Context, id taro.SessionKeyID) (taro.SessionRecord, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	v, err := lookupScript.Run(ctx, s.rdb, []string{s.sessionKey(id)}).Slice()
	if err != nil {
		return taro.SessionRecord{}, false, wrapErr("looking up a session", err)
	}
	if len(v) < 2 {
		return taro.SessionRecord{}, false, errors.New("redisstore: the lookup script answered the wrong shape")
	}
	now, ok := serverTime(v[0], v[1])
	if !ok {
		return taro.SessionRecord{}, false, errors.New("redisstore: the lookup script answered the wrong shape")
	}
	return sessionAt(at(v, 2), now)
}

// ForgetSession deletes id's session record, as an eviction would: the
// user's sessions then fail closed ("no login recorded") on every replica
// until the next login.
func (s *Store) ForgetSession(ctx context.Context, id taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return wrapErr("forgetting a session", s.rdb.Del(ctx, s.sessionKey(id)).Err())
}

func (s *Store) decryptKey(p taro.Platform, appID string, fp taro.Fingerprint) string {
	return s.opts.Prefix + "decrypt:{" + part(string(p)) + ":" + part(appID) + ":" + fp.String() + "}"
}

var takeDecryptScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`)

var returnDecryptScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 1`)

// TakeDecryptAttempt implements taro.DecryptLimiter: one script call, the
// count expiring with Redis's clock.
func (s *Store) TakeDecryptAttempt(ctx context.Context, p taro.Platform, appID string, fp taro.Fingerprint, limit int, window time.Duration) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	n, err := takeDecryptScript.Run(ctx, s.rdb, []string{s.decryptKey(p, appID, fp)}, limit, window.Milliseconds()).Int()
	if err != nil {
		return false, wrapErr("counting Decrypt failures", err)
	}
	return n == 1, nil
}

// ReturnDecryptAttempt implements taro.DecryptLimiter.
func (s *Store) ReturnDecryptAttempt(ctx context.Context, p taro.Platform, appID string, fp taro.Fingerprint) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return wrapErr("counting Decrypt failures", returnDecryptScript.Run(ctx, s.rdb, []string{s.decryptKey(p, appID, fp)}).Err())
}

// A token is stored as "<expires unix milliseconds>:<token>", or with
// Options.Secret as "<expires unix milliseconds>:s1:<tag>:<sealed>", where
// tag is a keyed hash of the token (for compare-and-delete without the
// token) and sealed is base64(nonce ‖ AES-256-GCM(token)) with the Redis
// key as associated data.
const sealedMark = "s1:"

// tag identifies a token in a sealed record without revealing it.
func (s *Store) tag(value string) string {
	m := hmac.New(sha256.New, s.opts.Secret)
	m.Write([]byte("taro redisstore token tag\x00"))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (s *Store) encodeToken(rkey string, t taro.StoredToken) string {
	exp := strconv.FormatInt(t.ExpiresAt.UnixMilli(), 10) + ":"
	if s.seal == nil {
		return exp + t.Value
	}
	nonce := make([]byte, s.seal.NonceSize(), s.seal.NonceSize()+len(t.Value)+s.seal.Overhead())
	_, _ = rand.Read(nonce)
	sealed := s.seal.Seal(nonce, nonce, []byte(t.Value), []byte(rkey))
	return exp + sealedMark + s.tag(t.Value) + ":" + base64.RawStdEncoding.EncodeToString(sealed)
}

func (s *Store) decodeToken(rkey, v string) (taro.StoredToken, error) {
	ms, rest, ok := strings.Cut(v, ":")
	n, perr := strconv.ParseInt(ms, 10, 64)
	if !ok || perr != nil || rest == "" {
		return taro.StoredToken{}, errors.New("redisstore: malformed token record")
	}
	if !strings.HasPrefix(rest, sealedMark) {
		if s.seal != nil {
			return taro.StoredToken{}, errors.New("redisstore: an unsealed token record where Options.Secret requires a sealed one")
		}
		return taro.StoredToken{Value: rest, ExpiresAt: time.UnixMilli(n)}, nil
	}
	if s.seal == nil {
		return taro.StoredToken{}, errors.New("redisstore: a sealed token record, but Options.Secret is not set")
	}
	_, b64, _ := strings.Cut(rest[len(sealedMark):], ":")
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < s.seal.NonceSize() {
		return taro.StoredToken{}, errors.New("redisstore: malformed sealed token record")
	}
	plain, err := s.seal.Open(nil, raw[:s.seal.NonceSize()], raw[s.seal.NonceSize():], []byte(rkey))
	if err != nil || len(plain) == 0 {
		return taro.StoredToken{}, errors.New("redisstore: a sealed token record that does not open with Options.Secret")
	}
	return taro.StoredToken{Value: string(plain), ExpiresAt: time.UnixMilli(n)}, nil
}

// Token implements taro.TokenStore.
func (s *Store) Token(ctx context.Context, key string) (taro.StoredToken, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	rkey := s.tokenKey(key)
	v, err := s.rdb.Get(ctx, rkey).Result()
	if errors.Is(err, redis.Nil) {
		return taro.StoredToken{}, false, nil
	}
	if err != nil {
		return taro.StoredToken{}, false, wrapErr("reading a token", err)
	}
	t, err := s.decodeToken(rkey, v)
	if err != nil {
		return taro.StoredToken{}, false, err
	}
	return t, true, nil
}

// SetToken implements taro.TokenStore; the key expires with the token.
func (s *Store) SetToken(ctx context.Context, key string, t taro.StoredToken) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := time.Until(t.ExpiresAt)
	if ttl < time.Millisecond {
		return nil // already stale: nothing worth sharing
	}
	rkey := s.tokenKey(key)
	return wrapErr("storing a token", s.rdb.Set(ctx, rkey, s.encodeToken(rkey, t), ttl).Err())
}

// deleteTokenScript deletes KEYS[1] if the token it holds is the one
// named: the whole remainder after the expiry equals ARGV[1] when ARGV[2]
// is "exact", or starts with ARGV[1] (a sealed record's mark and tag) when
// it is "prefix".
var deleteTokenScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, ':', 1, true)
  if sep then
    local rest = string.sub(cur, sep + 1)
    if (ARGV[2] == 'exact' and rest == ARGV[1]) or
       (ARGV[2] == 'prefix' and string.sub(rest, 1, string.len(ARGV[1])) == ARGV[1]) then
      return redis.call('DEL', KEYS[1])
    end
  end
end
return 0`)

// DeleteToken implements taro.TokenStore with a compare-and-delete.
func (s *Store) DeleteToken(ctx context.Context, key, value string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	match, mode := value, "exact"
	if s.seal != nil {
		match, mode = sealedMark+s.tag(value)+":", "prefix"
	}
	return wrapErr("dropping a token", deleteTokenScript.Run(ctx, s.rdb, []string{s.tokenKey(key)}, match, mode).Err())
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
