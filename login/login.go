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
//	                                store round trip (the ticket record, the
//	                                user's session record, the store's clock),
//	                                the platform's own check at most once
//	                                per CheckInterval ─────────────────────► checksession
//	◄── 200, or 401 (log in again), or 503 (an outage, never 401)
//
// Tickets. A ticket is "v1." and the base64url of an AES-256-GCM box (a key
// derived from Config.Key) holding 128 random bits and the user's platform,
// app id and openid: opaque to the client, unforgeable without the key,
// and readable by the server without any I/O, so that a forged ticket costs
// nothing and the server knows which user's records to read in the same
// round trip. The store keeps only SHA-256 of the ticket: a dump of the
// store replays no ticket. A ticket is valid only on a Manager whose client
// serves its platform and app id.
//
// Login order. Every login takes the user's next sequence number from the
// session store, and its ticket keeps it. Under OnePerUser (the default) a
// ticket whose number is not the user's newest is 401 "superseded by a
// newer login", even when the platform re-issued the same session key.
// Under PerDevice each login is a session of its own, up to
// Config.MaxPerUser; Sessions lists them and LogoutSession and LogoutAll end
// them, on every replica.
//
// Ages. Tickets live Config.TTL (default 7 days) from login, fixed, not
// sliding: a stolen ticket does not live forever by being used.
// Config.IdleTimeout ends a ticket unused that long; its last use is written
// at most once per IdleTimeout/10 (by the store, with the lookup or, from
// a cache, right after it), so a ticket ends
// between 9/10 of IdleTimeout and IdleTimeout after its last use.
// taro.Config.MaxSessionAge is judged on every request. Every age is
// measured by the store's clock (Redis TIME, MemoryStore.Now), never the
// replica's. A missing session record (evicted or deleted) fails closed.
//
// Session keys at rest are sealed with AES-256-GCM under a key derived from
// Config.Key, with the ticket's hash and the user's platform, app id and
// openid as associated data, so a sealed key cannot be moved to another
// ticket, user or app. Key rotation: set Key to the new key and OldKeys to
// the keys that must still open tickets and sealed session keys issued
// before; new tickets are sealed with Key only.
//
// Stores. Store keeps the ticket records; NewMemoryStore is the default, and
// store/redisstore's Store implements it so that managers on one Redis (or
// Redis Cluster) are replicas of one service: a ticket issued on one works
// on all, a newer login or a logout on one is seen by all. Package
// login/logintest is the suite of these guarantees for any Store.
package login

import (
	"sync/atomic"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
	// store's verdict is asked on every request. It is a rate limit on
	// platform calls, never a verdict: a ticket whose records are gone is
	// refused whatever a replica checked before. Zero means 5 minutes;
	// negative means on every request.
	CheckInterval time.Duration
	// Sessions is the session policy: OnePerUser (the zero value) or
	// PerDevice.
	Sessions SessionPolicy
	// MaxPerUser bounds the live sessions of a user under PerDevice: the
	// oldest ends when a login goes past it. Zero means 10; at most
	// MaxPerUserLimit (1,000).
	MaxPerUser int
	// IdleTimeout, when positive, makes a ticket unused that long invalid.
	// Its last use is recorded at most once per IdleTimeout/10, so a
	// ticket ends between IdleTimeout*9/10 and IdleTimeout after its last
	// use. Zero means no idle timeout.
	IdleTimeout time.Duration
	// Logger receives debug records; nil means silence.
	Logger *slog.Logger
	// Now is the clock of the default memory store; nil means time.Now.
	// Every age is measured by the store's clock, so with a shared store
	// (redisstore) a replica's clock decides nothing.
	Now func() time.Time
}

// MaxPerUserLimit is the largest Config.MaxPerUser: a user's sessions are
// listed and evicted in bounded time.
const MaxPerUserLimit = 1000

// SessionPolicy says how a user's logins relate to each other.
type SessionPolicy int

const (
	// OnePerUser: a newer login of the user ends every earlier ticket,
	// even when the platform re-issued the same session key (login order
	// decides, by the store's sequence number).
	OnePerUser SessionPolicy = iota
	// PerDevice: each login is a session of its own, up to
	// Config.MaxPerUser per user; a newer login elsewhere leaves the other
	// tickets valid. User.Session gives the user's newest session key (the
	// platforms keep one key per user and app). On weapp and Douyin
	// mini-games, a platform answer that the newest key is no longer valid
	// ends all the user's tickets.
	PerDevice
)

// String names the policy.
func (p SessionPolicy) String() string {
	switch p {
	case OnePerUser:
		return "OnePerUser"
	case PerDevice:
		return "PerDevice"
	}
	return "SessionPolicy(" + strconv.Itoa(int(p)) + ")"
}

// String describes the config without its keys.
func (c Config) describe() string {
	return fmt.Sprintf("login.Config{Store:%T Key:[redacted] OldKeys:%d TTL:%s CheckInterval:%s Sessions:%s MaxPerUser:%d IdleTimeout:%s}",
		c.Store, len(c.OldKeys), c.TTL, c.CheckInterval, c.Sessions, c.MaxPerUser, c.IdleTimeout)
}

