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
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

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
func (c Config) String() string {
	return fmt.Sprintf("login.Config{Store:%T Key:[redacted] OldKeys:%d TTL:%s CheckInterval:%s Sessions:%s MaxPerUser:%d IdleTimeout:%s}",
		c.Store, len(c.OldKeys), c.TTL, c.CheckInterval, c.Sessions, c.MaxPerUser, c.IdleTimeout)
}

// MarshalJSON describes the config without its keys.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"store": fmt.Sprintf("%T", c.Store), "key": "[redacted]", "oldKeys": len(c.OldKeys),
		"ttl": c.TTL.String(), "checkInterval": c.CheckInterval.String(), "sessions": c.Sessions.String(),
		"maxPerUser": c.MaxPerUser, "idleTimeout": c.IdleTimeout.String()})
}

// LogValue implements slog.LogValuer without the keys.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("store", fmt.Sprintf("%T", c.Store)), slog.String("key", "[redacted]"),
		slog.Int("old_keys", len(c.OldKeys)), slog.Duration("ttl", c.TTL), slog.Duration("check_interval", c.CheckInterval),
		slog.String("sessions", c.Sessions.String()), slog.Int("max_per_user", c.MaxPerUser), slog.Duration("idle_timeout", c.IdleTimeout))
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints String.
func (c Config) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(c.String())) }

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
var errBadTicket = ErrTicketForged

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
	ad := make([]byte, 0, len(id)+len(u.Platform)+len(u.AppID)+len(u.OpenID)+2)
	ad = append(ad, id[:]...)
	ad = append(ad, u.Platform...)
	ad = append(ad, 0)
	ad = append(ad, u.AppID...)
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
	AppID    string
	OpenID   string
	UnionID  string
	// ExpiresAt is when the ticket expires.
	ExpiresAt time.Time
	session   taro.Session
	ticket    TicketID
}

// Session returns the user's session (openid and session key), for Decrypt
// and the other calls that use it: under PerDevice, the user's newest key.
// Never send it to a client.
func (u User) Session() taro.Session { return u.session }

func (u User) id() taro.SessionKeyID {
	return taro.SessionKeyID{Platform: u.Platform, AppID: u.AppID, OpenID: u.OpenID}
}

// String describes the user without the session key.
func (u User) String() string {
	return fmt.Sprintf("{Platform:%s AppID:%s OpenID:%s UnionID:%s ExpiresAt:%s}", u.Platform, u.AppID, u.OpenID, u.UnionID, u.ExpiresAt.Format(time.RFC3339))
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

// MarshalJSON writes the user without the session key.
func (u User) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"platform": u.Platform, "appid": u.AppID, "openid": u.OpenID, "unionid": u.UnionID, "expiresAt": u.ExpiresAt})
}

// LogValue implements slog.LogValuer without the session key.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("platform", string(u.Platform)), slog.String("appid", u.AppID), slog.String("openid", u.OpenID))
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

// MarshalJSON writes the result with the ticket redacted; the login
// handler's LoginResponse is what hands the client its ticket.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"ticket": "[redacted]", "user": r.User, "expiresIn": r.ExpiresIn.Seconds()})
}

// LogValue implements slog.LogValuer with the ticket redacted.
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(slog.String("ticket", "[redacted]"), slog.Any("user", r.User), slog.Duration("expires_in", r.ExpiresIn))
}

// APILogin and APIAuth name the manager's calls in errMsg.
const (
	APILogin = "login"
	APIAuth  = "auth"
)

// keep is how many tickets of a user the store keeps: under OnePerUser
// the older ones stay (invalid, answering "superseded") up to MaxPerUser.
func (m *Manager) keep() int { return m.perUser }

