// Package sandbox is an in-process stand-in for the open APIs of the
// mini-program platforms — every built-in platform of the bundle (package
// platforms; sandbox.Platforms lists them) by default, and
// any platform whose fake a caller adds — speaking their real paths, JSON
// shapes and error codes, for tests, the demo and users' own integration
// tests in any language.
//
// The platform-neutral host (package sandbox/host) keeps the clock, each
// platform's app, users and their session keys and the rotation of keys at
// login, login and phone-number codes, access tokens, injected faults,
// request counters, the admin API and the HTTP host. Each platform's paths
// and shapes are its fake's (package sandbox/fake), which lives beside its
// driver (platforms/weapp/weappfake and so on); this package adds the
// bundle's fakes to the host, and Options.Fakes adds more.
//
// Like the real platforms it is stateful and strict: each platform serves
// a default app with an id and a secret, and as many more as AddApp (or
// Options.AppsPerPlatform) adds, each with its own users, codes and tokens; Login mints a one-time login code for a user
// (valid five minutes, ten on Baidu) and, like the client's login(), rotates
// the user's session_key; access tokens expire; session checks verify the
// login-state signature against the user's current key. A settable clock,
// fault injection and per-endpoint request counters make failures
// reproducible.
//
// Each platform is served under its own path prefix: point a driver's
// Config.BaseURL at BaseURL(platform).
//
//	sb := sandbox.NewServer(sandbox.Options{})
//	defer sb.Close()
//	d, _ := weapp.New(weapp.Config{AppID: sb.App(taro.Weapp).ID, Secret: sb.App(taro.Weapp).Secret, BaseURL: sb.BaseURL(taro.Weapp)})
//	code, _ := sb.Login(taro.Weapp, "user-1")
package sandbox

import (
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/sandbox/host"
	"github.com/tarogo/adapter/taro"
)

// Sandbox is the fake platforms' state and HTTP handler. It is safe for
// concurrent use. It is package sandbox/host's type, where go doc shows
// each method (go doc github.com/tarogo/adapter/sandbox/host Sandbox.Login):
//
//   - users and codes: Login, AnonymousLogin, PhoneCode, Encrypt,
//     SessionKey, CodeCount, and for an app other than the default one
//     LoginApp, PhoneCodeApp, EncryptApp;
//   - the clock: Now, Advance;
//   - faults and counters: Inject, InjectApp, InjectDelay, InjectEvery, PendingFaults,
//     ClearFaults, Requests, ResetCounters, Events;
//   - tokens: IssuedTokens, ExpireTokens;
//   - WeChat's third-party platforms: AddComponent, Authorize, PushTicket,
//     PushTicketContext, Components, ExpireComponentTokens;
//   - apps and addresses: App, Apps, AddApp, Platforms, BaseURL, URL, SetURL,
//     HTTPClient, EnvLines;
//   - serving: Handler, Close.
type Sandbox = host.Sandbox

// Options configures a sandbox. The zero value is usable and serves every
// built-in platform.
type Options = host.Options

// App is a platform application's credentials.
type App = fake.App

// Component is a WeChat third-party platform's credentials: AppID,
// Secret, Token and EncodingAESKey.
type Component = fake.Component

// ComponentInfo is a component as Components lists it.
type ComponentInfo = host.ComponentInfo

// Event is one request a fake answered, as the console's live log shows
// it (no query, body or header).
type Event = host.Event

// Endpoint names a server API, for fault injection and request counting.
type Endpoint = fake.Endpoint

// FaultKind is a failure the sandbox can produce on purpose.
type FaultKind = fake.FaultKind

// The endpoints (defined in package sandbox/fake).
const (
	Code2Session = fake.Code2Session
	Token        = fake.Token
	CheckSession = fake.CheckSession
	PhoneNumber  = fake.PhoneNumber // WeChat's getuserphonenumber
	ResetKey     = fake.ResetKey    // WeChat's resetusersessionkey, Douyin's reset_session_key
	CheckData    = fake.CheckData   // WeChat's checkencryptedmsg
	// ComponentToken is WeChat's api_component_token (a third-party
	// platform's token).
	ComponentToken = fake.ComponentToken
)

// The faults (defined in package sandbox/fake).
const (
	Busy         = fake.Busy         // the platform's "system busy" error answer
	RateLimit    = fake.RateLimit    // the platform's quota error answer
	TokenInvalid = fake.TokenInvalid // the platform's "access token invalid" answer
	ServerError  = fake.ServerError  // HTTP 502 with a text body
	HTMLBody     = fake.HTMLBody     // HTTP 200 with an HTML error page
	Truncated    = fake.Truncated    // HTTP 200 with JSON cut off mid-object
	Reset        = fake.Reset        // the connection closed without an answer
	Slow         = fake.Slow         // the answer delayed (Options.SlowDelay or InjectDelay)
)

// Limits of the clock, of fault injection and of apps.
const (
	MaxApps          = host.MaxApps
	MaxAdvance       = host.MaxAdvance
	MaxFaultsPerCall = host.MaxFaultsPerCall
	MaxPendingFaults = host.MaxPendingFaults
)

// Endpoints lists every endpoint.
func Endpoints() []Endpoint { return fake.Endpoints() }

// FaultKinds lists every fault kind.
func FaultKinds() []FaultKind { return fake.FaultKinds() }

// withBuiltins puts the built-in fakes before opts.Fakes, which may
// replace them.
func withBuiltins(opts Options) Options {
	opts.Fakes = append(Builtins(), opts.Fakes...)
	if opts.Env == nil {
		opts.Env = AppEnv
	}
	if opts.Credentials == nil {
		opts.Credentials = Credentials
	}
	return opts
}

// New returns a sandbox serving the built-in platforms and opts.Fakes that
// is not yet serving; mount Handler on a server of your own and call
// SetURL with its address.
func New(opts Options) *Sandbox { return host.New(withBuiltins(opts)) }

// NewServer returns a sandbox serving the built-in platforms and
// opts.Fakes on a new loopback port. Close it when done.
func NewServer(opts Options) *Sandbox { return host.NewServer(withBuiltins(opts)) }

// DefaultApps are the credentials each built-in platform accepts unless
// Options.Apps says otherwise.
var DefaultApps = func() map[taro.Platform]App {
	m := map[taro.Platform]App{}
	for _, f := range Builtins() {
		m[f.Name()] = f.DefaultApp()
	}
	return m
}()

// Platforms lists the built-in platforms, sorted.
func Platforms() []taro.Platform { return platforms.Names() }
