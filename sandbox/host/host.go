// Package host is the platform-neutral part of the sandbox: the clock,
// each platform's app, users and their session keys and the rotation of
// keys at login, login and phone-number codes, access tokens, injected
// faults, request counters, the admin API and the HTTP host. It serves the
// fakes it is given (Options.Fakes) and imports none: package sandbox adds
// the built-in platforms' fakes from the bundle (package platforms).
package host

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// Endpoint names a server API, for fault injection and request counting.
type Endpoint = fake.Endpoint

// FaultKind is a failure the sandbox can produce on purpose.
type FaultKind = fake.FaultKind

// App is a platform application's credentials.
type App = fake.App

// Options configures a sandbox. The zero value is usable.
type Options struct {
	// Apps overrides the app credentials of a platform.
	Apps map[taro.Platform]App
	// Fakes are the platforms served (package sandbox adds the built-in
	// ones; a later fake of the same name replaces an earlier one).
	Fakes []fake.Platform
	// Now is the clock. Nil means the real time plus whatever Advance
	// added.
	Now func() time.Time
	// SlowDelay is how long a Slow fault delays an answer. Zero means 5s.
	// A delayed answer ends early when the client hangs up.
	SlowDelay time.Duration
	// TokenTTL is the lifetime of access tokens. Zero means 7200s.
	TokenTTL time.Duration
	// KeepKeyOnLogin makes Login keep a user's session_key instead of
	// rotating it.
	KeepKeyOnLogin bool
	// AppsPerPlatform is how many apps each platform serves from the
	// start (at most MaxApps): the default app, then copies of it whose
	// id and secret end in "-2", "-3" and so on. Zero and one mean the
	// default app only; AddApp adds more at run time.
	AppsPerPlatform int
	// Env gives the environment variables a program reads for p's app at
	// baseURL (package sandbox sets the bundle's, platforms.FromEnv's
	// names), for GET /admin/env. Nil leaves that route empty.
	Env func(p taro.Platform, app App, baseURL string) map[string]string
	// Credentials names p's app's credentials for GET /admin/apps: each by
	// its one name (the platform's Config field, in camel case: secret,
	// privateKey, alipayPublicKey, phonePrivateKey). Nil lists the App's
	// own JSON.
	Credentials func(p taro.Platform, app App) map[string]string
}

type fault struct {
	kind  FaultKind
	delay time.Duration
	app   string // "" any app of the platform
}

// periodic is a fault on every n-th request.
type periodic struct {
	kind FaultKind
	n    int
}

// platform is one served platform: its fake, its state, its faults and
// counters.
type platform struct {
	fake fake.Platform
	st   *fake.State // the default app's
	// apps are every app's state by app id, the default app's included;
	// order lists their ids as added.
	apps   map[string]*fake.State
	order  []string
	faults map[Endpoint][]fault
	every  map[Endpoint]periodic
	counts map[Endpoint]int
}

// Sandbox is the fake platforms' state and HTTP handler. It is safe for
// concurrent use.
type Sandbox struct {
	opts   Options
	mu     sync.Mutex
	offset time.Duration
	ps     map[taro.Platform]*platform
	comps  fake.Components // WeChat's third-party platforms
	mux    *http.ServeMux
	url    string
	srv    *httptest.Server
	// ev is the request log the console shows; closeOnce ends it.
	ev        *events
	closeOnce sync.Once
}

// New returns a sandbox that is not yet serving; mount Handler on a server
// of your own and call SetURL with its address.
func New(opts Options) *Sandbox {
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 5 * time.Second
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 7200 * time.Second
	}
	s := &Sandbox{opts: opts, ps: make(map[taro.Platform]*platform), comps: fake.Components{}, mux: http.NewServeMux()}
	fakes := map[taro.Platform]fake.Platform{}
	for _, f := range opts.Fakes {
		fakes[f.Name()] = f
	}
	for name, f := range fakes {
		app := f.DefaultApp()
		if a, ok := opts.Apps[name]; ok {
			app = a
		}
		pl := &platform{fake: f, apps: map[string]*fake.State{},
			faults: map[Endpoint][]fault{}, every: map[Endpoint]periodic{}, counts: map[Endpoint]int{}}
		pl.st = s.addState(pl, app)
		for i := 2; i <= opts.AppsPerPlatform && i <= MaxApps; i++ {
			s.addState(pl, numbered(app, i))
		}
		s.ps[name] = pl
		f.Routes(router{s: s, p: name})
	}
	s.ev = newEvents()
	s.admin()
	s.console()
	return s
}