// Login exchanges a login code for a session (taro.Client.Code2Session),
// seals the session key into the store and returns a new ticket bound to
// the login's sequence number. A Douyin anonymous-only login has no
// session and is refused (InvalidArgument). On a platform without session
// keys (Alipay) the ticket seals an empty key: the store decides by login
// order and age alone.
func (m *Manager) Login(ctx context.Context, opt taro.LoginOption) (Result, error) {
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
	u := taro.SessionKeyID{Platform: opt.Platform, AppID: appID, OpenID: res.OpenID}
	ticket, id := m.issue(u)
	at := res.Record.IssuedAt
	rec := TicketRecord{User: u, UnionID: res.UnionID, SealedKey: m.seal(id, u, res.Session.SessionKey), Seq: res.Record.Seq,
		IssuedAt: at, ExpiresAt: at.Add(m.ttl), LastUsed: at}
	if err := m.store.PutTicket(ctx, id, rec, m.keep()); err != nil {
		return Result{}, storeError(ctx, opt.Platform, APILogin, err)
	}
	return Result{Ticket: ticket, ExpiresIn: m.ttl,
		User: User{Platform: u.Platform, AppID: appID, OpenID: u.OpenID, UnionID: res.UnionID, ExpiresAt: rec.ExpiresAt, session: res.Session, ticket: id}}, nil
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
	DetailNoTicket = "no ticket: send Authorization: Bearer <ticket>"
	// DetailManyAuthorization refuses a request with more than one
	// Authorization header (proxies disagree on which one counts).
	DetailManyAuthorization = "more than one Authorization header: send exactly one"
	DetailBadTicket         = "ticket not recognised"
	DetailUnknownTicket     = "ticket unknown, expired or logged out"
	DetailIdle              = "ticket unused for longer than the idle timeout"
)

func invalid(p taro.Platform, detail string, cause error) *taro.Error {
	return &taro.Error{Platform: p, API: APIAuth, Code: taro.CodeSessionInvalid, Detail: detail, Err: cause}
}

// Why a ticket was refused. A client is told none of this: every refused
// ticket, forged or genuine, gets one status, errMsg and detail
// (DetailBadTicket), so that a thief holding a victim's old ticket learns
// nothing (not even that the victim logged in again). Server code can
// test the reason with errors.Is on the error Resolve returns, and
// Config.Logger records it at debug level, for an app that chooses to
// tell its user, say, "you logged in elsewhere".
var (
	// ErrTicketForged: malformed, forged, or sealed with a key this
	// server does not hold.
	ErrTicketForged = errors.New("login: the ticket is malformed, forged or sealed with a key this server does not hold")
	// ErrTicketOtherApp: issued for a platform or app this client does
	// not serve.
	ErrTicketOtherApp = errors.New("login: the ticket was issued for a platform or app id this client does not serve")
	// ErrTicketUnknown: not in the store: expired, logged out, evicted or
	// never issued there.
	ErrTicketUnknown = errors.New("login: the ticket is unknown to the store, expired or logged out")
	// ErrTicketIdle: unused for longer than Config.IdleTimeout.
	ErrTicketIdle = errors.New("login: the ticket was unused for longer than the idle timeout")
	// ErrTicketSuperseded: a newer login of the user ended it (OnePerUser).
	ErrTicketSuperseded = errors.New("login: the ticket was superseded by a newer login")
	// ErrTicketTooOld: its login is older than taro.Config.MaxSessionAge.
	ErrTicketTooOld = errors.New("login: the ticket's login is older than the maximum session age")
	// ErrTicketLoggedOutAll: its login was recorded before a LogoutAll
	// of the user.
	ErrTicketLoggedOutAll = errors.New("login: the ticket's login came before a LogoutAll")
	// ErrTicketNoSession: the user's session record is gone (evicted or
	// deleted): fail closed.
	ErrTicketNoSession = errors.New("login: no login is recorded for the ticket's user")
	// ErrTicketPlatform: the platform said the session is no longer
	// valid (the platform's error is in the chain too).
	ErrTicketPlatform = errors.New("login: the platform refused the ticket's session")
)

// refused is the one answer to every refused ticket: the reason is in the
// Go chain only.
type refusal struct {
	reason error
	cause  error
}

func (r *refusal) Error() string {
	if r.cause != nil {
		return r.reason.Error() + ": " + r.cause.Error()
	}
	return r.reason.Error()
}

