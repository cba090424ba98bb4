package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/tarogo/adapter/taro"
)

// A session record is the field "s" of the user's hash:
// "<issued unix µs>:<seq - issued>:<expiry ms - issued ms>:<fingerprint,
// 32 bytes>", every value of a small hash within Redis's listpack limit
// (hash-max-listpack-value, 64 bytes); the issue time and expiry are the
// Redis server's and the seq the user's login sequence number (see
// taro.NextSeq). The previous release kept it under its own key as
// "<issued µs>:<hex fingerprint>:<seq>" (the key's TTL its expiry); it is
// read where the user's hash has none.
func decodeSession(v string) (taro.SessionRecord, time.Time, error) {
	var rec taro.SessionRecord
	p0, r0, ok0 := strings.Cut(v, ":")
	p1, r1, ok1 := strings.Cut(r0, ":")
	p2, fp, ok2 := strings.Cut(r1, ":")
	if ok0 && ok1 && ok2 && len(fp) == len(rec.Fingerprint) {
		us, ok0 := digits(p0)
		ds, ok1 := digits(p1)
		de, ok2 := digits(p2)
		if !ok0 || !ok1 || !ok2 {
			return taro.SessionRecord{}, time.Time{}, errors.New("redisstore: malformed session record")
		}
		copy(rec.Fingerprint[:], fp)
		rec.IssuedAt, rec.Seq = time.UnixMicro(us), uint64(us)+uint64(ds)
		return rec, time.UnixMilli(us/1000 + de), nil
	}
	ts, rest, ok := strings.Cut(v, ":")
	fp, seqText, _ := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || len(fp) != 64 {
		return taro.SessionRecord{}, time.Time{}, errors.New("redisstore: malformed session record")
	}
	if _, err := hex.Decode(rec.Fingerprint[:], []byte(fp)); err != nil {
		return taro.SessionRecord{}, time.Time{}, errors.New("redisstore: malformed session fingerprint")
	}
	if seqText != "" {
		if rec.Seq, err = strconv.ParseUint(seqText, 10, 64); err != nil {
			return taro.SessionRecord{}, time.Time{}, errors.New("redisstore: malformed session sequence number")
		}
	}
	rec.IssuedAt = time.UnixMicro(n)
	return rec, time.Time{}, nil
}

// luaUser is the Lua the scripts on a user's hash share: the clock, the
// user's session record (the hash's, else the previous release's key)
// and its seq, and extending the hash's lifetime.
const luaUser = `
local t = redis.call('TIME')
local nowus = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(nowus / 1000)
local function session(hash, old)
  local v = redis.call('HGET', hash, 's')
  if v then
    local us, ds, de = string.match(v, '^(%d+):(%d+):(%d+):')
    if us and math.floor(tonumber(us) / 1000) + tonumber(de) <= now then return false end
    return v
  end
  return redis.call('GET', old)
end
local function sessSeq(v)
  if not v then return nil end
  local us, ds = string.match(v, '^(%d+):(%d+):%d+:')
  if us then return tonumber(us) + tonumber(ds) end
  return tonumber(string.match(v, '^%d+:%x+:(%d+)$'))
end
local function extend(key, px)
  local cur = redis.call('PTTL', key)
  if cur == -1 or cur < px then redis.call('PEXPIRE', key, px) end
end
`

// recordScript records a login as the newest, in the order Redis receives
// them, stamped with the server's clock (TIME), never a replica's, and
// with the user's next sequence number: max(previous + 1, now in µs).
var recordScript = newScript(luaUser + `
local us = nowus
local prev = sessSeq(redis.call('HGET', KEYS[1], 's') or redis.call('GET', KEYS[2])) or 0
local seq = math.max(prev + 1, us)
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 's', string.format('%d:%d:%d:', us, seq - us, now + ttl - math.floor(us / 1000)) .. ARGV[1])
extend(KEYS[1], ttl)
return {string.format('%d', us), string.format('%d', seq)}`)

