package redisstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/taro"
)

var _ login.Store = (*Store)(nil)

// ticketKey is "<prefix>ticket:{<user>}:<hex SHA-256 of the ticket>": in
// the user's hash slot, beside the user's session record.
func (s *Store) ticketKey(id login.TicketID, u taro.SessionKeyID) string {
	return s.opts.Prefix + "ticket:" + userTag(u) + ":" + hex.EncodeToString(id[:])
}

// ticketJSON is a ticket record as stored: the user, the sealed session
// key and the times; never the ticket or the key in clear.
type ticketJSON struct {
	Platform  string `json:"p"`
	AppID     string `json:"a"`
	OpenID    string `json:"o"`
	UnionID   string `json:"u,omitempty"`
	SealedKey []byte `json:"k"`
	IssuedAt  int64  `json:"i"`
	ExpiresAt int64  `json:"e"`
}

// PutTicket implements login.Store: one SET with the ticket's expiry.
func (s *Store) PutTicket(ctx context.Context, id login.TicketID, rec login.TicketRecord) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := time.Until(rec.ExpiresAt)
	if ttl < time.Millisecond {
		return errors.New("redisstore: the ticket has already expired")
	}
	b, _ := json.Marshal(ticketJSON{Platform: string(rec.User.Platform), AppID: rec.User.AppID, OpenID: rec.User.OpenID,
		UnionID: rec.UnionID, SealedKey: rec.SealedKey, IssuedAt: rec.IssuedAt.UnixMilli(), ExpiresAt: rec.ExpiresAt.UnixMilli()})
	return wrapErr("storing a ticket", s.rdb.Set(ctx, s.ticketKey(id, rec.User), b, ttl).Err())
}

// LookupTicket implements login.Store with one MGET of the ticket record
// and the user's session record (one hash slot, one round trip).
func (s *Store) LookupTicket(ctx context.Context, id login.TicketID, u taro.SessionKeyID) (login.Lookup, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	vals, err := s.rdb.MGet(ctx, s.ticketKey(id, u), s.sessionKey(u)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return login.Lookup{}, wrapErr("looking up a ticket", err)
	}
	var l login.Lookup
	if len(vals) != 2 {
		return l, errors.New("redisstore: MGET answered the wrong number of values")
	}
	if v, ok := vals[0].(string); ok {
		var t ticketJSON
		if err := json.Unmarshal([]byte(v), &t); err != nil {
			return login.Lookup{}, errors.New("redisstore: malformed ticket record")
		}
		l.Found = true
		l.Ticket = login.TicketRecord{User: taro.SessionKeyID{Platform: taro.Platform(t.Platform), AppID: t.AppID, OpenID: t.OpenID},
			UnionID: t.UnionID, SealedKey: t.SealedKey, IssuedAt: time.UnixMilli(t.IssuedAt), ExpiresAt: time.UnixMilli(t.ExpiresAt)}
	}
	if v, ok := vals[1].(string); ok {
		rec, err := decodeSession(v)
		if err != nil {
			return login.Lookup{}, err
		}
		l.Session, l.SessionFound = rec, true
	}
	return l, nil
}

// DeleteTicket implements login.Store.
func (s *Store) DeleteTicket(ctx context.Context, id login.TicketID, u taro.SessionKeyID) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return wrapErr("deleting a ticket", s.rdb.Del(ctx, s.ticketKey(id, u)).Err())
}
