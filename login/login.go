// Package login is the server half of the mini-program login flow: it
// exchanges the client's login code for a session, keeps the session key on
// the server (sealed), and hands the client an opaque ticket that later
// requests carry — the login state WeChat's docs call 自定义登录态 — across
// replicas.
//
//	mini program                    backend (login.Manager)                 platform
//	────────────                    ───────────────────────                 ────────
//	login() ─► code
//	POST /login {platform, code} ─► Client.Code2Session ─────────────────► jscode2session
//	                                ◄── openid, session_key ◄──────────────
//	                                seal the key (AES-256-GCM), store it
//	                                under SHA-256(ticket), with a TTL
//	◄── {ticket, openid, expiresIn}  (never the session key)
//	GET /me, Authorization: Bearer ticket
//	                             ─► Require: open the ticket (no I/O), one
//	                                store round trip (ticket + the user's
//	                                newest session), the platform's own
//	                                check at most once per CheckInterval ─► checksession
//	◄── 200, or 401 (log in again), or 503 (an outage, never 401)
//
// Tickets. A ticket is "v1." and the base64url of an AES-256-GCM box (a key
// derived from Config.Key) holding 128 random bits and the user's platform,
// app id and openid: opaque to the client, unforgeable without the key,
// and readable by the server without any I/O, so that a forged ticket costs
// nothing and the server knows which user's records to read in the same
// round trip. The store keeps only SHA-256 of the ticket: a dump of the
// store replays no ticket. Tickets live Config.TTL (default 7 days) from
// login, fixed, not sliding: a stolen ticket does not live forever by being
// used. A newer login of the same user (on any replica sharing the session
// store) makes older tickets fail with 401 "superseded".
//
// Session keys at rest are sealed with AES-256-GCM under a key derived from
// Config.Key, with the ticket's hash and the user's platform and openid as
// associated data, so a sealed key cannot be moved to another ticket or
// user. Key rotation: set Key to the new key and OldKeys to the keys that
// must still open tickets and sealed session keys issued before; new tickets
// are sealed with Key only.
//
// Stores. Store keeps the ticket records; NewMemoryStore is the default, and
// store/redisstore's Store implements it so that managers on one Redis (or
// Redis Cluster) are replicas of one service: a ticket issued on one works
// on all, a newer login on one makes the old ticket 401 on all.
package login

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tarogo/adapter/taro"
)

// Config configures a Manager.
type Config struct {
	// Client exchanges codes and checks sessions. Required.
	Client *taro.Client
	// Store keeps ticket records. Nil means NewMemoryStore over the
	// client's session store (one process only).
	Store Store
	// Key is the 32-byte key that seals tickets and session keys. Required;
	// keep it secret and the same on every replica.
	Key []byte
	// OldKeys still open tickets and sealed session keys issued under them
	// (key rotation); nothing new is sealed with them.
	OldKeys [][]byte
	// TTL is how long a ticket lives from login (fixed). Zero means 7 days.
	TTL time.Duration
	// CheckInterval bounds how often, per ticket and per replica, the
	// platform's own session check (weapp, Douyin mini-games) runs; the
	// store's verdict is asked on every request. Zero means 5 minutes;
	// negative means on every request.
	CheckInterval time.Duration
	// Logger receives debug records; nil means silence.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// String describes the config without its keys.
func (c Config) String() string {
	return fmt.Sprintf("login.Config{Store:%T Key:[redacted] OldKeys:%d TTL:%s CheckInterval:%s}", c.Store, len(c.OldKeys), c.TTL, c.CheckInterval)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints String.
func (c Config) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(c.String())) }

// Manager issues and checks tickets. It is safe for concurrent use.
type Manager struct {
	client   *taro.Client
	store    Store
	keys     []keyset // keys[0] seals; all open
	ttl      time.Duration
	interval time.Duration
	log      *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	checked map[TicketID]time.Time // when the platform last confirmed a ticket's session
}

// keyset is what one Config key derives.
type keyset struct {
	ticket, seal cipher.AEAD
}

func derive(key []byte) (keyset, error) {
	if len(key) != 32 {
		return keyset{}, fmt.Errorf("a key must be 32 bytes, got %d", len(key))
	}
	mk := func(label string) cipher.AEAD {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(label))
		b, _ := aes.NewCipher(m.Sum(nil))
		g, _ := cipher.NewGCM(b)
		return g
	}
	return keyset{ticket: mk("taro login ticket v1"), seal: mk("taro login session key v1")}, nil
}

