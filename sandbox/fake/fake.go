// Package fake is the interface between package sandbox and the fake of
// one platform: a fake (the built-in ones live beside their drivers, as
// platforms/weapp/weappfake) describes the platform and serves its real
// paths and shapes; the sandbox keeps what is platform-neutral — the clock,
// the apps, users and their keys, login codes, tokens, faults, request
// counters, the admin API and the HTTP host — and hands each handler the
// platform's State.
//
// A fake is added to a sandbox with sandbox.Options.Fakes; it is then
// served under /<platform> with the same admin API and faults as the
// built-in ones. The sandbox holds its lock while a handler runs: a
// handler uses its State freely and must not block.
package fake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/tarogo/adapter/taro"
)

// Endpoint names a server API of a platform, for fault injection and
// request counting.
type Endpoint string

// The endpoints the sandbox knows.
const (
	Code2Session Endpoint = "code2session"
	Token        Endpoint = "token"
	// ComponentToken is WeChat's api_component_token, the token of a
	// third-party platform.
	ComponentToken Endpoint = "component_token"
	CheckSession   Endpoint = "checksession"
	PhoneNumber    Endpoint = "phonenumber" // a phone-number code exchange
	ResetKey       Endpoint = "resetkey"    // a session-key reset
	CheckData      Endpoint = "checkdata"   // WeChat's checkencryptedmsg
)

// Endpoints lists every endpoint.
func Endpoints() []Endpoint {
	return []Endpoint{Code2Session, Token, CheckSession, PhoneNumber, ResetKey, CheckData, ComponentToken}
}

// FaultKind is a failure the sandbox can produce on purpose.
type FaultKind string

// The faults. Busy, RateLimit and TokenInvalid are answered with the
// platform's own error body (Platform.FaultBody); the others the sandbox
// produces itself.
const (
	Busy         FaultKind = "busy"
	RateLimit    FaultKind = "rate_limit"
	TokenInvalid FaultKind = "token_invalid"
	ServerError  FaultKind = "server_error"
	HTMLBody     FaultKind = "html"
	Truncated    FaultKind = "truncated_json"
	Reset        FaultKind = "reset"
	Slow         FaultKind = "slow"
)

// FaultKinds lists every fault kind.
func FaultKinds() []FaultKind {
	return []FaultKind{Busy, RateLimit, TokenInvalid, ServerError, HTMLBody, Truncated, Reset, Slow}
}

// The probes: answers that test a driver's discipline rather than its
// handling of an outage (the conformance kit injects them).
const (
	// EchoSecret answers the platform's busy error with the app's secret
	// echoed in its message members, as a platform that echoes its input
	// would: the driver must scrub it from every error, errMsg and log.
	EchoSecret FaultKind = "echo_secret"
	// NoMarker answers as the platform would, but without the success
	// marker the fake declares for the endpoint (SuccessMarker): the
	// driver must refuse an answer that is not an explicit yes.
	NoMarker FaultKind = "no_marker"
)

// Probes lists the probes.
func Probes() []FaultKind { return []FaultKind{EchoSecret, NoMarker} }

// MarkerDeclarer is implemented by a fake that declares, per endpoint, the
// top-level member whose presence makes a successful answer an explicit
// yes (WeChat's errcode on a check, Douyin's err_no, a login's
// session_key); fake.Spec implements it from its Markers.
type MarkerDeclarer interface {
	SuccessMarker(ep Endpoint) string
}

// AppNamer is implemented by a fake whose requests name their app: the
// request members (in the query, a form or a JSON body) that carry the
// app's id, so that a sandbox serving several apps of the platform
// answers each request as its app; fake.Spec implements it from its
// AppFields. A request that names none reaches the app whose access
// token it carries (access_token, or a bearer token), else the default
// app.
type AppNamer interface {
	AppKeys() []string
}

