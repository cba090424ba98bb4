package redisstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/taro"
)

var _ login.Store = (*Store)(nil)

// A user's login keys share the user's hash slot ({<user>}), beside the
// user's session record, so that every script touches one slot:
//
//	<prefix>ticket:{<user>}:<hex SHA-256 of the ticket>  the ticket record (PX: its TTL)
//	<prefix>tickets:{<user>}  a sorted set of the user's ticket ids, by login Seq
//	<prefix>used:{<user>}     a hash of each ticket's last use (ms, Redis's clock)
func (s *Store) ticketPrefix(u taro.SessionKeyID) string {
	return s.opts.Prefix + "ticket:" + userTag(u) + ":"
}

func (s *Store) ticketKey(id login.TicketID, u taro.SessionKeyID) string {
	return s.ticketPrefix(u) + hex.EncodeToString(id[:])
}

func (s *Store) indexKey(u taro.SessionKeyID) string { return s.opts.Prefix + "tickets:" + userTag(u) }
func (s *Store) usedKey(u taro.SessionKeyID) string  { return s.opts.Prefix + "used:" + userTag(u) }

// ticketJSON is a ticket record as stored: the user, the sealed session
// key and the times; never the ticket or the key in clear.
type ticketJSON struct {
	Platform  string `json:"p"`
	AppID     string `json:"a"`
	OpenID    string `json:"o"`
	UnionID   string `json:"u,omitempty"`
	SealedKey []byte `json:"k"`
	Seq       uint64 `json:"s"`
	IssuedAt  int64  `json:"i"`
	ExpiresAt int64  `json:"e"`
}

// ticketMemo remembers decoded ticket records by their stored text, so
// that a warm lookup, whose text comes from the client-side cache, does
// not decode JSON again. It holds at most maxTicketMemo records (it is
// cleared when full); the text holds no secret in clear.
type ticketMemo struct {
	mu sync.RWMutex
	m  map[string]ticketJSON
}

const maxTicketMemo = 16384

func (tm *ticketMemo) decode(v string) (ticketJSON, error) {
	tm.mu.RLock()
	t, ok := tm.m[v]
	tm.mu.RUnlock()
	if ok {
		return t, nil
	}
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return ticketJSON{}, errors.New("redisstore: malformed ticket record")
	}
	tm.mu.Lock()
	if len(tm.m) >= maxTicketMemo || tm.m == nil {
		tm.m = make(map[string]ticketJSON)
	}
	tm.m[v] = t
	tm.mu.Unlock()
	return t, nil
}

func (s *Store) decodeTicket(v string, used any) (login.TicketRecord, error) {
	t, err := s.memo.decode(v)
	if err != nil {
		return login.TicketRecord{}, err
	}
	rec := login.TicketRecord{User: taro.SessionKeyID{Platform: taro.Platform(t.Platform), AppID: t.AppID, OpenID: t.OpenID},
		UnionID: t.UnionID, SealedKey: bytes.Clone(t.SealedKey), Seq: t.Seq, IssuedAt: time.UnixMilli(t.IssuedAt), ExpiresAt: time.UnixMilli(t.ExpiresAt)}
	rec.LastUsed = rec.IssuedAt
	if u, ok := used.(string); ok {
		if ms, err := strconv.ParseInt(u, 10, 64); err == nil {
			rec.LastUsed = time.UnixMilli(ms)
		}
	}
	return rec, nil
}

// putTicketScript stores a ticket with the time left by Redis's clock,
// indexes it by Seq and ends the oldest beyond ARGV[3] (at most
// login.MaxPerUserLimit): it touches only the members it ends, never
// every session of the user. Tickets live a fixed TTL from login, so the
// lowest Seqs expire first, and an expired member is among the first
// ended.
var putTicketScript = newScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local px = tonumber(ARGV[2]) - now
if px < 1 then return redis.error_reply('the ticket has already expired') end
redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[6])
local n = redis.call('ZCARD', KEYS[2])
local keep = tonumber(ARGV[3])
if n > keep then
  for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, n - keep - 1)) do
    redis.call('DEL', ARGV[7] .. m)
    redis.call('ZREM', KEYS[2], m)
    redis.call('HDEL', KEYS[3], m)
  end
end
if redis.call('PTTL', KEYS[2]) < px then
  redis.call('PEXPIRE', KEYS[2], px)
  redis.call('PEXPIRE', KEYS[3], px)