// MarshalJSON describes the config without its keys.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"store": fmt.Sprintf("%T", c.Store), "key": "[redacted]", "oldKeys": len(c.OldKeys),
		"ttl": c.TTL.String(), "checkInterval": c.CheckInterval.String(), "sessions": c.Sessions.String(),
		"maxPerUser": c.MaxPerUser, "idleTimeout": c.IdleTimeout.String()})
}

// Format implements fmt.Formatter: every verb prints String.
func (c Config) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(c.describe())) }

// Manager issues and checks tickets. It is safe for concurrent use.
type Manager struct {
	client   *taro.Client
	counter  atomic.Pointer[counterFor] // login.requests of the client's meter provider
	store    Store
	keys     []keyset // keys[0] seals; all open
	ttl      time.Duration
	interval time.Duration
	policy   SessionPolicy
	perUser  int
	idle     time.Duration
	log      *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	checked map[TicketID]time.Time // when the platform last confirmed a ticket's session
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
	if cfg.Sessions != OnePerUser && cfg.Sessions != PerDevice {
		return nil, bad("Config.Sessions: unknown policy %d", int(cfg.Sessions))
	}
	if cfg.MaxPerUser < 0 || cfg.IdleTimeout < 0 {
		return nil, bad("Config.MaxPerUser and Config.IdleTimeout must not be negative")
	}
	if cfg.MaxPerUser > MaxPerUserLimit {
		return nil, bad("Config.MaxPerUser is %d; at most %d sessions per user are kept", cfg.MaxPerUser, MaxPerUserLimit)
	}
	m := &Manager{client: cfg.Client, store: cfg.Store, ttl: cfg.TTL, interval: cfg.CheckInterval, log: cfg.Logger, now: cfg.Now,
		policy: cfg.Sessions, perUser: cfg.MaxPerUser, idle: cfg.IdleTimeout, checked: map[TicketID]time.Time{}}
	if m.perUser == 0 {
		m.perUser = 10
	}
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
		ms := NewMemoryStore(cfg.Client.Sessions())
		ms.Now = cfg.Now
		m.store = ms
	}
	m.store = observedStore{Store: m.store, m: m}
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

// APILogin and APIAuth name the manager's calls in errMsg.
const (
	APILogin = "login"
	APIAuth  = "auth"
)

// keep is how many tickets of a user the store keeps: under OnePerUser
// the older ones stay (invalid, answering "superseded") up to MaxPerUser.
// keep is how many of a user's tickets the store keeps: under OnePerUser
// the newest alone (a superseded ticket is refused by the user's record,
// not kept), under PerDevice MaxPerUser.
func (m *Manager) keep() int {
	if m.policy == OnePerUser {
		return 1
	}
	return m.perUser
}

// Login exchanges a login code for a session (taro.Client.Code2Session),
// seals the session key into the store and returns a new ticket bound to
// the login's sequence number. A Douyin anonymous-only login has no
// session and is refused (InvalidArgument). On a platform without session
// keys (Alipay) the ticket seals an empty key: the store decides by login
// order and age alone.
func (m *Manager) Login(ctx context.Context, opt taro.LoginOption) (Result, error) {
	ctx, end := m.span(ctx, "login.login")
	res, err := m.login(ctx, opt)
	end(opt.Platform, err)
	return res, err
}

func (m *Manager) login(ctx context.Context, opt taro.LoginOption) (Result, error) {
	opt.Success, opt.Fail, opt.Complete = nil, nil, nil
	res, err := m.client.Code2Session(ctx, opt)
	if err != nil {
		return Result{}, err
	}
	if res.OpenID == "" {
		return Result{}, &taro.Error{Platform: opt.Platform, API: APILogin, Code: taro.CodeInvalidArgument,
			Detail: "an anonymous login has no session: log in with a code"}
	}
	appID := res.AppID
	u := taro.SessionKeyID{Platform: opt.Platform, AppID: appID, OpenID: res.OpenID, TenantID: res.TenantID}
	ticket, id := m.issue(u)
	at := res.Record.IssuedAt
	rec := TicketRecord{User: u, UnionID: res.UnionID, SealedKey: m.seal(id, u, res.Session.SessionKey), Seq: res.Record.Seq,
		IssuedAt: at, ExpiresAt: at.Add(m.ttl), LastUsed: at}
	if err := m.store.PutTicket(ctx, id, rec, m.keep()); err != nil {
		return Result{}, storeError(ctx, opt.Platform, APILogin, err)
	}
	return Result{Ticket: ticket, ExpiresIn: m.ttl,
		User: User{Platform: u.Platform, AppID: appID, OpenID: u.OpenID, TenantID: u.TenantID, UnionID: res.UnionID, ExpiresAt: rec.ExpiresAt, session: res.Session, ticket: id}}, nil
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