// App is a platform application's credentials.
type App struct {
	ID     string `json:"appid"`
	Secret string `json:"secret,omitempty"` // empty on a platform whose app has keys instead (Alipay)
	// PrivateKey is the app's own private key (PEM), for platforms that
	// use one (Douyin's phone numbers, Alipay's signatures); empty
	// elsewhere.
	PrivateKey string `json:"privateKey,omitempty"`
	// AlipayPublicKey is Alipay's public key (PEM) that the app verifies
	// answers with; empty elsewhere. Each key is named as the platform's
	// Config names it (alipay.Config.AlipayPublicKey), in camel case in
	// JSON.
	AlipayPublicKey string `json:"alipayPublicKey,omitempty"`
	// AESKey is the app's content-encryption key (base64, Alipay); empty
	// elsewhere.
	AESKey string `json:"aesKey,omitempty"`
	// AppCertificate, AlipayCertificate and AlipayRootCertificate are
	// the certificates (PEM) of Alipay's certificate mode: the app's,
	// Alipay's and the root bundle; empty elsewhere.
	AppCertificate        string `json:"appCertificate,omitempty"`
	AlipayCertificate     string `json:"alipayCertificate,omitempty"`
	AlipayRootCertificate string `json:"alipayRootCertificate,omitempty"`
}

// Platform is the fake of one platform.
type Platform interface {
	// Name is the platform, served under /<name>.
	Name() taro.Platform
	// DefaultApp is the app the fake accepts unless the sandbox's options
	// say otherwise.
	DefaultApp() App
	// CodeTTL is how long a login code lives.
	CodeTTL() time.Duration
	// NewSessionKey mints a session key in the platform's format.
	NewSessionKey() string
	// Endpoints lists the endpoints the fake serves.
	Endpoints() []Endpoint
	// TokenEndpoints lists the endpoints that take an access token (where
	// a TokenInvalid fault applies).
	TokenEndpoints() []Endpoint
	// Routes registers the fake's handlers.
	Routes(r Router)
	// FaultBody is the platform's own answer for a Busy, RateLimit or
	// TokenInvalid fault on ep.
	FaultBody(ep Endpoint, kind FaultKind) any
	// Encrypt seals payload for a user with sessionKey the way the
	// platform's client APIs do; it returns encryptedData and iv.
	Encrypt(sessionKey, appID string, payload []byte, now time.Time) (data, iv string, err error)
}

// PhoneMinter is implemented by a fake whose platform hands the client
// its phone number itself rather than a code (Alipay's
// my.getPhoneNumber): MintPhone returns the string the client API would
// hand the mini program for openid's phone. The sandbox's PhoneCode calls
// it, with its lock held.
type PhoneMinter interface {
	MintPhone(st *State, openid, phone string) (string, error)
}

// Handler serves one request with the platform's state (the sandbox's
// lock held).
type Handler func(w http.ResponseWriter, r *http.Request, st *State)

// Router registers a fake's handlers on the sandbox.
type Router interface {
	// Handle serves pattern, a method and a path relative to the
	// platform's prefix ("GET /sns/jscode2session"), as endpoint ep:
	// counted, and subject to the faults injected on ep.
	Handle(ep Endpoint, pattern string, h Handler)
}

// User is a platform user: the current session key and the unionid.
type User struct {
	Key     string
	UnionID string
}

type loginCode struct {
	openid    string
	anonymous bool
}

type phoneCode struct {
	openid, phone string
}

// CodeResult is what redeeming a code found.
type CodeResult int

// The results of redeeming a code.
const (
	CodeOK CodeResult = iota
	CodeUnknown
	CodeUsed
	CodeExpired
)

// State is one platform's state in a sandbox: apps, users, codes and
// tokens, with the sandbox's clock. The sandbox's lock guards it.
type State struct {
	platform Platform
	app      App
	now      func() time.Time
	tokenTTL time.Duration
	keepKey  bool

	codes   codeTable[loginCode]
	phones  codeTable[phoneCode]
	users   map[string]*User
	tokens  map[string]token       // token -> expiry and family
	current map[string]string      // family -> newest token
	data    map[[32]byte]time.Time // SHA-256 of encrypted data the platform produced -> when
	dataQ   [][32]byte             // data in production order, to bound it
	issued  []string
	// components are the sandbox's WeChat third-party platforms, shared
	// by every app's state (UseComponents).
	components Components
}

