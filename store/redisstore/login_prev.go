package redisstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/taro"
)

// The previous release's records of a user, read until they expire and
// moved into the user's hash by the user's next login (read old, write
// new):
//
//	<prefix>session:{<user>}                the session record (session.go)
//	<prefix>ticket:{<user>}:<hex ticket id>  a ticket, JSON (PX: its TTL)
//	<prefix>tickets:{<user>}                the ticket ids, by login Seq
//	<prefix>used:{<user>}                   each ticket's last use; "lo" the watermark
func (s *Store) ticketPrefix(u taro.SessionKeyID) string {
	return s.opts.Prefix + "ticket:" + userTag(u) + ":"
}

func (s *Store) ticketKey(id login.TicketID, u taro.SessionKeyID) string {
	return s.ticketPrefix(u) + hex.EncodeToString(id[:])
}

func (s *Store) indexKey(u taro.SessionKeyID) string { return s.opts.Prefix + "tickets:" + userTag(u) }
func (s *Store) usedKey(u taro.SessionKeyID) string  { return s.opts.Prefix + "used:" + userTag(u) }

// oldTicket is a ticket record as the previous release stored it.
type oldTicket struct {
	Platform  string `json:"p"`
	AppID     string `json:"a"`
	OpenID    string `json:"o"`
	UnionID   string `json:"u,omitempty"`
	SealedKey []byte `json:"k"`
	Seq       uint64 `json:"s"`
	IssuedAt  int64  `json:"i"`
	ExpiresAt int64  `json:"e"`
}

// decodeOldTicket reads a record of the previous release and its last use.
func decodeOldTicket(v string, used any) (login.TicketRecord, error) {
	var t oldTicket
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return login.TicketRecord{}, errMalformedTicket
	}
	rec := login.TicketRecord{User: taro.SessionKeyID{Platform: taro.Platform(t.Platform), AppID: t.AppID, OpenID: t.OpenID},
		UnionID: t.UnionID, SealedKey: bytes.Clone(t.SealedKey), Seq: t.Seq, IssuedAt: time.UnixMilli(t.IssuedAt), ExpiresAt: time.UnixMilli(t.ExpiresAt)}
	rec.LastUsed = rec.IssuedAt
	if u, ok := msTime(used); ok {
		rec.LastUsed = u
	}
	return rec, nil
}

// luaMigrate moves the previous release's ticket records of a user into
// the user's hash and deletes them (KEYS: hash, old index, old used hash;
// the old ticket keys under prefix).
const luaMigrate = `
local function unhex(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end
local b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function unb64(s)
  local out, bits, n = {}, 0, 0
  for i = 1, #s do
    local c = string.sub(s, i, i)
    if c == '=' then break end
    local v = string.find(b64, c, 1, true)
    if not v then return nil end
    bits, n = bits * 64 + (v - 1), n + 6
    if n >= 8 then
      n = n - 8
      local byte = math.floor(bits / 2 ^ n)
      table.insert(out, string.char(byte))
      bits = bits - byte * 2 ^ n
    end
  end
  return table.concat(out)
end
local function migrate(hash, index, used, prefix)
  for _, m in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    local v = redis.call('GET', prefix .. m)
    if v and #m == 64 then
      local ok, t = pcall(cjson.decode, v)
      local k = ok and type(t) == 'table' and type(t.k) == 'string' and unb64(t.k)
      if k and tonumber(t.s) and tonumber(t.e) and tonumber(t.i) and tonumber(t.e) > now then
        local u = tonumber(redis.call('HGET', used, m)) or tonumber(t.i)
        local id = unhex(m)
        redis.call('HSET', hash, id, string.format('%d:%d:%d:%d', t.s, t.i, t.e, u), kf(id), k)
        if type(t.u) == 'string' and t.u ~= '' then redis.call('HSET', hash, 'un', t.u) end
      end
      redis.call('DEL', prefix .. m)
    end
  end
  local lo = maxnum(redis.call('HGET', used, 'lo'), redis.call('HGET', hash, 'lo'))
  if lo then redis.call('HSET', hash, 'lo', string.format('%d', lo)) end
  redis.call('DEL', index, used)
end
`

// storedOldTicket decodes a ticket id (hex), record and last use of the
// previous release.
func storedOldTicket(id, record, used any) (login.StoredTicket, error) {
	var st login.StoredTicket
	nid, _ := id.(string)
	tk, _ := record.(string)
	raw, herr := hex.DecodeString(nid)
	rec, derr := decodeOldTicket(tk, used)
	if herr != nil || derr != nil || len(raw) != len(st.ID) {
		return st, errMalformedTicket
	}
	copy(st.ID[:], raw)
	st.Ticket = rec
	return st, nil
}
