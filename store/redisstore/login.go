package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/taro"
)

var _ login.Store = (*Store)(nil)

// A user is one hash, <prefix>u:{<user>}, in the user's own Cluster hash
// slot. Every field and value stays within Redis's listpack limit (64
// bytes), so that a user with a few tickets is one listpack:
//
//	s      the session record (session.go)
//	lo     the LogoutAll watermark: tickets of logins at or below it are refused
//	un     the user's unionid, when the platform gave one
//	n      the newest ticket's id, while the user holds two or more
//	<id>   a ticket: "<seq>:<issued ms>:<expires ms>:<last use ms>"; its id
//	       is SHA-256 of the ticket (32 bytes)
//	<id16>k  the ticket's sealed session key (AES-256-GCM); id16 is the
//	       first 16 bytes of the id
//
// The hash lives as long as its longest-lived field; expired tickets are
// dropped on the next login of the user. The previous release kept four
// keys per user (session:{u}, ticket:{u}:<hex id>, tickets:{u}, used:{u});
// they are read until they expire, and a login moves the user's into the
// hash (read old, write new).
// field is a ticket's field in its user's hash; sealedField holds its
// sealed key.
func field(id login.TicketID) string { return string(id[:]) }

func sealedField(field string) string { return field[:min(16, len(field))] + "k" }

// fields is field(id) and sealedField of it, in one allocation (the warm
// path's).
func fields(id login.TicketID) (f, sealed string) {
	var b strings.Builder
	b.Grow(len(id) + 17)
	b.Write(id[:])
	b.Write(id[:16])
	b.WriteByte('k')
	both := b.String()
	return both[:len(id)], both[len(id):]
}

// digits parses a non-negative decimal without strconv's error values
// (the warm path's): false for anything else, or more than 18 digits.
func digits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// encodeTimes is a ticket's field value: never the ticket or the key in
// clear; the user is the hash's.
func encodeTimes(rec login.TicketRecord) string {
	b := make([]byte, 0, 64)
	b = strconv.AppendUint(b, rec.Seq, 10)
	for _, t := range []time.Time{rec.IssuedAt, rec.ExpiresAt, rec.LastUsed} {
		b = append(b, ':')
		b = strconv.AppendInt(b, t.UnixMilli(), 10)
	}
	return string(b)
}

var errMalformedTicket = errors.New("redisstore: malformed ticket record")

// decodeTicket reads a ticket's fields, u's.
func decodeTicket(times, sealed, unionID string, u taro.SessionKeyID) (login.TicketRecord, error) {
	if sealed == "" {
		return login.TicketRecord{}, errMalformedTicket
	}
	rec := login.TicketRecord{User: u, UnionID: unionID, SealedKey: []byte(sealed)}
	seq, rest, ok := strings.Cut(times, ":")
	n, okSeq := digits(seq)
	if !ok || !okSeq {
		return login.TicketRecord{}, errMalformedTicket
	}
	rec.Seq = uint64(n)
	for i, t := range [3]*time.Time{&rec.IssuedAt, &rec.ExpiresAt, &rec.LastUsed} {
		var part string
		if i < 2 {
			if part, rest, ok = strings.Cut(rest, ":"); !ok {
				return login.TicketRecord{}, errMalformedTicket
			}
		} else {
			part = rest
		}
		ms, ok := digits(part)
		if !ok {
			return login.TicketRecord{}, errMalformedTicket
		}
		*t = time.UnixMilli(ms)
	}
	return rec, nil
}

// luaTickets is the Lua of the scripts that walk a user's tickets (after
// luaUser): a ticket's field name is its 32-byte id.
const luaTickets = `
local function tparse(v)
  local seq, iss, exp, used = string.match(v, '^(%d+):(%d+):(%d+):(%d+)$')
  return tonumber(seq), tonumber(exp), tonumber(used)
end
local function kf(id) return string.sub(id, 1, 16) .. 'k' end
local function drop(hash, id) redis.call('HDEL', hash, id, kf(id)) end
-- live lists the hash's live tickets {id, seq}, newest first (first, of
-- equal ones, the ticket first: the one just stored); drop removes the
-- expired ones.
local function live(hash, dropExpired, first)
  local out = {}
  local all = redis.call('HGETALL', hash)
  for i = 1, #all, 2 do
    if #all[i] == 32 then
      local seq, exp = tparse(all[i + 1])
      if seq and exp > now then
        table.insert(out, {all[i], seq})
      elseif dropExpired then
        drop(hash, all[i])
      end
    end
  end
  table.sort(out, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] == first and b[1] ~= first) end)
  return out
end
local function setNewest(hash, l)
  if #l >= 2 then redis.call('HSET', hash, 'n', l[1][1]) else redis.call('HDEL', hash, 'n') end
end
local function maxnum(a, b)
  if a and (not b or tonumber(a) > tonumber(b)) then return tonumber(a) end
  return tonumber(b)
end
`