// NewState returns the state of p in a sandbox with the given app, clock,
// token lifetime, and whether logins keep a user's key.
func NewState(p Platform, app App, now func() time.Time, tokenTTL time.Duration, keepKey bool) *State {
	return &State{platform: p, app: app, now: now, tokenTTL: tokenTTL, keepKey: keepKey,
		codes: newCodeTable[loginCode](p.CodeTTL()), phones: newCodeTable[phoneCode](5 * time.Minute), users: map[string]*User{}, tokens: map[string]token{}, current: map[string]string{}, data: map[[32]byte]time.Time{}}
}

// App returns the credentials the platform accepts.
func (st *State) App() App { return st.app }

// UseComponents shares the sandbox's components with st.
func (st *State) UseComponents(c Components) { st.components = c }

// Component returns the component appID, if the sandbox has it.
func (st *State) Component(appID string) (*ComponentState, bool) {
	c, ok := st.components[appID]
	return c, ok
}

// Now returns the sandbox's time.
func (st *State) Now() time.Time { return st.now() }

// Login mints a login code for openid and, unless the sandbox keeps keys,
// gives the user a new session key, as the client's login() does. Past
// MaxLiveCodes live codes it fails with ErrTooManyCodes.
func (st *State) Login(openid string, anonymous bool) (string, error) {
	now := st.now()
	c, err := st.codes.mint(loginCode{openid: openid, anonymous: anonymous}, now)
	if err != nil {
		return "", err
	}
	u, ok := st.users[openid]
	if !ok {
		u = &User{UnionID: "union-" + openid}
		st.users[openid] = u
	}
	if !ok || !st.keepKey {
		u.Key = st.platform.NewSessionKey()
	}
	return c, nil
}

// Redeem consumes a login code (anonymous selects Douyin's anonymous
// codes) and returns its user's openid.
func (st *State) Redeem(c string, anonymous bool) (string, CodeResult) {
	v, r := st.codes.redeem(c, st.now(), func(v loginCode) bool { return v.anonymous == anonymous })
	return v.openid, r
}