end
return 1`)

// PutTicket implements login.Store: one script call.
func (s *Store) PutTicket(ctx context.Context, id login.TicketID, rec login.TicketRecord, keep int) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	b, _ := json.Marshal(ticketJSON{Platform: string(rec.User.Platform), AppID: rec.User.AppID, OpenID: rec.User.OpenID,
		UnionID: rec.UnionID, SealedKey: rec.SealedKey, Seq: rec.Seq, IssuedAt: rec.IssuedAt.UnixMilli(), ExpiresAt: rec.ExpiresAt.UnixMilli()})
	u := rec.User
	tid := hex.EncodeToString(id[:])
	_, err := s.run(ctx, putTicketScript, true, []string{s.ticketKey(id, u), s.indexKey(u), s.usedKey(u)},
		string(b), ms(rec.ExpiresAt), strconv.Itoa(max(keep, 1)), tid, strconv.FormatUint(rec.Seq, 10), ms(rec.LastUsed), s.ticketPrefix(u))
	return wrapErr("storing a ticket", err)
}

// lookupTicketScript reads a ticket, its last use, the user's session
// record and (ARGV[4] = 1) the user's newest other ticket, with Redis's
// clock; it records the last use when it is at least ARGV[2] ms old and
// the ticket is not idle (ARGV[3] ms, 0 for none).
var lookupTicketScript = newScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tk = redis.call('GET', KEYS[1])
if not tk then return {tostring(now)} end
local ss = redis.call('GET', KEYS[2])
local used = redis.call('HGET', KEYS[3], ARGV[1])
local touch, idle = tonumber(ARGV[2]), tonumber(ARGV[3])
if touch > 0 and used then
  local age = now - tonumber(used)
  if age >= touch and (idle <= 0 or age < idle) then
    redis.call('HSET', KEYS[3], ARGV[1], tostring(now))
    used = tostring(now)
  end
end
local nid, ntk, nused = false, false, false
if ARGV[4] == '1' then
  local top = redis.call('ZRANGE', KEYS[4], -1, -1)
  if top[1] and top[1] ~= ARGV[1] then
    nid = top[1]
    ntk = redis.call('GET', ARGV[5] .. nid)
    nused = redis.call('HGET', KEYS[3], nid)
  end
end
return {tostring(now), tk, ss, used, nid, ntk, nused, redis.call('HGET', KEYS[3], 'lo')}`)

