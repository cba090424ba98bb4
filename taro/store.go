package taro

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// Fingerprint is the SHA-256 digest of a session key. Stores keep
// fingerprints, never keys.
type Fingerprint [sha256.Size]byte

// FingerprintOf returns the fingerprint of a session key.
func FingerprintOf(sessionKey string) Fingerprint { return sha256.Sum256([]byte(sessionKey)) }

// Equal reports, in constant time, whether f and g are the same.
func (f Fingerprint) Equal(g Fingerprint) bool { return subtle.ConstantTimeCompare(f[:], g[:]) == 1 }

// Fingerprinter is an optional SessionStore capability: a store that keys
// its fingerprints (redisstore with Options.Secret computes
// HMAC-SHA256(secret, session key)) so that a copy of the store confirms no
// guessed key and a writer of the store cannot forge a record for a key of
// their choosing. The client then fingerprints with it instead of
// FingerprintOf. The session key never leaves the process.
type Fingerprinter interface {
	Fingerprint(sessionKey string) Fingerprint
}

// CachingSessionStore is implemented by a SessionStore whose
// LookupSession may answer from a cache that lags another replica's write
// by moments (store/redisstore with client-side caching). The client
// answers no "session invalid" from a lookup marked SessionRecord.Cached:
// it asks
// LookupSessionFresh, which reads past the cache, and judges again. A
// valid session then costs no store round trip when warm, and a refusal
// one.
type CachingSessionStore interface {
	SessionStore
	LookupSessionFresh(ctx context.Context, id SessionKeyID) (SessionRecord, bool, error)
}

// String returns the fingerprint in lowercase hex.
func (f Fingerprint) String() string { return hex.EncodeToString(f[:]) }

// SessionKeyID identifies one user of one app on one platform.
type SessionKeyID struct {
	Platform Platform
	AppID    string
	OpenID   string
	// TenantID is the user's organisation on a work platform; empty on
	// consumer platforms. Two tenants' users of one OpenID are two users.
	TenantID string
}

// SessionRecord is what a SessionStore keeps for a user: the fingerprint of
// the newest session key a Code2Session returned, when, and the login's
// place in the user's order of logins.
type SessionRecord struct {
	Fingerprint Fingerprint
	// IssuedAt is when the store recorded the login, by the store's clock
	// (Redis TIME for redisstore, MemorySessionStore.Now in memory).
	IssuedAt time.Time
	// Seq is the login's sequence number, given by the store as it records
	// the login: greater than that of every earlier record of the same
	// user, even when the platform re-issued the same key. Login order is
	// decided by Seq, never by comparing keys.
	Seq uint64
	// ReadAt is the store's clock when LookupSession read the record, so
	// that ages are measured by one clock (the store's), not by the
	// replicas' clocks. Zero when the store offers no clock; the client's
	// clock is used then.
	ReadAt time.Time
	// Cached is set by a CachingSessionStore on a lookup (found or not)
	// that came from its cache: the client then refuses nothing on it
	// without LookupSessionFresh.
	Cached bool
}

// NextSeq is the sequence number a store gives a new login of a user
// whose previous record had prev (zero when none): prev+1, or the store's
// clock in microseconds when that is larger, so that numbers keep
// increasing even after a record expired and was forgotten.
func NextSeq(prev uint64, now time.Time) uint64 {
	us := uint64(max(now.UnixMicro(), 0))
	return max(prev+1, us)
}

// SessionStore remembers, per user, the newest session a login issued.
// Implementations must be safe for concurrent use. An error from either
// method makes the call that asked fail with ErrUnavailable: checks fail
// closed.
//
// Which login is the newest is the store's decision, in the order the
// store receives the records, never the callers' clocks: replicas whose
// clocks disagree must not make a rotated-away session valid or discard the
// current one. One window remains, and no store can close it: two logins of
// one user whose platform answers cross in flight (the platform issued key
// B after key A, but A's record reaches the store last) leave A recorded
// as newest until the user logs in again; the user then sees one extra
// "session invalid" and logs in again.
type SessionStore interface {
	// RecordSession records rec as the newest session of id, replacing
	// any earlier record: the last record the store receives wins. The
	// store stamps the record with its own clock (IssuedAt) and the next
	// sequence number of the user (Seq, see NextSeq), atomically with the
	// write, and returns the record as stored.
	RecordSession(ctx context.Context, id SessionKeyID, rec SessionRecord) (SessionRecord, error)
	// LookupSession returns the record for id, with ReadAt set to the
	// store's clock; ok is false when there is none.
	LookupSession(ctx context.Context, id SessionKeyID) (rec SessionRecord, ok bool, err error)
}

// DecryptLimiter is an optional SessionStore capability that keeps the
// failure budget of Decrypt (Config.DecryptFailures) where every replica
// sees it. MemorySessionStore and redisstore implement it; with a store
// that does not, the client keeps the budget in its own memory.
type DecryptLimiter interface {
	// TakeDecryptAttempt takes one of limit attempts at opening data with
	// the session key whose fingerprint is fp (of app appID on platform
	// p). The count starts with the first attempt taken and is forgotten
	// window later. It returns false, without error, when all limit
	// attempts are taken.
	TakeDecryptAttempt(ctx context.Context, p Platform, appID string, fp Fingerprint, limit int, window time.Duration) (bool, error)
	// ReturnDecryptAttempt gives back an attempt that succeeded: only
	// failures use the budget.
	ReturnDecryptAttempt(ctx context.Context, p Platform, appID string, fp Fingerprint) error
}