// NewServer returns a sandbox serving on a new loopback port. Close it when
// done.
func NewServer(opts Options) *Sandbox {
	s := New(opts)
	s.srv = httptest.NewServer(s.Handler())
	s.url = s.srv.URL
	return s
}

// Close stops the server NewServer started.
func (s *Sandbox) Close() {
	s.closeOnce.Do(func() { close(s.ev.closed) }) // ends the consoles' live logs
	if s.srv != nil {
		s.srv.CloseClientConnections()
		s.srv.Close()
	}
}

// Handler serves the platforms (each under /<platform>) and the admin API
// (under /admin; its requests are listed in the README and in the comment
// on the admin routes). Admin requests from another site, or through a
// Host that is neither loopback nor the sandbox's address, are 403.
func (s *Sandbox) Handler() http.Handler { return s.guard(s.mux) }

// SetURL records the address the sandbox is served at, for BaseURL.
func (s *Sandbox) SetURL(u string) { s.mu.Lock(); s.url = strings.TrimRight(u, "/"); s.mu.Unlock() }

// URL returns the address the sandbox is served at.
func (s *Sandbox) URL() string { s.mu.Lock(); defer s.mu.Unlock(); return s.url }

// BaseURL returns what a driver's Config.BaseURL must be to talk to p.
func (s *Sandbox) BaseURL(p taro.Platform) string { return s.URL() + "/" + string(p) }

// Platforms lists the platforms this sandbox serves, sorted.
func (s *Sandbox) Platforms() []taro.Platform {
	ps := make([]taro.Platform, 0, len(s.ps))
	for p := range s.ps {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// App returns the credentials p accepts.
func (s *Sandbox) App(p taro.Platform) App {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.ps[p]; ok {
		return st.st.App()
	}
	return App{}
}

// HTTPClient returns a client for the sandbox's server (nil before
// NewServer).
func (s *Sandbox) HTTPClient() *http.Client {
	if s.srv == nil {
		return nil
	}
	return s.srv.Client()
}

// Now returns the sandbox's current time.
func (s *Sandbox) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Sandbox) nowLocked() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now().Add(s.offset)
	}
	return time.Now().Add(s.offset)
}

// The sandbox's bounds: what one call may inject, and what may be pending
// per platform at once.
const (
	MaxFaultsPerCall = 1000
	MaxPendingFaults = 10_000
	// MaxAdvance is how far the clock may move forward in all: a century.
	MaxAdvance = 100 * 365 * 24 * time.Hour
)

// Advance moves the sandbox's clock forward by d: codes and tokens expire.
// It refuses a negative d and any move past MaxAdvance in all, so the
// clock never overflows.
func (s *Sandbox) Advance(d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d < 0 || d > MaxAdvance || s.offset+d > MaxAdvance {
		return fmt.Errorf("sandbox: the clock moves forward by at most %s in all", MaxAdvance)
	}
	s.offset += d
	return nil
}

// platform returns p's state; s.mu is held.
func (s *Sandbox) platform(p taro.Platform) (*platform, error) {
	st, ok := s.ps[p]
	if !ok {
		return nil, fmt.Errorf("sandbox: unknown platform %q (have %v)", p, s.Platforms())
	}
	return st, nil
}

// Login does what the client's login() does: it mints a one-time login code
// for openid and, unless Options.KeepKeyOnLogin, gives the user a new
// session_key, invalidating the old one.
func (s *Sandbox) Login(p taro.Platform, openid string) (string, error) {
	return s.login(p, "", openid, false)
}

// AnonymousLogin mints a Douyin anonymous_code for an anonymous user.
func (s *Sandbox) AnonymousLogin(anonymousOpenID string) (string, error) {
	return s.login(taro.TT, "", anonymousOpenID, true)
}