// New returns a Manager for cfg. It fails with taro.ErrInvalidArgument on
// a nil Client or a Key (or old key) that is not 32 bytes.
func New(cfg Config) (*Manager, error) {
	bad := func(format string, args ...any) error {
		return &taro.Error{API: "login", Code: taro.CodeInvalidArgument, Detail: fmt.Sprintf(format, args...)}
	}
	if cfg.Client == nil {
		return nil, bad("Config.Client is nil")
	}
	m := &Manager{client: cfg.Client, store: cfg.Store, ttl: cfg.TTL, interval: cfg.CheckInterval, log: cfg.Logger, now: cfg.Now,
		checked: map[TicketID]time.Time{}}
	ks, err := derive(cfg.Key)
	if err != nil {
		return nil, bad("Config.Key: %v", err)
	}
	m.keys = append(m.keys, ks)
	for i, k := range cfg.OldKeys {
		ks, err := derive(k)
		if err != nil {
			return nil, bad("Config.OldKeys[%d]: %v", i, err)
		}
		m.keys = append(m.keys, ks)
	}
	if m.store == nil {
		m.store = NewMemoryStore(cfg.Client.Sessions())
	}
	if m.ttl <= 0 {
		m.ttl = 7 * 24 * time.Hour
	}
	if m.interval == 0 {
		m.interval = 5 * time.Minute
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m, nil
}

// TicketID is SHA-256 of a ticket: what stores keep instead of the ticket.
type TicketID [sha256.Size]byte

// ticketPrefix starts every ticket of this format.
const ticketPrefix = "v1."

// maxTicketLen bounds what is parsed as a ticket.
const maxTicketLen = 2048

// userID is the plaintext identity inside a ticket.
func userID(u taro.SessionKeyID) []byte {
	return []byte(string(u.Platform) + "\x00" + u.AppID + "\x00" + u.OpenID)
}

// issue makes a new ticket for u.
func (m *Manager) issue(u taro.SessionKeyID) (string, TicketID) {
	g := m.keys[0].ticket
	plain := make([]byte, 16, 16+len(userID(u)))
	_, _ = rand.Read(plain)
	plain = append(plain, userID(u)...)
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plain)+g.Overhead())
	_, _ = rand.Read(nonce)
	box := g.Seal(nonce, nonce, plain, []byte(ticketPrefix))
	t := ticketPrefix + base64.RawURLEncoding.EncodeToString(box)
	return t, sha256.Sum256([]byte(t))
}

// errBadTicket is the cause of every unreadable ticket.
var errBadTicket = errors.New("the ticket is malformed, forged or sealed with a key this server does not hold")

// parse opens a ticket without any I/O.
func (m *Manager) parse(ticket string) (TicketID, taro.SessionKeyID, error) {
	var u taro.SessionKeyID
	if len(ticket) > maxTicketLen || !strings.HasPrefix(ticket, ticketPrefix) {
		return TicketID{}, u, errBadTicket
	}
	box, err := base64.RawURLEncoding.DecodeString(ticket[len(ticketPrefix):])
	if err != nil {
		return TicketID{}, u, errBadTicket
	}
	for _, ks := range m.keys {
		g := ks.ticket
		if len(box) < g.NonceSize()+g.Overhead()+16 {
			return TicketID{}, u, errBadTicket
		}
		plain, err := g.Open(nil, box[:g.NonceSize()], box[g.NonceSize():], []byte(ticketPrefix))
		if err != nil {
			continue
		}
		parts := strings.SplitN(string(plain[16:]), "\x00", 3)
		if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
			return TicketID{}, u, errBadTicket
		}
		u = taro.SessionKeyID{Platform: taro.Platform(parts[0]), AppID: parts[1], OpenID: parts[2]}
		return sha256.Sum256([]byte(ticket)), u, nil
	}
	return TicketID{}, u, errBadTicket
}

// sealAD is the associated data of a sealed session key.
func sealAD(id TicketID, u taro.SessionKeyID) []byte {
	ad := make([]byte, 0, len(id)+len(u.Platform)+len(u.OpenID)+1)
	ad = append(ad, id[:]...)
	ad = append(ad, u.Platform...)
	ad = append(ad, 0)
	return append(ad, u.OpenID...)
}