// putTicketScript stores a ticket in its user's hash with the time left
// by Redis's clock, moves the previous release's records in, drops the
// expired tickets and all but the ARGV[4] newest (at most
// login.MaxPerUserLimit), and notes the newest.
var putTicketScript = newScript(luaUser + luaTickets + luaMigrate + `
local px = tonumber(ARGV[3]) - now
if px < 1 then return redis.error_reply('the ticket has already expired') end
migrate(KEYS[1], KEYS[2], KEYS[3], ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], kf(ARGV[1]), ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'un', ARGV[7]) end
local l = live(KEYS[1], true, ARGV[1])
local keep = tonumber(ARGV[4])
local kept = {}
for i, t in ipairs(l) do
  if i <= keep then table.insert(kept, t) else drop(KEYS[1], t[1]) end
end
setNewest(KEYS[1], kept)
extend(KEYS[1], px)
return 1`)

// PutTicket implements login.Store: one script call.
func (s *Store) PutTicket(ctx context.Context, id login.TicketID, rec login.TicketRecord, keep int) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	u := rec.User
	_, err := s.run(ctx, putTicketScript, true, []string{s.userKey(u), s.indexKey(u), s.usedKey(u)},
		field(id), encodeTimes(rec), ms(rec.ExpiresAt), strconv.Itoa(max(keep, 1)), s.ticketPrefix(u), string(rec.SealedKey), rec.UnionID)
	return wrapErr("storing a ticket", err)
}

// lookupTicketScript reads a ticket (ARGV[1] its field, ARGV[6] its hex
// id), the user's session record and LogoutAll watermark and (ARGV[4] =
// 1) the user's newest other ticket, with Redis's clock; it records the
// last use when it is at least ARGV[2] ms old and the ticket is not idle
// (ARGV[3] ms, 0 for none). A ticket of the previous release is read
// from its own keys. The reply: now, the kind ('n' new, 'o' old, false
// none), the record, the session record, the watermark, the sealed key
// (new) or the last use (old), the unionid (new), then the newest other
// ticket's id, record and sealed key (new) or last use (old).
var lookupTicketScript = newScript(luaUser + luaTickets + `
local sess = session(KEYS[1], KEYS[2])
local lo = maxnum(redis.call('HGET', KEYS[1], 'lo'), redis.call('HGET', KEYS[4], 'lo'))
if lo then lo = string.format('%d', lo) else lo = false end
local touch, idle = tonumber(ARGV[2]), tonumber(ARGV[3])
local function touched(used)
  if touch <= 0 or not used then return false end
  local age = now - tonumber(used)
  return age >= touch and (idle <= 0 or age < idle)
end
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local seq, iss, exp, used = string.match(v, '^(%d+):(%d+):(%d+):(%d+)$')
  if touched(used) then
    v = seq .. ':' .. iss .. ':' .. exp .. ':' .. string.format('%d', now)
    redis.call('HSET', KEYS[1], ARGV[1], v)
  end
  local nid, nv, nk = false, false, false
  if ARGV[4] == '1' then
    nid = redis.call('HGET', KEYS[1], 'n')
    if nid and nid ~= ARGV[1] then
      nv = redis.call('HGET', KEYS[1], nid)
      nk = redis.call('HGET', KEYS[1], kf(nid))
    else
      nid = false
    end
  end
  return {tostring(now), 'n', v, sess, lo, redis.call('HGET', KEYS[1], kf(ARGV[1])), redis.call('HGET', KEYS[1], 'un'), nid, nv, nk}
end
local ov = redis.call('GET', KEYS[3])
if ov then
  local used = redis.call('HGET', KEYS[4], ARGV[6])
  if touched(used) then
    redis.call('HSET', KEYS[4], ARGV[6], tostring(now))
    used = tostring(now)
  end
  local nid, ntk, nused = false, false, false
  if ARGV[4] == '1' then
    local top = redis.call('ZRANGE', KEYS[5], -1, -1)
    if top[1] and top[1] ~= ARGV[6] then
      nid = top[1]
      ntk = redis.call('GET', ARGV[5] .. nid)
      nused = redis.call('HGET', KEYS[4], nid)
    end
  end
  return {tostring(now), 'o', ov, sess, lo, used, false, nid, ntk, nused}
end
-- No such ticket: the user's newest, if asked (a login superseded it).
if ARGV[4] == '1' then
  local l = live(KEYS[1], false)
  if l[1] then
    local id = l[1][1]
    return {tostring(now), false, false, sess, lo, false, redis.call('HGET', KEYS[1], 'un'), id, redis.call('HGET', KEYS[1], id), redis.call('HGET', KEYS[1], kf(id))}
  end
end
return {tostring(now), false, false, sess, lo}`)

