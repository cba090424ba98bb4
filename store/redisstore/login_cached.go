package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/taro"
)

// touchScript records Redis's clock as a ticket's last use (KEYS[1] the
// used hash, ARGV[1] the ticket id) when the last use is at least ARGV[2]
// ms old and the ticket is not idle (ARGV[3] ms, 0 for none); it returns
// the clock and the last use.
var touchScript = newScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = redis.call('HGET', KEYS[1], ARGV[1])
if used then
  local age = now - tonumber(used)
  local idle = tonumber(ARGV[3])
  if age >= tonumber(ARGV[2]) and (idle <= 0 or age < idle) then
    redis.call('HSET', KEYS[1], ARGV[1], tostring(now))
    used = tostring(now)
  end
end
return {tostring(now), used}`)

// lookupCached is LookupTicket from the client-side cache: one batch for
// the ticket, its last use, the session record and the index's top, and
// one for the newest other ticket when asked; the touch is a write.
func (s *Store) lookupCached(ctx context.Context, id login.TicketID, u taro.SessionKeyID, q login.Query) (login.Lookup, error) {
	c, err := s.client(ctx)
	if err != nil {
		return login.Lookup{}, err
	}
	var idHex [2 * len(login.TicketID{})]byte
	hex.Encode(idHex[:], id[:])
	tid := string(idHex[:])
	tag := userTag(u)
	prefix := s.opts.Prefix + "ticket:" + tag + ":"
	usedKey := s.opts.Prefix + "used:" + tag
	ttl := s.opts.CacheTTL
	n := 3
	if q.Newest {
		n = 4
	}
	cmds := make([]rueidis.CacheableTTL, n, 4)
	cmds[0] = rueidis.CT(c.B().Get().Key(prefix+tid).Cache(), ttl)
	cmds[1] = rueidis.CT(c.B().Get().Key(s.opts.Prefix+"session:"+tag).Cache(), ttl)
	// The ticket's last use and the user's LogoutAll watermark, in one.
	cmds[2] = rueidis.CT(c.B().Hmget().Key(usedKey).Field(tid, "lo").Cache(), ttl)
	if q.Newest {
		cmds[3] = rueidis.CT(c.B().Zrange().Key(s.opts.Prefix+"tickets:"+tag).Min("-1").Max("-1").Cache(), ttl)
	}
	if err := s.alive(ctx); err != nil {
		return login.Lookup{}, err
	}
	res := c.DoMultiCache(ctx, cmds...)
	var vals [3]string
	var has [3]bool
	for i := range 2 {
		v, err := res[i].ToString()
		if err != nil && !rueidis.IsRedisNil(err) {
			return login.Lookup{}, err
		}
		vals[i], has[i] = v, err == nil
	}
	fields, err := res[2].ToArray()
	if err != nil || len(fields) != 2 {
		return login.Lookup{}, errors.Join(errors.New("redisstore: the used hash answered the wrong shape"), err)
	}
	if v, err := fields[0].ToString(); err == nil {
		vals[2], has[2] = v, true
	} else if !rueidis.IsRedisNil(err) {
		return login.Lookup{}, err
	}
	lo, err := fields[1].ToString()
	if err != nil && !rueidis.IsRedisNil(err) {
		return login.Lookup{}, err
	}
	var top string
	if q.Newest {
		t, err := res[3].AsStrSlice()
		if err != nil {
			return login.Lookup{}, err
		}
		if len(t) > 0 {
			top = t[0]
		}
	}
	now, err := s.now(ctx)
	if err != nil {
		return login.Lookup{}, err
	}
	l := login.Lookup{Now: now, Cached: true, LoggedOutBefore: watermark(lo)}
	if !has[0] {
		return l, nil
	}
	var used any
	if has[2] {
		used = vals[2]
	}
	if l.Ticket, err = s.decodeTicket(vals[0], used); err != nil {
		return login.Lookup{}, err
	}
	l.Found = true
	if has[1] {
		if l.Session, l.SessionFound, err = sessionAt(vals[1], now); err != nil {
			return login.Lookup{}, err
		}
	}
	if top != "" && top != tid {
		nres := c.DoMultiCache(ctx,
			rueidis.CT(c.B().Get().Key(prefix+top).Cache(), ttl),
			rueidis.CT(c.B().Hget().Key(usedKey).Field(top).Cache(), ttl))
		ntk, err1 := nres[0].ToString()
		nused, err2 := nres[1].ToString()
		if (err1 != nil && !rueidis.IsRedisNil(err1)) || (err2 != nil && !rueidis.IsRedisNil(err2)) {
			return login.Lookup{}, errors.Join(err1, err2)
		}
		if err1 == nil {
			var used any
			if err2 == nil {
				used = nused
			}
			st, err := s.storedTicket(top, ntk, used)
			if err == nil && now.Before(st.Ticket.ExpiresAt) && st.Ticket.Seq > l.Ticket.Seq {
				l.Newest, l.NewestFound = st, true
			}
		}
	}
	if has[2] && q.TouchAfter > 0 {
		age := now.Sub(l.Ticket.LastUsed)
		if age >= q.TouchAfter && (q.Idle <= 0 || age < q.Idle) {
			t0 := time.Now()
			r, err := s.run(ctx, touchScript, true, []string{usedKey}, tid,
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
	n, err := strconv.ParseUint(str, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
