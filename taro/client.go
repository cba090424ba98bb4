package taro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/unsupported"
)

// API names, as they appear in errMsg.
const (
	APICheckSession   = "checkSession"
	APICode2Session   = "code2Session"
	APIDecrypt        = "decrypt"
	APIVerifyRawData  = "verifyRawData"
	APIGetPhoneNumber = "getPhoneNumber"
	APIResetSession   = "resetSession"
	APIAccessToken    = "accessToken"
)

// Config configures a Client. The zero value is usable.
type Config struct {
	// Drivers serve the platforms. H5, RN and Harmony are served by
	// not-supported drivers unless a driver here claims them.
	Drivers []Driver
	// Apps looks up the apps Drivers does not hold, when a call names
	// one (Option.AppID, …): thousands of apps kept as data, built on
	// first use. Nil: only Drivers. SettingsSource builds drivers from
	// a row of settings.
	Apps AppSource
	// AppTTL is how long a driver from Apps is used before Apps is asked
	// again (a rotated secret is used after it, or at once after
	// ForgetApp). Zero means DefaultAppTTL, a minute.
	AppTTL time.Duration
	// MaxApps bounds the drivers from Apps the client keeps, the least
	// recently used dropped first. Zero means DefaultMaxApps, 10,000.
	MaxApps int
	// Sessions records logins and answers session checks on platforms
	// without a server-side check. Nil means a new MemorySessionStore.
	Sessions SessionStore
	// Tokens caches access tokens. Nil means a new MemoryTokenStore.
	Tokens TokenStore
	// MaxSessionAge, when positive, makes a session older than this
	// invalid without asking the platform. The age is measured by the
	// session store's clock (SessionRecord.IssuedAt and ReadAt), never the
	// replica's.
	MaxSessionAge time.Duration
	// DecryptFailures is the failure budget of Decrypt per session key:
	// after that many failed Decrypts with one key, Decrypt refuses the
	// key (ErrSessionInvalid, whatever data it is given) until a newer
	// login records another key, or an hour after the first failure.
	// The count is kept in the session store (a DecryptLimiter), so it
	// holds across replicas. Zero means 5; negative means no limit.
	DecryptFailures int
	// Retry bounds retries of transient failures.
	Retry RetryPolicy
	// Logger receives debug records of retries and token fetches. Nil
	// means silence. Records never hold a secret.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TracerProvider makes the client's spans: one per API call, named
	// after the API, with a child per platform HTTP attempt and per store
	// and token operation. Nil means the global provider (otel.
	// GetTracerProvider). Only OpenTelemetry's API is used; bring the SDK
	// and the exporters.
	TracerProvider trace.TracerProvider
	// MeterProvider makes the client's metrics (taro.calls,
	// taro.call.duration, taro.token.fetches, taro.store.operations). Nil
	// means the global provider (otel.GetMeterProvider).
	MeterProvider metric.MeterProvider
}

// Client dispatches the portable API to platform drivers. It is safe for
// concurrent use.
type Client struct {
	mu            sync.RWMutex
	drivers       map[Platform]*apps
	sourced       *sourced // the apps of Config.Apps; nil without
	sessions      SessionStore
	tokenStore    TokenStore
	retry         RetryPolicy
	maxAge        time.Duration
	decryptBudget int
	limiter       DecryptLimiter
	claims        EnvelopeClaimer
	log           *slog.Logger
	now           func() time.Time
	realClock     bool // now is time.Now: a call's metrics start may stand for it
	// The providers of Config (nil: the global ones) and the telemetry
	// made for the providers last seen.
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	telCache       atomic.Pointer[telemetry]
	// memoryStore is set when Config.Sessions was nil: the session store
	// is this process's memory, which the operator is told about once.
	memoryStore bool
	warnOnce    sync.Once
}