// RecordSession implements taro.SessionStore. The record's IssuedAt is
// the Redis server's time and its Seq the user's next login number.
func (s *Store) RecordSession(ctx context.Context, id taro.SessionKeyID, rec taro.SessionRecord) (taro.SessionRecord, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := s.opts.SessionTTL.Milliseconds()
	t0 := time.Now()
	// A login supersedes the user's earlier tickets: a revocation.
	r, err := s.revoke(ctx, recordScript, []string{s.userKey(id), s.sessionKey(id)}, string(rec.Fingerprint[:]), strconv.FormatInt(ttl, 10))
	t1 := time.Now()
	if err != nil {
		return taro.SessionRecord{}, wrapErr("recording a session", err)
	}
	v, err := r.AsStrSlice()
	if err != nil || len(v) != 2 {
		return taro.SessionRecord{}, errors.New("redisstore: the record script answered the wrong shape")
	}
	us, err1 := strconv.ParseInt(v[0], 10, 64)
	seq, err2 := strconv.ParseUint(v[1], 10, 64)
	if err1 != nil || err2 != nil {
		return taro.SessionRecord{}, errors.New("redisstore: the record script answered the wrong shape")
	}
	s.clock.note(time.UnixMicro(us), t0, t1)
	return taro.SessionRecord{Fingerprint: rec.Fingerprint, IssuedAt: time.UnixMicro(us), Seq: seq}, nil
}

// lookupScript reads a session record with the server's clock.
var lookupScript = newScript(luaUser + `
return {t[1], t[2], session(KEYS[1], KEYS[2])}`)

// serverTime reads the seconds and microseconds of a TIME reply.
func serverTime(sec, usec string) (time.Time, bool) {
	x, err1 := strconv.ParseInt(sec, 10, 64)
	y, err2 := strconv.ParseInt(usec, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, false
	}
	return time.Unix(x, y*1000), true
}

// reply is a script's array reply: strings, and nil for Redis's nil.
func reply(r rueidis.RedisResult) ([]any, error) {
	arr, err := r.ToArray()
	if err != nil {
		return nil, err
	}
	out := make([]any, len(arr))
	for i, m := range arr {
		if str, err := m.ToString(); err == nil {
			out[i] = str
		} else if n, err := m.AsInt64(); err == nil {
			out[i] = strconv.FormatInt(n, 10)
		}
	}
	return out, nil
}

// LookupSession implements taro.SessionStore. Cached: the record from the
// replica's memory (0 round trips when warm), read at Redis's clock as the
// replica knows it. Uncached: one script that also reads Redis's TIME.
func (s *Store) LookupSession(ctx context.Context, id taro.SessionKeyID) (taro.SessionRecord, bool, error) {
	ctx, cancel := s.readBound(ctx, false)
	defer cancel()
	return s.lookupSession(ctx, id, s.cached)
}

// LookupSessionFresh implements taro.CachingSessionStore: LookupSession
// past the cache, one script call that also reads Redis's TIME.
func (s *Store) LookupSessionFresh(ctx context.Context, id taro.SessionKeyID) (taro.SessionRecord, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.lookupSession(ctx, id, false)
}

func (s *Store) lookupSession(ctx context.Context, id taro.SessionKeyID, cached bool) (taro.SessionRecord, bool, error) {
	if cached {
		c, err := s.client(ctx)
		if err != nil {
			return taro.SessionRecord{}, false, wrapErr("looking up a session", err)
		}
		if err := s.alive(ctx); err != nil {
			return taro.SessionRecord{}, false, wrapErr("looking up a session", err)
		}
		v, err := c.DoCache(ctx, c.B().Hget().Key(s.userKey(id)).Field("s").Cache(), s.opts.CacheTTL).ToString()
		if rueidis.IsRedisNil(err) {
			// Read old: the previous release's record.
			v, err = c.DoCache(ctx, c.B().Get().Key(s.sessionKey(id)).Cache(), s.opts.CacheTTL).ToString()
		}
		if err != nil && !rueidis.IsRedisNil(err) {
			return taro.SessionRecord{}, false, wrapErr("looking up a session", err)
		}
		now, cerr := s.now(ctx)
		if cerr != nil {
			return taro.SessionRecord{}, false, wrapErr("reading Redis's clock", cerr)
		}
		if rueidis.IsRedisNil(err) {
			return taro.SessionRecord{Cached: true}, false, nil
		}
		rec, found, err := sessionAt(v, now)
		rec.Cached = true
		return rec, found, err
	}
	r, err := s.run(ctx, lookupScript, false, []string{s.userKey(id), s.sessionKey(id)})
	if err != nil {
		return taro.SessionRecord{}, false, wrapErr("looking up a session", err)
	}
	v, err := reply(r)
	if err != nil || len(v) < 2 {
		return taro.SessionRecord{}, false, errors.New("redisstore: the lookup script answered the wrong shape")
	}
	a, _ := v[0].(string)
	b, _ := v[1].(string)
	now, ok := serverTime(a, b)
	if !ok {
		return taro.SessionRecord{}, false, errors.New("redisstore: the lookup script answered the wrong shape")
	}
	return sessionAt(at(v, 2), now)
}

