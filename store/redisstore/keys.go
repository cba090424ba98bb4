package redisstore

import (
	"net/url"
	"strings"

	"github.com/tarogo/adapter/taro"
)

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
	if id.TenantID != "" {
		// A fourth component: no tag of a user without a tenant (three
		// escaped components) can equal it.
		return "{" + part(string(id.Platform)) + ":" + part(id.AppID) + ":" + part(id.OpenID) + ":" + part(id.TenantID) + "}"
	}
	return "{" + part(string(id.Platform)) + ":" + part(id.AppID) + ":" + part(id.OpenID) + "}"
}

// userKey is a user's one record, a hash (see login.go): the user's
// session record (field "s"), tickets and LogoutAll watermark.
func (s *Store) userKey(id taro.SessionKeyID) string {
	if id.TenantID == "" && !strings.ContainsAny(string(id.Platform), ":%{}") && !strings.ContainsAny(id.AppID, ":%{}") && !strings.ContainsAny(id.OpenID, ":%{}") {
		// userTag's, in one allocation: the warm path's.
		return s.opts.Prefix + "u:{" + string(id.Platform) + ":" + id.AppID + ":" + id.OpenID + "}"
	}
	return s.opts.Prefix + "u:" + userTag(id)
}

// sessionKey is where the previous release kept a user's session record,
// still read where the user's record has none (read old, write new).
func (s *Store) sessionKey(id taro.SessionKeyID) string {
	return s.opts.Prefix + "session:" + userTag(id)
}

func (s *Store) tokenKey(key string) string { return s.opts.Prefix + "token:{" + part(key) + "}" }

func (s *Store) tokenLockKey(key string) string {
	return s.opts.Prefix + "tokenlock:{" + part(key) + "}"
}