func msTime(v any) (time.Time, bool) {
	str, ok := v.(string)
	ms, err := strconv.ParseInt(str, 10, 64)
	if !ok || err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// LookupTicket implements login.Store. Cached: the ticket, the user's
// session record, watermark and (q.Newest) newest ticket from the
// replica's memory, read at Redis's clock as the replica knows it: 0
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
	r, err := s.run(ctx, lookupTicketScript, false,
		[]string{s.userKey(u), s.sessionKey(u), s.ticketKey(id, u), s.usedKey(u), s.indexKey(u)},
		field(id), strconv.FormatInt(q.TouchAfter.Milliseconds(), 10), strconv.FormatInt(q.Idle.Milliseconds(), 10), newest,
		s.ticketPrefix(u), tid)
	if err != nil {
		return login.Lookup{}, wrapErr("looking up a ticket", err)
	}
	v, err := reply(r)
	if err != nil {
		return login.Lookup{}, wrapErr("looking up a ticket", err)
	}
	now, ok := msTime(at(v, 0))
	if !ok {
		return login.Lookup{}, errors.New("redisstore: the ticket lookup answered the wrong shape")
	}
	l := login.Lookup{Now: now, LoggedOutBefore: watermark(at(v, 4))}
	if l.Session, l.SessionFound, err = sessionAt(at(v, 3), now); err != nil {
		return login.Lookup{}, err
	}
	kind, _ := at(v, 1).(string)
	tk, _ := at(v, 2).(string)
	switch kind {
	case "n":
		l.Ticket, err = decodeTicket(tk, str(at(v, 5)), str(at(v, 6)), u)
	case "o":
		l.Ticket, err = decodeOldTicket(tk, at(v, 5))
	}
	if err != nil {
		return login.Lookup{}, err
	}
	l.Found = kind != ""
	if nid, ok := at(v, 7).(string); ok {
		var st login.StoredTicket
		var err error
		if kind == "o" {
			st, err = storedOldTicket(nid, at(v, 8), at(v, 9))
		} else {
			st, err = storedTicket(nid, at(v, 8), at(v, 9), str(at(v, 6)), u)
		}
		if err == nil && now.Before(st.Ticket.ExpiresAt) && (!l.Found || st.Ticket.Seq > l.Ticket.Seq) {
			l.Newest, l.NewestFound = st, true
		}
	}
	return l, nil
}

// sessionAt decodes a session record a script or the cache read (nil
// when there was none), read at the server's time now: an expired one is
// none.
func sessionAt(v any, now time.Time) (taro.SessionRecord, bool, error) {
	ss, ok := v.(string)
	if !ok {
		return taro.SessionRecord{}, false, nil
	}
	rec, exp, err := decodeSession(ss)
	if err != nil {
		return taro.SessionRecord{}, false, err
	}
	if !exp.IsZero() && !now.Before(exp) {
		return taro.SessionRecord{}, false, nil
	}
	rec.ReadAt = now
	return rec, true, nil
}