// DecryptBudgetResetter is an optional DecryptLimiter capability: a login
// that records a session key resets that key's failure budget, so that a
// platform that keeps the key across logins (WeChat often does) does not
// leave the user's own valid data refused for the rest of the window.
// MemorySessionStore and redisstore implement it.
type DecryptBudgetResetter interface {
	ResetDecryptAttempts(ctx context.Context, p Platform, appID string, fp Fingerprint) error
}

// EnvelopeClaimer is an optional SessionStore capability that binds a
// client-handed envelope (Alipay's signed phone-number response, which
// names no user and is the same bytes every time for one number) to the
// first user who presents it, where every replica sees it.
// MemorySessionStore and redisstore implement it; with a store that does
// not, the client keeps the claims in its own memory.
type EnvelopeClaimer interface {
	// ClaimEnvelope records owner as the user of the envelope whose digest
	// is digest (of app appID on platform p) for at least ttl, unless
	// another owner holds it; it reports whether owner holds it now.
	// Concurrent claims by different owners: exactly one wins.
	ClaimEnvelope(ctx context.Context, p Platform, appID string, digest [32]byte, owner string, ttl time.Duration) (bool, error)
}

// StoredToken is an access token as a TokenStore keeps it.
type StoredToken struct {
	Value     string
	ExpiresAt time.Time
}

// TokenStore caches application access tokens, keyed by platform and app
// id. Implementations must be safe for concurrent use.
type TokenStore interface {
	// Token returns the cached token for key; ok is false when there is none.
	Token(ctx context.Context, key string) (tok StoredToken, ok bool, err error)
	// SetToken caches tok under key.
	SetToken(ctx context.Context, key string, tok StoredToken) error
	// DeleteToken removes the token under key only if its value is still
	// value, so that a caller holding a stale token cannot drop a fresh one.
	DeleteToken(ctx context.Context, key, value string) error
}

// TokenLocker is an optional TokenStore capability for stores shared by
// several processes: it lets at most one of them fetch a token at a time.
type TokenLocker interface {
	// LockToken tries to take the fetch lock for key for at most ttl. It
	// returns acquired=false, without error, when another holder has it.
	// unlock releases the lock if it is still held by this caller.
	LockToken(ctx context.Context, key string, ttl time.Duration) (unlock func(context.Context), acquired bool, err error)
}

// MemorySessionStore is the default SessionStore: a map in this process.
// Its zero value is ready to use. Records older than TTL, when TTL > 0, are
// forgotten. It is also a DecryptLimiter.
type MemorySessionStore struct {
	TTL time.Duration
	// Now is the store's clock; nil means time.Now. A client made with a
	// nil Config.Sessions gives its store the client's clock.
	Now func() time.Time

	mu   sync.RWMutex
	m    map[SessionKeyID]SessionRecord
	seqs map[SessionKeyID]uint64 // the last sequence number given, kept past TTL
	dec  map[decryptKey]decryptCount
	env  map[envelopeKey]envelopeClaim
}

type envelopeKey struct {
	p      Platform
	appID  string
	digest [32]byte
}

type envelopeClaim struct {
	owner string
	until time.Time
}

type decryptKey struct {
	p     Platform
	appID string
	fp    Fingerprint
}

type decryptCount struct {
	n     int
	until time.Time
}

// NewMemorySessionStore returns an empty in-memory session store.
func NewMemorySessionStore() *MemorySessionStore { return &MemorySessionStore{} }

func (s *MemorySessionStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// RecordSession implements SessionStore: under the store's lock, the
// record gets the store's clock and the user's next sequence number.
func (s *MemorySessionStore) RecordSession(ctx context.Context, id SessionKeyID, rec SessionRecord) (SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return SessionRecord{}, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[SessionKeyID]SessionRecord)
		s.seqs = make(map[SessionKeyID]uint64)
	}
	// Arrival order under the lock decides: the last login recorded wins.
	rec.IssuedAt, rec.ReadAt = now, time.Time{}
	rec.Seq = NextSeq(s.seqs[id], now)
	s.seqs[id] = rec.Seq
	s.m[id] = rec
	return rec, nil
}

// LookupSession implements SessionStore.
func (s *MemorySessionStore) LookupSession(ctx context.Context, id SessionKeyID) (SessionRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return SessionRecord{}, false, err
	}
	now := s.now()
	s.mu.RLock()
	rec, ok := s.m[id]
	s.mu.RUnlock()
	if ok && s.TTL > 0 && now.Sub(rec.IssuedAt) > s.TTL {
		s.mu.Lock()
		if cur, still := s.m[id]; still && cur == rec {
			delete(s.m, id)
		}
		s.mu.Unlock()
		return SessionRecord{}, false, nil
	}
	if ok {
		rec.ReadAt = now
	}
	return rec, ok, nil
}