func msTime(v any) (time.Time, bool) {
	str, ok := v.(string)
	ms, err := strconv.ParseInt(str, 10, 64)
	if !ok || err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// LookupTicket implements login.Store. Cached: the ticket, its last use,
// the user's session record and (q.Newest) the user's newest ticket from
// the replica's memory, read at Redis's clock as the replica knows it: 0
// round trips when warm; a touch of the last use (at most once per
// q.TouchAfter) is one. Uncached: one script call (one hash slot, one
// round trip) that reads Redis's TIME and touches in the same step.
func (s *Store) LookupTicket(ctx context.Context, id login.TicketID, u taro.SessionKeyID, q login.Query) (login.Lookup, error) {
	ctx, cancel := s.readBound(ctx, q.Fresh)
	defer cancel()
	if s.cached && !q.Fresh {
		l, err := s.lookupCached(ctx, id, u, q)
		if err != nil {
			return login.Lookup{}, wrapErr("looking up a ticket", err)
		}
		return l, nil
	}
	newest := "0"
	if q.Newest {
		newest = "1"
	}
	tid := hex.EncodeToString(id[:])
	r, err := s.run(ctx, lookupTicketScript, false, []string{s.ticketKey(id, u), s.sessionKey(u), s.usedKey(u), s.indexKey(u)},
		tid, strconv.FormatInt(q.TouchAfter.Milliseconds(), 10), strconv.FormatInt(q.Idle.Milliseconds(), 10), newest, s.ticketPrefix(u))
	if err != nil {
		return login.Lookup{}, wrapErr("looking up a ticket", err)
	}
	v, err := reply(r)
	if err != nil {
		return login.Lookup{}, wrapErr("looking up a ticket", err)
	}
	var l login.Lookup
	now, ok := msTime(at(v, 0))
	if !ok {
		return login.Lookup{}, errors.New("redisstore: the ticket lookup answered the wrong shape")
	}
	l.Now = now
	tk, ok := at(v, 1).(string)
	if !ok {
		return l, nil
	}
	if l.Ticket, err = s.decodeTicket(tk, at(v, 3)); err != nil {
		return login.Lookup{}, err
	}
	l.Found = true
	if l.Session, l.SessionFound, err = sessionAt(at(v, 2), now); err != nil {
		return login.Lookup{}, err
	}
	l.LoggedOutBefore = watermark(at(v, 7))
	if _, ok := at(v, 5).(string); ok {
		st, err := s.storedTicket(at(v, 4), at(v, 5), at(v, 6))
		if err == nil && now.Before(st.Ticket.ExpiresAt) && st.Ticket.Seq > l.Ticket.Seq {
			l.Newest, l.NewestFound = st, true
		}
	}
	return l, nil
}

// sessionAt decodes a session record a script read (nil when there was
// none), read at the server's time now.
func sessionAt(v any, now time.Time) (taro.SessionRecord, bool, error) {
	ss, ok := v.(string)
	if !ok {
		return taro.SessionRecord{}, false, nil
	}
	rec, err := decodeSession(ss)
	if err != nil {
		return taro.SessionRecord{}, false, err
	}
	rec.ReadAt = now
	return rec, true, nil
}

// storedTicket decodes a ticket id (hex), record and last use a script
// read.
func (s *Store) storedTicket(id, record, used any) (login.StoredTicket, error) {
	var st login.StoredTicket
	nid, _ := id.(string)
	tk, _ := record.(string)
	raw, herr := hex.DecodeString(nid)
	rec, derr := s.decodeTicket(tk, used)
	if herr != nil || derr != nil || len(raw) != len(st.ID) {
		return st, errors.New("redisstore: malformed ticket record")
	}
	copy(st.ID[:], raw)
	st.Ticket = rec
	return st, nil
}

func at(v []any, i int) any {
	if i < len(v) {
		return v[i]
	}
	return nil
}

var deleteTicketScript = newScript(`
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1`)

// DeleteTicket implements login.Store.
func (s *Store) DeleteTicket(ctx context.Context, id login.TicketID, u taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.revoke(ctx, deleteTicketScript, []string{s.ticketKey(id, u), s.indexKey(u), s.usedKey(u)}, hex.EncodeToString(id[:]))
	return wrapErr("deleting a ticket", err)
}

// userTicketsScript returns the clock, the session record, then id,
// record and last use of each of the user's tickets.
var userTicketsScript = newScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {tostring(now), redis.call('GET', KEYS[2]), redis.call('HGET', KEYS[3], 'lo')}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local tk = redis.call('GET', ARGV[1] .. m)
  if tk then
    table.insert(out, m)
    table.insert(out, tk)
    table.insert(out, redis.call('HGET', KEYS[3], m))
  end
end
return out`)

// UserTickets implements login.Store with one script call.
func (s *Store) UserTickets(ctx context.Context, u taro.SessionKeyID) (login.UserLookup, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	r, err := s.run(ctx, userTicketsScript, false, []string{s.indexKey(u), s.sessionKey(u), s.usedKey(u)}, s.ticketPrefix(u))
	if err != nil {
		return login.UserLookup{}, wrapErr("listing tickets", err)
	}
	v, err := reply(r)
	if err != nil {
		return login.UserLookup{}, wrapErr("listing tickets", err)
	}
	var out login.UserLookup
	now, ok := msTime(at(v, 0))
	if !ok {
		return out, errors.New("redisstore: the ticket listing answered the wrong shape")
	}
	out.Now = now
	if out.Session, out.SessionFound, err = sessionAt(at(v, 1), now); err != nil {
		return login.UserLookup{}, err
	}
	out.LoggedOutBefore = watermark(at(v, 2))
	for i := 3; i+1 < len(v); i += 3 {
		st, err := s.storedTicket(v[i], v[i+1], at(v, i+2))
		if err != nil {
			return login.UserLookup{}, err
		}
		out.Tickets = append(out.Tickets, st)
	}
	return out, nil
}

// deleteUserTicketsScript ends every ticket of the user and raises the
// user's LogoutAll watermark (the field "lo" of the used hash) to the Seq
// of the user's session record (KEYS[3]), kept ARGV[2] ms at least; a
// ticket stored later extends the hash to its own lifetime.
var deleteUserTicketsScript = newScript(`
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', ARGV[1] .. m)
end
local lo = redis.call('HGET', KEYS[2], 'lo')
redis.call('DEL', KEYS[1], KEYS[2])
local cur = redis.call('GET', KEYS[3])
local seq = cur and string.match(cur, '^%d+:%x+:(%d+)$')
local mark = lo
if seq and (not lo or tonumber(seq) > tonumber(lo)) then mark = seq end
if mark then
  redis.call('HSET', KEYS[2], 'lo', mark)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1`)

// DeleteUserTickets implements login.Store: one script call ends every
// ticket of the user for every replica.
func (s *Store) DeleteUserTickets(ctx context.Context, u taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.revoke(ctx, deleteUserTicketsScript, []string{s.indexKey(u), s.usedKey(u), s.sessionKey(u)}, s.ticketPrefix(u),
		strconv.FormatInt(s.opts.SessionTTL.Milliseconds(), 10))
	return wrapErr("deleting a user's tickets", err)
}