func (m *Manager) seal(id TicketID, u taro.SessionKeyID, sessionKey string) []byte {
	g := m.keys[0].seal
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(sessionKey)+g.Overhead())
	_, _ = rand.Read(nonce)
	return g.Seal(nonce, nonce, []byte(sessionKey), sealAD(id, u))
}

func (m *Manager) unseal(id TicketID, u taro.SessionKeyID, sealed []byte) (string, bool) {
	for _, ks := range m.keys {
		g := ks.seal
		if len(sealed) < g.NonceSize()+g.Overhead() {
			return "", false
		}
		if plain, err := g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], sealAD(id, u)); err == nil {
			return string(plain), true
		}
	}
	return "", false
}

// User is the logged-in user a request carries.
type User struct {
	Platform taro.Platform
	OpenID   string
	UnionID  string
	// ExpiresAt is when the ticket expires.
	ExpiresAt time.Time
	session   taro.Session
}

// Session returns the user's session (openid and session key), for Decrypt
// and the other calls that use it. Never send it to a client.
func (u User) Session() taro.Session { return u.session }

// String describes the user without the session key.
func (u User) String() string {
	return fmt.Sprintf("{Platform:%s OpenID:%s UnionID:%s ExpiresAt:%s}", u.Platform, u.OpenID, u.UnionID, u.ExpiresAt.Format(time.RFC3339))
}

// GoString is String, for %#v.
func (u User) GoString() string { return "login.User" + u.String() }

// Format implements fmt.Formatter: every verb prints String.
func (u User) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(u.GoString()))
		return
	}
	_, _ = f.Write([]byte(u.String()))
}

// LogValue implements slog.LogValuer without the session key.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("platform", string(u.Platform)), slog.String("openid", u.OpenID))
}

// Result is a successful login: the ticket to hand the client, and who.
type Result struct {
	Ticket    string
	User      User
	ExpiresIn time.Duration
}

// String describes the result with the ticket redacted (it is a bearer
// credential: hand it to the client, never to a log).
func (r Result) String() string {
	return fmt.Sprintf("{Ticket:[redacted] User:%s ExpiresIn:%s}", r.User.String(), r.ExpiresIn)
}

// Format implements fmt.Formatter: every verb prints String.
func (r Result) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(r.String())) }

// APILogin and APIAuth name the manager's calls in errMsg.
const (
	APILogin = "login"
	APIAuth  = "auth"
)

// Login exchanges a login code for a session (taro.Client.Code2Session),
// seals the session key into the store and returns a new ticket. A Douyin
// anonymous-only login has no session and is refused (InvalidArgument).
func (m *Manager) Login(ctx context.Context, opt taro.LoginOption) (Result, error) {
	opt.Success, opt.Fail, opt.Complete = nil, nil, nil
	res, err := m.client.Code2Session(ctx, opt)
	if err != nil {
		return Result{}, err
	}
	if res.Session.SessionKey == "" {
		return Result{}, &taro.Error{Platform: opt.Platform, API: APILogin, Code: taro.CodeInvalidArgument,
			Detail: "an anonymous login has no session: log in with a code"}
	}
	appID, _ := m.client.AppID(opt.Platform)
	u := taro.SessionKeyID{Platform: opt.Platform, AppID: appID, OpenID: res.OpenID}
	ticket, id := m.issue(u)
	now := m.now()
	rec := TicketRecord{User: u, UnionID: res.UnionID, SealedKey: m.seal(id, u, res.Session.SessionKey), IssuedAt: now, ExpiresAt: now.Add(m.ttl)}
	if err := m.store.PutTicket(ctx, id, rec); err != nil {
		return Result{}, storeError(ctx, opt.Platform, APILogin, err)
	}
	return Result{Ticket: ticket, ExpiresIn: m.ttl,
		User: User{Platform: u.Platform, OpenID: u.OpenID, UnionID: res.UnionID, ExpiresAt: rec.ExpiresAt, session: res.Session}}, nil
}

func storeError(ctx context.Context, p taro.Platform, api string, err error) *taro.Error {
	code := taro.CodeUnavailable
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		code = taro.CodeDeadlineExceeded
	case errors.Is(ctx.Err(), context.Canceled):
		code = taro.CodeCanceled
	}
	return &taro.Error{Platform: p, API: api, Code: code, Detail: taro.DetailStoreUnavailable, Err: err}
}