// storedTicket decodes a ticket's field (its id), record and sealed key,
// u's.
func storedTicket(f, record, sealed any, unionID string, u taro.SessionKeyID) (login.StoredTicket, error) {
	var st login.StoredTicket
	raw, _ := f.(string)
	tk, ok := record.(string)
	if len(raw) != len(st.ID) || !ok {
		return st, errMalformedTicket
	}
	rec, err := decodeTicket(tk, str(sealed), unionID, u)
	if err != nil {
		return st, err
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

var deleteTicketScript = newScript(luaUser + luaTickets + `
drop(KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[1], 'n') == ARGV[1] then setNewest(KEYS[1], live(KEYS[1], false)) end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2])
return 1`)

// DeleteTicket implements login.Store.
func (s *Store) DeleteTicket(ctx context.Context, id login.TicketID, u taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.revoke(ctx, deleteTicketScript, []string{s.userKey(u), s.ticketKey(id, u), s.indexKey(u), s.usedKey(u)},
		field(id), hex.EncodeToString(id[:]))
	return wrapErr("deleting a ticket", err)
}

// userTicketsScript returns the clock, the session record, the watermark,
// the number of tickets in the hash, their ids and records, then the id,
// record and last use of each ticket of the previous release.
var userTicketsScript = newScript(luaUser + luaTickets + `
local lo = maxnum(redis.call('HGET', KEYS[1], 'lo'), redis.call('HGET', KEYS[3], 'lo'))
if lo then lo = string.format('%d', lo) else lo = false end
local out = {tostring(now), session(KEYS[1], KEYS[4]), lo, '0', redis.call('HGET', KEYS[1], 'un')}
local n = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if #all[i] == 32 then
    table.insert(out, all[i])
    table.insert(out, all[i + 1])
    table.insert(out, redis.call('HGET', KEYS[1], kf(all[i])) or false)
    n = n + 1
  end
end
out[4] = tostring(n)
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local tk = redis.call('GET', ARGV[1] .. m)
  if tk then
    table.insert(out, m)
    table.insert(out, tk)
    table.insert(out, redis.call('HGET', KEYS[3], m) or false)
  end
end
return out`)

// UserTickets implements login.Store with one script call.
func (s *Store) UserTickets(ctx context.Context, u taro.SessionKeyID) (login.UserLookup, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	r, err := s.run(ctx, userTicketsScript, false, []string{s.userKey(u), s.indexKey(u), s.usedKey(u), s.sessionKey(u)}, s.ticketPrefix(u))
	if err != nil {
		return login.UserLookup{}, wrapErr("listing tickets", err)
	}
	v, err := reply(r)
	if err != nil {
		return login.UserLookup{}, wrapErr("listing tickets", err)
	}
	var out login.UserLookup
	now, ok := msTime(at(v, 0))
	n, nerr := strconv.Atoi(str(at(v, 3)))
	if !ok || nerr != nil || 5+3*n > len(v) {
		return out, errors.New("redisstore: the ticket listing answered the wrong shape")
	}
	out.Now = now
	if out.Session, out.SessionFound, err = sessionAt(at(v, 1), now); err != nil {
		return login.UserLookup{}, err
	}
	out.LoggedOutBefore = watermark(at(v, 2))
	i := 5
	for ; i < 5+3*n; i += 3 {
		st, err := storedTicket(v[i], v[i+1], v[i+2], str(at(v, 4)), u)
		if err != nil {
			return login.UserLookup{}, err
		}
		out.Tickets = append(out.Tickets, st)
	}
	for ; i+1 < len(v); i += 3 {
		st, err := storedOldTicket(v[i], v[i+1], at(v, i+2))
		if err != nil {
			return login.UserLookup{}, err
		}
		out.Tickets = append(out.Tickets, st)
	}
	return out, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// deleteUserTicketsScript ends every ticket of the user (its hash's and
// the previous release's) and raises the user's LogoutAll watermark (the
// hash's field "lo") to the Seq of the user's session record, kept
// ARGV[2] ms at least.
var deleteUserTicketsScript = newScript(luaUser + luaTickets + `
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  redis.call('DEL', ARGV[1] .. m)
end
local mark = maxnum(redis.call('HGET', KEYS[1], 'lo'), redis.call('HGET', KEYS[3], 'lo'))
redis.call('DEL', KEYS[2], KEYS[3])
mark = maxnum(sessSeq(session(KEYS[1], KEYS[4])), mark)
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if #f == 32 or f == 'n' or (#f == 17 and string.sub(f, 17) == 'k') then redis.call('HDEL', KEYS[1], f) end
end
if mark then
  redis.call('HSET', KEYS[1], 'lo', string.format('%d', mark))
  extend(KEYS[1], tonumber(ARGV[2]))
end
return 1`)

// DeleteUserTickets implements login.Store: one script call ends every
// ticket of the user for every replica.
func (s *Store) DeleteUserTickets(ctx context.Context, u taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.revoke(ctx, deleteUserTicketsScript, []string{s.userKey(u), s.indexKey(u), s.usedKey(u), s.sessionKey(u)},
		s.ticketPrefix(u), strconv.FormatInt(s.opts.SessionTTL.Milliseconds(), 10))
	return wrapErr("deleting a user's tickets", err)
}