// entry is a registered driver with its token source. Its capabilities
// are found on each call (driver.Offers), so that adding one touches only
// package driver and the method that uses it.
type entry struct {
	d        Driver
	traits   driver.Traits // read once, when the driver is added
	tokenKey string
	source   *TokenSource // the app's access token, when the driver fetches one
	builtin  bool
}

// apps are the drivers of one platform, one per app id, in the order they
// were added.
type apps struct {
	byID  map[string]*entry
	order []*entry
}

func (a *apps) only() (*entry, bool) {
	if len(a.order) == 1 {
		return a.order[0], true
	}
	return nil, false
}

// New returns a client configured by cfg. It fails with ErrInvalidArgument
// on a nil driver, a driver with an invalid platform, or two drivers for one
// platform and app id. Several drivers of one platform with different app
// ids serve several apps; callers choose one with the options' AppID.
func New(cfg Config) (*Client, error) {
	c := &Client{
		drivers:  make(map[Platform]*apps),
		sessions: cfg.Sessions,
		retry:    cfg.Retry.withDefaults(),
		maxAge:   cfg.MaxSessionAge,
		log:      cfg.Logger,
		now:      cfg.Now,
		sourced:  newSourced(cfg),
	}
	if c.now == nil {
		c.now, c.realClock = time.Now, true
	}
	c.tracerProvider, c.meterProvider = cfg.TracerProvider, cfg.MeterProvider
	if c.sessions == nil {
		c.sessions = &MemorySessionStore{Now: c.now}
		c.memoryStore = true
	}
	switch {
	case cfg.DecryptFailures == 0:
		c.decryptBudget = DefaultDecryptFailures
	case cfg.DecryptFailures > 0:
		c.decryptBudget = cfg.DecryptFailures
	}
	if l, ok := c.sessions.(DecryptLimiter); ok {
		c.limiter = l
	} else {
		c.limiter = &MemorySessionStore{Now: c.now}
	}
	if cl, ok := c.sessions.(EnvelopeClaimer); ok {
		c.claims = cl
	} else {
		c.claims = &MemorySessionStore{Now: c.now}
	}
	ts := cfg.Tokens
	if ts == nil {
		ts = NewMemoryTokenStore()
	}
	c.tokenStore = ts
	for _, d := range unsupported.Defaults() {
		e := c.newEntry(d, true)
		c.drivers[d.Platform()] = &apps{byID: map[string]*entry{d.AppID(): e}, order: []*entry{e}}
	}
	for _, d := range cfg.Drivers {
		if err := c.add(d); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// NewClient returns a client serving drivers with the default Config.
func NewClient(drivers ...Driver) (*Client, error) { return New(Config{Drivers: drivers}) }

func (c *Client) newEntry(d Driver, builtin bool) *entry {
	e := &entry{d: d, traits: driver.TraitsOf(d), builtin: builtin, tokenKey: string(d.Platform()) + ":" + d.AppID()}
	if f, ok := driver.Offers[driver.TokenFetcher](d, driver.CapTokenFetcher); ok {
		e.source = NewTokenSource(c.tokenStore, e.tokenKey, f.FetchToken,
			TokenSourceOptions{Now: c.now, Logger: c.log, Platform: d.Platform()})
		p := d.Platform()
		e.source.fetched = func(ctx context.Context) {
			if t := c.tele(); !t.noMetrics {
				t.tokenFetches.Add(ctx, 1, metric.WithAttributes(attrPlatform.String(string(p))))
			}
		}
	}
	return e
}

// Register adds d to the client. It fails with ErrInvalidArgument on a nil
// driver, an invalid platform name or a platform and app id that already
// have a driver registered by the caller; the built-in not-supported
// drivers for H5, RN and Harmony may be replaced once.
func (c *Client) Register(d Driver) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.add(d)
}

func (c *Client) add(d Driver) error {
	if d == nil || isNilDriver(d) {
		return &Error{API: "register", Code: CodeInvalidArgument, Detail: "driver is nil"}
	}
	p := d.Platform()
	if detail := checkText("Platform", string(p), maxPlatformLen); detail != "" {
		return &Error{API: "register", Code: CodeInvalidArgument, Detail: detail}
	}
	id := d.AppID()
	a, ok := c.drivers[p]
	if !ok || a.order[0].builtin {
		a = &apps{byID: map[string]*entry{}}
		c.drivers[p] = a
	}
	if _, dup := a.byID[id]; dup {
		return &Error{Platform: p, API: "register", Code: CodeInvalidArgument, Detail: "a driver for platform " + string(p) + " and this app id is already registered"}
	}
	e := c.newEntry(d, false)
	a.byID[id] = e
	a.order = append(a.order, e)
	if c.sourced != nil {
		c.sourced.forget(appKey{p, id}) // a registered app is never served from the source
	}
	return nil
}

// isNilDriver reports whether d is a typed nil pointer (or map, func...).
func isNilDriver(d Driver) bool {
	v := reflect.ValueOf(d)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Slice, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// Platforms lists the platforms the client serves, sorted.
func (c *Client) Platforms() []Platform {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ps := make([]Platform, 0, len(c.drivers))
	for p := range c.drivers {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// lookup returns the driver of platform p and app appID; an empty appID
// means the platform's only app.
func (c *Client) lookup(api string, p Platform, appID string) (*entry, *Error) {
	if detail := checkText("Platform", string(p), maxPlatformLen); detail != "" {
		return nil, &Error{API: api, Code: CodeInvalidArgument, Detail: detail}
	}
	if len(appID) > maxFieldLen {
		return nil, &Error{Platform: p, API: api, Code: CodeInvalidArgument, Detail: fmt.Sprintf("AppID must be at most %d bytes", maxFieldLen)}
	}
	c.mu.RLock()
	a, ok := c.drivers[p]
	var e *entry
	several := false
	if ok {
		if appID == "" {
			e, ok = a.only()
			several = !ok
		} else {
			e, ok = a.byID[appID]
		}
	}
	c.mu.RUnlock()
	switch {
	case several:
		return nil, &Error{Platform: p, API: api, Code: CodeInvalidArgument, Detail: DetailAppIDRequired}
	case !ok && a != nil:
		// The errMsg names neither app id; the Go error lists what is
		// registered.
		return nil, &Error{Platform: p, API: api, Code: CodeNoDriver,
			Detail: fmt.Sprintf("platform %q has no such app", string(p)),
			Err:    errors.New("the platform's app ids: " + strings.Join(c.AppIDs(p), ", "))}
	case !ok:
		names := make([]string, 0, 8)
		for _, q := range c.Platforms() {
			names = append(names, string(q))
		}
		// The errMsg, which may reach a mini program's users, names only
		// the platform asked for; the Go error lists what is registered.
		return nil, &Error{Platform: p, API: api, Code: CodeNoDriver,
			Detail: fmt.Sprintf("platform %q has none", string(p)),
			Err:    errors.New("drivers are registered for: " + strings.Join(names, ", "))}
	}
	return e, nil
}

// AppIDs lists the app ids the client serves on p, in the order their
// drivers were added.
func (c *Client) AppIDs(p Platform) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.drivers[p]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(a.order))
	for _, e := range a.order {
		out = append(out, e.d.AppID())
	}
	return out
}

// AppID returns the app id of p's only driver, and false when p has no
// driver or several (AppIDs lists them).
func (c *Client) AppID(p Platform) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.drivers[p]
	if !ok {
		return "", false
	}
	e, ok := a.only()
	if !ok {
		return "", false
	}
	return e.d.AppID(), true
}

// Sessions returns the client's session store.
func (c *Client) Sessions() SessionStore { return c.sessions }

// Fingerprint returns the fingerprint the client's session store keeps for
// sessionKey (keyed when the store is a Fingerprinter).
func (c *Client) Fingerprint(sessionKey string) Fingerprint { return c.fingerprint(sessionKey) }