// The details of a refused ticket, in errMsg after "session invalid: ".
const (
	DetailNoTicket      = "no ticket: send Authorization: Bearer <ticket>"
	DetailBadTicket     = "ticket not recognised"
	DetailUnknownTicket = "ticket unknown, expired or logged out"
)

func invalid(p taro.Platform, detail string, cause error) *taro.Error {
	return &taro.Error{Platform: p, API: APIAuth, Code: taro.CodeSessionInvalid, Detail: detail, Err: cause}
}

// Resolve checks a ticket and returns its user: the store's verdict on
// every call (a newer login of the user on any replica makes the ticket
// invalid), the platform's own check at most once per CheckInterval. A
// ticket that is malformed, forged, unknown, expired, logged out or
// superseded is taro.ErrSessionInvalid; a store or platform outage is
// taro.ErrUnavailable (or DeadlineExceeded), never a verdict. For servers
// other than net/http (a gRPC interceptor is a few lines; see the Example).
func (m *Manager) Resolve(ctx context.Context, ticket string) (User, error) {
	u, err := m.resolve(ctx, ticket)
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func (m *Manager) resolve(ctx context.Context, ticket string) (User, *taro.Error) {
	if ticket == "" {
		return User{}, invalid("", DetailNoTicket, nil)
	}
	id, uid, err := m.parse(ticket)
	if err != nil {
		return User{}, invalid("", DetailBadTicket, err)
	}
	p := uid.Platform
	l, err := m.store.LookupTicket(ctx, id, uid)
	if err != nil {
		return User{}, storeError(ctx, p, APIAuth, err)
	}
	now := m.now()
	if !l.Found || !now.Before(l.Ticket.ExpiresAt) || l.Ticket.User != uid {
		return User{}, invalid(p, DetailUnknownTicket, nil)
	}
	key, ok := m.unseal(id, uid, l.Ticket.SealedKey)
	if !ok {
		return User{}, invalid(p, DetailBadTicket, errors.New("the sealed session key does not open with the configured keys"))
	}
	s := taro.Session{OpenID: uid.OpenID, SessionKey: key}
	onPlatform := m.client.ChecksOnPlatform(p)
	switch {
	case l.SessionFound && !l.Session.Fingerprint.Equal(m.client.Fingerprint(key)):
		return User{}, invalid(p, taro.DetailSuperseded, nil)
	case !l.SessionFound && !onPlatform:
		return User{}, invalid(p, taro.DetailNeverSeen, nil)
	}
	if onPlatform && m.due(id, now) {
		if _, err := m.client.CheckSession(ctx, taro.Option{Platform: p, Session: s}); err != nil {
			var te *taro.Error
			if errors.As(err, &te) {
				return User{}, te
			}
			return User{}, &taro.Error{Platform: p, API: APIAuth, Code: taro.CodeOf(err), Err: err}
		}
		m.markChecked(id, now)
	}
	return User{Platform: p, OpenID: uid.OpenID, UnionID: l.Ticket.UnionID, ExpiresAt: l.Ticket.ExpiresAt, session: s}, nil
}

// due reports whether the platform should check the ticket's session now.
func (m *Manager) due(id TicketID, now time.Time) bool {
	if m.interval < 0 {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.checked[id]
	return !ok || now.Sub(at) >= m.interval
}

// maxChecked bounds the per-ticket check times a replica remembers.
const maxChecked = 100_000

func (m *Manager) markChecked(id TicketID, now time.Time) {
	if m.interval < 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.checked) >= maxChecked {
		for k, at := range m.checked {
			if now.Sub(at) >= m.interval {
				delete(m.checked, k)
			}
		}
		if len(m.checked) >= maxChecked {
			clear(m.checked) // all recent: forget them; the next requests check again
		}
	}
	m.checked[id] = now
}

// Logout ends a ticket: later requests with it are 401. Logging out an
// unknown or malformed ticket is not an error (nothing to end).
func (m *Manager) Logout(ctx context.Context, ticket string) error {
	id, uid, err := m.parse(ticket)
	if err != nil {
		return nil
	}
	m.mu.Lock()
	delete(m.checked, id)
	m.mu.Unlock()
	if err := m.store.DeleteTicket(ctx, id, uid); err != nil {
		return storeError(ctx, uid.Platform, "logout", err)
	}
	return nil
}