// ForgetSession removes id's record, as an eviction would: the user's
// sessions then fail closed ("no login recorded") until the next login.
func (s *MemorySessionStore) ForgetSession(ctx context.Context, id SessionKeyID) error {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
	return nil
}

// Len returns the number of records held.
func (s *MemorySessionStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// maxDecryptCounts bounds the failure counts a memory store keeps.
const maxDecryptCounts = 100_000

// TakeDecryptAttempt implements DecryptLimiter.
func (s *MemorySessionStore) TakeDecryptAttempt(ctx context.Context, p Platform, appID string, fp Fingerprint, limit int, window time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.now()
	k := decryptKey{p, appID, fp}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dec == nil {
		s.dec = make(map[decryptKey]decryptCount)
	}
	c, ok := s.dec[k]
	if !ok || !now.Before(c.until) {
		if len(s.dec) >= maxDecryptCounts {
			for k2, c2 := range s.dec {
				if !now.Before(c2.until) {
					delete(s.dec, k2)
				}
			}
		}
		c = decryptCount{until: now.Add(window)}
	}
	if c.n >= limit {
		return false, nil
	}
	c.n++
	s.dec[k] = c
	return true, nil
}

// ReturnDecryptAttempt implements DecryptLimiter.
func (s *MemorySessionStore) ReturnDecryptAttempt(ctx context.Context, p Platform, appID string, fp Fingerprint) error {
	k := decryptKey{p, appID, fp}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.dec[k]; ok && c.n > 0 {
		c.n--
		s.dec[k] = c
	}
	return nil
}

// ResetDecryptAttempts implements DecryptBudgetResetter.
func (s *MemorySessionStore) ResetDecryptAttempts(ctx context.Context, p Platform, appID string, fp Fingerprint) error {
	s.mu.Lock()
	delete(s.dec, decryptKey{p, appID, fp})
	s.mu.Unlock()
	return nil
}

// maxEnvelopeClaims bounds the claims a memory store keeps: past it,
// expired claims are dropped, and a new envelope is refused (never
// handed to a second user) while none has expired.
const maxEnvelopeClaims = 1_000_000

// errTooManyClaims is the cause of a claim refused for room.
var errTooManyClaims = errors.New("taro: the memory store holds the most envelope claims it keeps")

// ClaimEnvelope implements EnvelopeClaimer.
func (s *MemorySessionStore) ClaimEnvelope(ctx context.Context, p Platform, appID string, digest [32]byte, owner string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.now()
	k := envelopeKey{p, appID, digest}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.env == nil {
		s.env = make(map[envelopeKey]envelopeClaim)
	}
	if c, ok := s.env[k]; ok && now.Before(c.until) {
		return subtle.ConstantTimeCompare([]byte(c.owner), []byte(owner)) == 1, nil
	}
	if len(s.env) >= maxEnvelopeClaims {
		for k2, c2 := range s.env {
			if !now.Before(c2.until) {
				delete(s.env, k2)
			}
		}
		if len(s.env) >= maxEnvelopeClaims {
			return false, errTooManyClaims
		}
	}
	s.env[k] = envelopeClaim{owner: owner, until: now.Add(ttl)}
	return true, nil
}

// MemoryTokenStore is the default TokenStore: a map in this process. Its
// zero value is ready to use. It is also a TokenLocker, so that several
// TokenSources sharing it fetch one token between them.
type MemoryTokenStore struct {
	mu    sync.RWMutex
	m     map[string]StoredToken
	locks map[string]memoryTokenLock
}

type memoryTokenLock struct {
	owner *byte
	until time.Time
}

// NewMemoryTokenStore returns an empty in-memory token store.
func NewMemoryTokenStore() *MemoryTokenStore { return &MemoryTokenStore{} }

// Token implements TokenStore.
func (s *MemoryTokenStore) Token(ctx context.Context, key string) (StoredToken, bool, error) {
	s.mu.RLock()
	t, ok := s.m[key]
	s.mu.RUnlock()
	return t, ok, nil
}

// SetToken implements TokenStore.
func (s *MemoryTokenStore) SetToken(ctx context.Context, key string, tok StoredToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]StoredToken)
	}
	s.m[key] = tok
	return nil
}

// LockToken implements TokenLocker: the lock for key is held until unlock
// or until ttl has passed, whichever comes first.
func (s *MemoryTokenStore) LockToken(ctx context.Context, key string, ttl time.Duration) (func(context.Context), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if l, ok := s.locks[key]; ok && now.Before(l.until) {
		return nil, false, nil
	}
	if s.locks == nil {
		s.locks = make(map[string]memoryTokenLock)
	}
	owner := new(byte)
	s.locks[key] = memoryTokenLock{owner: owner, until: now.Add(ttl)}
	return func(context.Context) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if l, ok := s.locks[key]; ok && l.owner == owner {
			delete(s.locks, key)
		}
	}, true, nil
}

// DeleteToken implements TokenStore.
func (s *MemoryTokenStore) DeleteToken(ctx context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.m[key]; ok && t.Value == value {
		delete(s.m, key)
	}
	return nil
}
