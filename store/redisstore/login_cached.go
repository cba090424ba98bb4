package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/taro"
)

// touchScript records Redis's clock as a ticket's last use (KEYS[1] the
// user's hash, ARGV[1] the ticket's id) when the last use is at least
// ARGV[2] ms old and the ticket is not idle (ARGV[3] ms, 0 for none); it
// returns the clock and the last use.
var touchScript = newScript(luaUser + `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {tostring(now), false} end
local seq, iss, exp, used = string.match(v, '^(%d+):(%d+):(%d+):(%d+)$')
if not used then return {tostring(now), false} end
local age = now - tonumber(used)
local idle = tonumber(ARGV[3])
if age >= tonumber(ARGV[2]) and (idle <= 0 or age < idle) then
  redis.call('HSET', KEYS[1], ARGV[1], seq .. ':' .. iss .. ':' .. exp .. ':' .. string.format('%d', now))
  used = string.format('%d', now)
end
return {tostring(now), used}`)

// lookupCached is LookupTicket from the client-side cache: one cached
// HMGET of the user's hash (the ticket, the session record, the
// watermark, the newest ticket's id), and one for the newest other
// ticket when asked and there is one; the touch is a write. A ticket the
// hash does not hold is looked up with a script (Fresh): the previous
// release's records and the user's newest ticket are read there.
func (s *Store) lookupCached(ctx context.Context, id login.TicketID, u taro.SessionKeyID, q login.Query) (login.Lookup, error) {
	c, err := s.client(ctx)
	if err != nil {
		return login.Lookup{}, err
	}
	key := s.userKey(u)
	f, sf := fields(id)
	ttl := s.opts.CacheTTL
	if err := s.alive(ctx); err != nil {
		return login.Lookup{}, err
	}
	fields, err := c.DoCache(ctx, c.B().Hmget().Key(key).Field(f, sf, "s", "lo", "n", "un").Cache(), ttl).ToArray()
	if err != nil || len(fields) != 6 {
		return login.Lookup{}, errors.Join(errors.New("redisstore: the user's record answered the wrong shape"), err)
	}
	var vals [6]string
	var has [6]bool
	for i := range fields {
		v, err := fields[i].ToString()
		if err != nil && !rueidis.IsRedisNil(err) {
			return login.Lookup{}, err
		}
		vals[i], has[i] = v, err == nil
	}
	now, err := s.now(ctx)
	if err != nil {
		return login.Lookup{}, err
	}
	l := login.Lookup{Now: now, Cached: true, LoggedOutBefore: watermark(vals[3])}
	if !has[0] {
		// Not in the hash: the refusal is never answered from here; the
		// Manager asks again with Fresh.
		return l, nil
	}
	if l.Ticket, err = decodeTicket(vals[0], vals[1], vals[5], u); err != nil {
		return login.Lookup{}, err
	}
	l.Found = true
	if has[2] {
		if l.Session, l.SessionFound, err = sessionAt(vals[2], now); err != nil {
			return login.Lookup{}, err
		}
	}
	if q.Newest && has[4] && vals[4] != f {
		nf, err := c.DoCache(ctx, c.B().Hmget().Key(key).Field(vals[4], sealedField(vals[4])).Cache(), ttl).AsStrSlice()
		if err != nil && !rueidis.IsRedisNil(err) {
			return login.Lookup{}, err
		}
		if err == nil && len(nf) == 2 && nf[0] != "" {
			st, err := storedTicket(vals[4], nf[0], nf[1], vals[5], u)
			if err == nil && now.Before(st.Ticket.ExpiresAt) && st.Ticket.Seq > l.Ticket.Seq {
				l.Newest, l.NewestFound = st, true
			}
		}
	}
	if q.TouchAfter > 0 {
		age := now.Sub(l.Ticket.LastUsed)
		if age >= q.TouchAfter && (q.Idle <= 0 || age < q.Idle) {
			t0 := time.Now()
			r, err := s.run(ctx, touchScript, true, []string{key}, f,
				strconv.FormatInt(q.TouchAfter.Milliseconds(), 10), strconv.FormatInt(q.Idle.Milliseconds(), 10))
			t1 := time.Now()
			if err != nil {
				return login.Lookup{}, err
			}
			v, err := reply(r)
			if err != nil {
				return login.Lookup{}, err
			}
			if n, ok := msTime(at(v, 0)); ok {
				s.clock.note(n, t0, t1)
				l.Now = n
			}
			if used, ok := msTime(at(v, 1)); ok {
				l.Ticket.LastUsed = used
			}
		}
	}
	return l, nil
}

// watermark reads a LogoutAll watermark a script or the cache read ("",
// nil or malformed: none).
func watermark(v any) uint64 {
	str, _ := v.(string)
	if str == "" {
		return 0
	}
	n, err := strconv.ParseUint(str, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