var forgetScript = newScript(`redis.call('HDEL', KEYS[1], 's')
return redis.call('DEL', KEYS[2])`)

// ForgetSession deletes id's session record, as an eviction would: the
// user's sessions then fail closed ("no login recorded") on every replica
// until the next login.
func (s *Store) ForgetSession(ctx context.Context, id taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.revoke(ctx, forgetScript, []string{s.userKey(id), s.sessionKey(id)})
	return wrapErr("forgetting a session", err)
}

func (s *Store) decryptKey(p taro.Platform, appID string, fp taro.Fingerprint) string {
	return s.opts.Prefix + "decrypt:{" + part(string(p)) + ":" + part(appID) + ":" + fp.String() + "}"
}

var takeDecryptScript = newScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`)

var returnDecryptScript = newScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 1`)

// TakeDecryptAttempt implements taro.DecryptLimiter: one script call, the
// count expiring with Redis's clock.
func (s *Store) TakeDecryptAttempt(ctx context.Context, p taro.Platform, appID string, fp taro.Fingerprint, limit int, window time.Duration) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	r, err := s.run(ctx, takeDecryptScript, false, []string{s.decryptKey(p, appID, fp)}, strconv.Itoa(limit), strconv.FormatInt(window.Milliseconds(), 10))
	if err != nil {
		return false, wrapErr("counting Decrypt failures", err)
	}
	n, err := r.AsInt64()
	if err != nil {
		return false, wrapErr("counting Decrypt failures", err)
	}
	return n == 1, nil
}

// ReturnDecryptAttempt implements taro.DecryptLimiter.
func (s *Store) ReturnDecryptAttempt(ctx context.Context, p taro.Platform, appID string, fp taro.Fingerprint) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.run(ctx, returnDecryptScript, false, []string{s.decryptKey(p, appID, fp)})
	return wrapErr("counting Decrypt failures", err)
}

var resetDecryptScript = newScript(`return redis.call('DEL', KEYS[1])`)

// ResetDecryptAttempts implements taro.DecryptBudgetResetter: a login
// that records the key gives it a fresh budget.
func (s *Store) ResetDecryptAttempts(ctx context.Context, p taro.Platform, appID string, fp taro.Fingerprint) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.run(ctx, resetDecryptScript, false, []string{s.decryptKey(p, appID, fp)})
	return wrapErr("resetting a Decrypt budget", err)
}

func (s *Store) envelopeKey(p taro.Platform, appID string, digest [32]byte) string {
	return s.opts.Prefix + "envelope:{" + part(string(p)) + ":" + part(appID) + ":" + hex.EncodeToString(digest[:]) + "}"
}

// claimScript gives an envelope to the first owner (SET NX with its
// lifetime) and reports whether ARGV[1] holds it.
var claimScript = newScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  if cur == ARGV[1] then return 1 end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`)

// ClaimEnvelope implements taro.EnvelopeClaimer: one script call, so that
// of concurrent claims on any replicas exactly one owner wins.
func (s *Store) ClaimEnvelope(ctx context.Context, p taro.Platform, appID string, digest [32]byte, owner string, ttl time.Duration) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	r, err := s.run(ctx, claimScript, false, []string{s.envelopeKey(p, appID, digest)}, owner, strconv.FormatInt(ttl.Milliseconds(), 10))
	if err != nil {
		return false, wrapErr("claiming an envelope", err)
	}
	n, err := r.AsInt64()
	if err != nil {
		return false, wrapErr("claiming an envelope", err)
	}
	return n == 1, nil
}