// OpenIDs lists the platform's users, sorted.
func (st *State) OpenIDs() []string {
	out := make([]string, 0, len(st.users))
	for id := range st.users {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// CodeCount reports how many login codes the state holds.
func (st *State) CodeCount() int { return st.codes.len() }

// User returns a user.
func (st *State) User(openid string) (*User, bool) {
	u, ok := st.users[openid]
	return u, ok
}

// RotateKey gives u a new session key and returns it.
func (st *State) RotateKey(u *User) string {
	u.Key = st.platform.NewSessionKey()
	return u.Key
}

// PhoneCode mints a single-use phone-number code, valid five minutes.
func (st *State) PhoneCode(openid, phone string) (string, error) {
	return st.phones.mint(phoneCode{openid: openid, phone: phone}, st.now())
}

// RedeemPhone consumes a phone-number code and returns the number.
func (st *State) RedeemPhone(c string) (string, CodeResult) {
	v, r := st.phones.redeem(c, st.now(), nil)
	return v.phone, r
}

// maxIssued bounds the list IssuedTokens keeps.
const maxIssued = 10_000

// token is an access token's expiry and family.
type token struct {
	expires time.Time
	family  string
}

// A platform may keep families of tokens apart (WeChat's classic
// GET /cgi-bin/token and its stable token are "fully isolated"): each
// family has its own newest token, its own expiry, and a refresh in one
// leaves the other's tokens valid. The methods without a family work on
// the default family ""; every token, of any family, is accepted by the
// platform's APIs (TokenState).

// MintToken issues a new access token, which becomes the current one.
func (st *State) MintToken() (string, time.Duration) { return st.MintTokenIn("") }

// MintTokenIn is MintToken in family.
func (st *State) MintTokenIn(family string) (string, time.Duration) {
	now := st.now()
	tok := RandomHex(24)
	for t, k := range st.tokens { // forget dead tokens: the map stays bounded
		if !now.Before(k.expires) {
			delete(st.tokens, t)
		}
	}
	st.tokens[tok] = token{expires: now.Add(st.tokenTTL), family: family}
	st.current[family] = tok
	if len(st.issued) >= maxIssued {
		st.issued = append(st.issued[:0], st.issued[len(st.issued)-maxIssued/2:]...)
	}
	st.issued = append(st.issued, tok)
	return tok, st.tokenTTL
}

// CurrentToken returns the newest token and how long it has left (zero
// when there is none or it has expired).
func (st *State) CurrentToken() (string, time.Duration) { return st.CurrentTokenIn("") }

// CurrentTokenIn is CurrentToken in family.
func (st *State) CurrentTokenIn(family string) (string, time.Duration) {
	cur := st.current[family]
	k, ok := st.tokens[cur]
	if !ok {
		return cur, 0
	}
	return cur, k.expires.Sub(st.now())
}

// DropToken ends tok at once.
func (st *State) DropToken(tok string) { delete(st.tokens, tok) }

// ShortenTokens leaves every token at most five minutes to live (what a
// new token does to the old ones on WeChat's classic token, QQ and
// Douyin).
func (st *State) ShortenTokens() { st.ShortenTokensIn("") }

// ShortenTokensIn is ShortenTokens for the tokens of family only.
func (st *State) ShortenTokensIn(family string) {
	now := st.now()
	for t, k := range st.tokens {
		if k.family == family && k.expires.Sub(now) > 5*time.Minute {
			k.expires = now.Add(5 * time.Minute)
			st.tokens[t] = k
		}
	}
}

// TokenState reports whether tok is valid, and if not whether it expired.
func (st *State) TokenState(tok string) (valid, expired bool) {
	k, ok := st.tokens[tok]
	if !ok {
		return false, false
	}
	if !st.now().Before(k.expires) {
		return false, true
	}
	return true, false
}

// maxData bounds the encrypted data a state remembers producing.
const maxData = 100_000

// RecordData remembers that the platform produced encrypted data (its
// base64 text) at at, for a platform that can confirm its own data
// (WeChat's checkencryptedmsg). The oldest are forgotten past maxData.
func (st *State) RecordData(data string, at time.Time) {
	h := sha256.Sum256([]byte(data))
	if len(st.dataQ) >= maxData {
		delete(st.data, st.dataQ[0])
		st.dataQ = append(st.dataQ[:0], st.dataQ[1:]...)
	}
	st.data[h] = at
	st.dataQ = append(st.dataQ, h)
}

// DataAt reports when the platform produced the encrypted data whose
// SHA-256 (of its base64 text) is h.
func (st *State) DataAt(h [32]byte) (time.Time, bool) {
	at, ok := st.data[h]
	return at, ok
}

// ExpireTokens ends every token at once.
func (st *State) ExpireTokens() {
	clear(st.tokens)
	clear(st.current)
}

// IssuedTokens lists the tokens issued (the newest 10,000 at most).
func (st *State) IssuedTokens() []string { return slices.Clone(st.issued) }

// HTTPAnswer is a fault body answered as plain text with an HTTP status
// (a platform whose gateway answers a rate limit with 429, say) instead of
// JSON with 200.
type HTTPAnswer struct {
	Status int
	Text   string
}

// WriteJSON answers v as JSON with status 200.
func WriteJSON(w http.ResponseWriter, v any) { WriteJSONStatus(w, http.StatusOK, v) }

// WriteJSONStatus answers v as JSON with status.
func WriteJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ReadJSON decodes a JSON request body; it reports false on bad JSON.
func ReadJSON(r *http.Request, v any) bool { return json.NewDecoder(r.Body).Decode(v) == nil }

// RandomHex returns n random bytes in hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RandomKey returns n random bytes in standard base64: a session key.
func RandomKey(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
