package redisstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/tarogo/adapter/taro"
)

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

// Token implements taro.TokenStore: cached, a warm read makes no round
// trip, and any replica's write of the token drops every copy.
func (s *Store) Token(ctx context.Context, key string) (taro.StoredToken, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	c, err := s.client(ctx)
	if err != nil {
		return taro.StoredToken{}, false, wrapErr("reading a token", err)
	}
	rkey := s.tokenKey(key)
	var v string
	if s.cached {
		if err := s.alive(ctx); err != nil {
			return taro.StoredToken{}, false, wrapErr("reading a token", err)
		}
		v, err = c.DoCache(ctx, c.B().Get().Key(rkey).Cache(), s.opts.CacheTTL).ToString()
	} else {
		v, err = c.Do(ctx, c.B().Get().Key(rkey).Build()).ToString()
	}
	if rueidis.IsRedisNil(err) {
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

var setTokenScript = newScript(`return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`)

// SetToken implements taro.TokenStore; the key expires with the token.
func (s *Store) SetToken(ctx context.Context, key string, t taro.StoredToken) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := time.Until(t.ExpiresAt)
	if ttl < time.Millisecond {
		return nil // already stale: nothing worth sharing
	}
	rkey := s.tokenKey(key)
	_, err := s.run(ctx, setTokenScript, true, []string{rkey}, s.encodeToken(rkey, t), strconv.FormatInt(ttl.Milliseconds(), 10))
	return wrapErr("storing a token", err)
}

// deleteTokenScript deletes KEYS[1] if the token it holds is the one
// named: the whole remainder after the expiry equals ARGV[1] when ARGV[2]
// is "exact", or starts with ARGV[1] (a sealed record's mark and tag) when
// it is "prefix".
var deleteTokenScript = newScript(`
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
	_, err := s.run(ctx, deleteTokenScript, true, []string{s.tokenKey(key)}, match, mode)
	return wrapErr("dropping a token", err)
}

// unlockScript releases a lock only for the holder that took it.
var unlockScript = newScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// LockToken implements taro.TokenLocker with SET NX PX and a random owner
// id; the lock expires after ttl even if its holder dies.
func (s *Store) LockToken(ctx context.Context, key string, ttl time.Duration) (func(context.Context), bool, error) {
	bctx, cancel := s.bound(ctx)
	defer cancel()
	c, err := s.client(ctx)
	if err != nil {
		return nil, false, wrapErr("taking the token lock", err)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	owner := hex.EncodeToString(b)
	lk := s.tokenLockKey(key)
	err = c.Do(bctx, c.B().Set().Key(lk).Value(owner).Nx().PxMilliseconds(max(ttl.Milliseconds(), 1)).Build()).Error()
	if rueidis.IsRedisNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrapErr("taking the token lock", err)
	}
	unlock := func(ctx context.Context) {
		ctx, cancel := s.bound(ctx)
		defer cancel()
		_, _ = s.run(ctx, unlockScript, false, []string{lk}, owner)
	}
	return unlock, true, nil
}