func (r *refusal) Unwrap() []error {
	if r.cause != nil {
		return []error{r.reason, r.cause}
	}
	return []error{r.reason}
}

// refuse is the uniform error of a refused ticket with its reason.
func refuse(reason, cause error) *taro.Error {
	return &taro.Error{API: APIAuth, Code: taro.CodeSessionInvalid, Detail: DetailBadTicket, Err: &refusal{reason: reason, cause: cause}}
}

// Resolve checks a ticket and returns its user: the store's verdict on
// every call, by the store's clock (the ticket's TTL, the idle timeout,
// the login order, taro.Config.MaxSessionAge), the platform's own check at
// most once per CheckInterval. A ticket is valid only with the platform
// and app id that issued it. A ticket that is malformed, forged, unknown,
// expired, idle, logged out, superseded or another app's is
// taro.ErrSessionInvalid; a store or platform outage is
// taro.ErrUnavailable (or DeadlineExceeded), never a verdict. For servers
// other than net/http (a gRPC interceptor is a few lines; see the Example).
func (m *Manager) Resolve(ctx context.Context, ticket string) (User, error) {
	u, err := m.resolve(ctx, ticket)
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// resolve is resolveTicket, observed: a span "login.resolve" and the
// counter login.requests, both with the verdict (the result's code).
func (m *Manager) resolve(ctx context.Context, ticket string) (User, *taro.Error) {
	tel := m.client.Telemetry()
	traces, metrics := tel.Traces, tel.Metrics
	var span trace.Span
	if traces {
		ctx, span = tel.TracerProvider.Tracer(instrumentation).Start(ctx, "login.resolve")
	}
	u, err := m.resolveTicket(ctx, ticket)
	if err != nil && m.log != nil && err.Code == taro.CodeSessionInvalid {
		m.log.LogAttrs(ctx, slog.LevelDebug, "login: ticket refused", slog.String("reason", reasonText(err)))
	}
	verdict := taro.CodeOK
	if err != nil {
		verdict = err.Code
	}
	if span != nil {
		span.SetAttributes(attribute.String("login.verdict", verdict.String()), attribute.String("taro.platform", string(u.Platform)))
		if err != nil {
			span.SetStatus(codes.Error, verdict.String())
		}
		span.End()
	}
	if metrics {
		m.requests().Add(ctx, 1, metric.WithAttributes(attribute.String("login.verdict", verdict.String())))
	}
	return u, err
}

// reasonText is the reason of a refusal, for the debug log: never the
// ticket.
func reasonText(err *taro.Error) string {
	var r *refusal
	if errors.As(err, &r) {
		return r.reason.Error()
	}
	return err.Reason()
}

// instrumentation names login's tracer and meter.
const instrumentation = "github.com/tarogo/adapter/login"

// requests is the counter login.requests of the client's meter provider.
func (m *Manager) requests() metric.Int64Counter {
	mp := m.client.Telemetry().MeterProvider
	if c := m.counter.Load(); c != nil && c.mp == mp {
		return c.c
	}
	c, _ := mp.Meter(instrumentation).Int64Counter("login.requests", metric.WithDescription("Requests with a ticket, by verdict."))
	m.counter.Store(&counterFor{mp, c})
	return c
}

type counterFor struct {
	mp metric.MeterProvider
	c  metric.Int64Counter
}

func (m *Manager) resolveTicket(ctx context.Context, ticket string) (User, *taro.Error) {
	if ticket == "" {
		return User{}, invalid("", DetailNoTicket, nil)
	}
	id, uid, err := m.parse(ticket)
	if err != nil {
		return User{}, refuse(ErrTicketForged, nil)
	}
	p := uid.Platform
	app, aerr := m.client.App(p, uid.AppID)
	if aerr != nil || app.AppID() != uid.AppID {
		return User{}, refuse(ErrTicketOtherApp, nil)
	}
	var q Query
	q.Newest = m.policy == PerDevice
	if m.idle > 0 {
		q.TouchAfter, q.Idle = max(m.idle/10, time.Millisecond), m.idle
	}
	l, err := m.store.LookupTicket(ctx, id, uid, q)
	if err != nil {
		return User{}, storeError(ctx, p, APIAuth, err)
	}
	sessKey, judgeKey, now, verr := m.storeVerdict(ctx, app, id, uid, l)
	if verr != nil && l.Cached {
		// A cache may lag another replica's write by milliseconds (a
		// login there, a touch): no refusal is answered from it.
		q.Fresh = true
		if l, err = m.store.LookupTicket(ctx, id, uid, q); err != nil {
			return User{}, storeError(ctx, p, APIAuth, err)
		}
		sessKey, judgeKey, now, verr = m.storeVerdict(ctx, app, id, uid, l)
	}
	if verr != nil {
		return User{}, verr
	}
	s := taro.Session{OpenID: uid.OpenID, SessionKey: sessKey}
	if judgeKey != "" && app.ChecksOnPlatform() && m.due(id, now) {
		// The store's verdict is given: the platform alone is asked, with
		// no second store read and no second verdict.
		if err := app.CheckOnPlatform(ctx, s); err != nil {
			var te *taro.Error
			if !errors.As(err, &te) {
				te = &taro.Error{Platform: p, API: APIAuth, Code: taro.CodeOf(err), Err: err}
			}
			if te.Code == taro.CodeSessionInvalid {
				// The platform says the newest key is gone: every ticket
				// of the user ends.
				_ = m.store.DeleteUserTickets(ctx, uid)
				return User{}, refuse(ErrTicketPlatform, te)
			}
			return User{}, te
		}
		m.markChecked(id, now)
	}
	return User{Platform: p, AppID: uid.AppID, OpenID: uid.OpenID, UnionID: l.Ticket.UnionID, ExpiresAt: l.Ticket.ExpiresAt, session: s, ticket: id}, nil
}

// storeVerdict is the store's verdict on a ticket's lookup l (the ticket's
// TTL, the idle timeout, the login order, taro.Config.MaxSessionAge, by
// the store's clock): the session key to use, the key to judge the
// session by ("" when only the record's presence and age are judged), and
// the store's clock.
func (m *Manager) storeVerdict(ctx context.Context, app *taro.App, id TicketID, uid taro.SessionKeyID, l Lookup) (string, string, time.Time, *taro.Error) {
	now := l.Now
	if now.IsZero() {
		now = m.now()
	}
	if !l.Found || !now.Before(l.Ticket.ExpiresAt) || l.Ticket.User != uid {
		return "", "", now, refuse(ErrTicketUnknown, nil)
	}
	if m.idle > 0 && now.Sub(l.Ticket.LastUsed) >= m.idle {
		return "", "", now, refuse(ErrTicketIdle, nil)
	}
	if !l.SessionFound {
		// Never answered from a cached platform check: no record, no yes.
		return "", "", now, refuse(ErrTicketNoSession, nil)
	}
	if l.LoggedOutBefore > 0 && l.Ticket.Seq <= l.LoggedOutBefore {
		return "", "", now, refuse(ErrTicketLoggedOutAll, nil)
	}
	if m.policy == OnePerUser && l.Ticket.Seq != l.Session.Seq {
		return "", "", now, refuse(ErrTicketSuperseded, nil)
	}
	key, ok := m.unseal(id, uid, l.Ticket.SealedKey)
	if !ok {
		return "", "", now, refuse(ErrTicketForged, errors.New("the sealed session key does not open with the configured keys"))
	}
	sessKey, seq := key, l.Ticket.Seq
	if m.policy == PerDevice && l.NewestFound && l.Newest.Ticket.Seq > seq {
		if k, ok := m.unseal(l.Newest.ID, uid, l.Newest.Ticket.SealedKey); ok {
			sessKey, seq = k, l.Newest.Ticket.Seq
		}
	}
	// The newest key is known when its login's ticket is stored; between
	// a newer login's record and its ticket (or after a reset) only the
	// record's presence and age are judged.
	judgeKey := sessKey
	if seq != l.Session.Seq {
		judgeKey = ""
	}
	rec := l.Session
	if rec.ReadAt.IsZero() {
		rec.ReadAt = now
	}
	if err := app.Judge(ctx, APIAuth, judgeKey, rec, true); err != nil {
		var te *taro.Error
		errors.As(err, &te)
		if te == nil || te.Code != taro.CodeSessionInvalid {
			return "", "", now, te
		}
		switch te.Detail {
		case taro.DetailSuperseded:
			return "", "", now, refuse(ErrTicketSuperseded, nil)
		case taro.DetailTooOld:
			return "", "", now, refuse(ErrTicketTooOld, nil)
		case taro.DetailNeverSeen:
			return "", "", now, refuse(ErrTicketNoSession, nil)
		}
		return "", "", now, refuse(ErrTicketUnknown, te)
	}
	return sessKey, judgeKey, now, nil
}

// due reports whether the platform should check the ticket's session now.
func (m *Manager) due(id TicketID, now time.Time) bool {
	if m.interval < 0 {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.checked[id]
	return !ok || now.Sub(at) >= m.interval || now.Before(at)
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

// SessionInfo describes one live session (ticket) of a user.
type SessionInfo struct {
	// ID is a handle of the session: not the ticket, and no way to one.
	ID        string    `json:"id"`
	IssuedAt  time.Time `json:"issuedAt"`
	LastUsed  time.Time `json:"lastUsed"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Current is true for the session of the User that asked.
	Current bool `json:"current"`
}

func sessionID(id TicketID) string { return hex.EncodeToString(id[:16]) }

func (m *Manager) user(u User) taro.SessionKeyID {
	id := u.id()
	if id.AppID == "" {
		id.AppID, _ = m.client.AppID(u.Platform)
	}
	return id
}

// Sessions lists the user's live sessions, oldest first: unexpired, not
// idle, and under OnePerUser only the current one, by the store's clock.
func (m *Manager) Sessions(ctx context.Context, u User) ([]SessionInfo, error) {
	uid := m.user(u)
	ul, err := m.store.UserTickets(ctx, uid)
	if err != nil {
		return nil, storeError(ctx, u.Platform, "sessions", err)
	}
	now := ul.Now
	if now.IsZero() {
		now = m.now()
	}
	out := []SessionInfo{}
	if !ul.SessionFound {
		return out, nil
	}
	for _, t := range ul.Tickets {
		r := t.Ticket
		if !now.Before(r.ExpiresAt) || (m.idle > 0 && now.Sub(r.LastUsed) >= m.idle) || (ul.LoggedOutBefore > 0 && r.Seq <= ul.LoggedOutBefore) ||
			(m.policy == OnePerUser && r.Seq != ul.Session.Seq) {
			continue
		}
		out = append(out, SessionInfo{ID: sessionID(t.ID), IssuedAt: r.IssuedAt, LastUsed: r.LastUsed, ExpiresAt: r.ExpiresAt, Current: t.ID == u.ticket})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return a.IssuedAt.Compare(b.IssuedAt) })
	return out, nil
}

// LogoutSession ends the user's session whose SessionInfo.ID is id; an id
// that is not one of the user's live sessions changes nothing.
func (m *Manager) LogoutSession(ctx context.Context, u User, id string) error {
	uid := m.user(u)
	ul, err := m.store.UserTickets(ctx, uid)
	if err != nil {
		return storeError(ctx, u.Platform, "logout", err)
	}
	for _, t := range ul.Tickets {
		if subtle.ConstantTimeCompare([]byte(sessionID(t.ID)), []byte(id)) == 1 {
			if err := m.store.DeleteTicket(ctx, t.ID, uid); err != nil {
				return storeError(ctx, u.Platform, "logout", err)
			}
		}
	}
	return nil
}

// LogoutAll ends every session of the user, on every replica sharing the
// store.
func (m *Manager) LogoutAll(ctx context.Context, u User) error {
	if err := m.store.DeleteUserTickets(ctx, m.user(u)); err != nil {
		return storeError(ctx, u.Platform, "logout", err)
	}
	return nil
}