// login mints a code for openid on p's app appID ("" the default app).
func (s *Sandbox) login(p taro.Platform, appID, openid string, anonymous bool) (string, error) {
	if openid == "" || len(openid) > 128 {
		return "", fmt.Errorf("sandbox: openid must be 1 to 128 bytes")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, st, err := s.app(p, appID)
	if err != nil {
		return "", err
	}
	return st.Login(openid, anonymous)
}

// CodeCount reports how many login codes p holds (live, used or expired
// but not yet purged).
func (s *Sandbox) CodeCount(p taro.Platform) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	if pl, ok := s.ps[p]; ok {
		for _, st := range pl.apps {
			n += st.CodeCount()
		}
	}
	return n
}

// PhoneCode mints a one-time phone-number code for openid's phone (what the
// client's getPhoneNumber button hands the mini program), valid five
// minutes, on a platform that exchanges such codes on its server API. On a
// platform that hands the client the number itself (Alipay), it returns
// that string instead: the envelope my.getPhoneNumber hands the mini
// program, signed and encrypted for the app.
func (s *Sandbox) PhoneCode(p taro.Platform, openid, phone string) (string, error) {
	return s.phoneCode(p, "", openid, phone)
}

func (s *Sandbox) phoneCode(p taro.Platform, appID, openid, phone string) (string, error) {
	if openid == "" || len(openid) > 128 || phone == "" || len(phone) > 32 {
		return "", fmt.Errorf("sandbox: openid must be 1 to 128 bytes and the phone number 1 to 32")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pl, st, err := s.app(p, appID)
	if err != nil {
		return "", err
	}
	if m, ok := pl.fake.(fake.PhoneMinter); ok {
		return m.MintPhone(st, openid, phone)
	}
	if !slices.Contains(pl.fake.Endpoints(), fake.PhoneNumber) {
		return "", fmt.Errorf("sandbox: %s has no phone-number codes (its phone numbers come as encryptedData: use Encrypt)", p)
	}
	return st.PhoneCode(openid, phone)
}

// Encrypt encrypts the JSON payload for openid with the user's current
// session key, as p's client APIs do (WeChat, QQ, Douyin and Kuaishou:
// AES-128-CBC with a watermark naming the app; Baidu: AES-192-CBC with its
// random prefix, length and app-key suffix). It returns encryptedData and
// iv.
func (s *Sandbox) Encrypt(p taro.Platform, openid string, payload []byte) (encryptedData, iv string, err error) {
	return s.encrypt(p, "", openid, payload)
}

func (s *Sandbox) encrypt(p taro.Platform, appID, openid string, payload []byte) (encryptedData, iv string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pl, st, err := s.app(p, appID)
	if err != nil {
		return "", "", err
	}
	u, ok := st.User(openid)
	if !ok {
		return "", "", fmt.Errorf("sandbox: %s has no user %q (log in first)", p, openid)
	}
	now := s.nowLocked()
	data, iv, err := pl.fake.Encrypt(u.Key, st.App().ID, payload, now)
	if err == nil {
		st.RecordData(data, now)
	}
	return data, iv, err
}

// SessionKey returns the user's current session_key on p.
func (s *Sandbox) SessionKey(p taro.Platform, openid string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, st, err := s.app(p, "")
	if err != nil {
		return "", false
	}
	u, ok := st.User(openid)
	if !ok {
		return "", false
	}
	return u.Key, true
}

// IssuedTokens lists the access tokens p has issued to its apps (the
// newest 10,000 at most of each), for tests that must prove a token never
// leaks.
func (s *Sandbox) IssuedTokens(p taro.Platform) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	pl, err := s.platform(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, id := range pl.order {
		out = append(out, pl.apps[id].IssuedTokens()...)
	}
	return out
}

// ExpireTokens makes every access token of p's apps invalid at once.
func (s *Sandbox) ExpireTokens(p taro.Platform) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pl, err := s.platform(p); err == nil {
		for _, st := range pl.apps {
			st.ExpireTokens()
		}
	}
}
