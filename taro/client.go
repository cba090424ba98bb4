package taro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/unsupported"
)

// API names, as they appear in errMsg.
const (
	APICheckSession = "checkSession"
	APICode2Session = "code2Session"
)

// RetryPolicy bounds the retries of transient failures (CodeUnavailable).
// Rate limits are never retried; a rejected access token is dropped and the
// call made again exactly once.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, including the first.
	// Zero means 3; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff before the first retry, doubled before each
	// further one up to MaxDelay, with full jitter. Zero means 50ms and 1s.
	BaseDelay, MaxDelay time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 50 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = time.Second
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	return p
}

// backoff returns the jittered delay before retry n (n ≥ 1).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay << (n - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// Config configures a Client. The zero value is usable.
type Config struct {
	// Drivers serve the platforms. H5, RN and Harmony are served by
	// not-supported drivers unless a driver here claims them.
	Drivers []Driver
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
}

// Client dispatches the portable API to platform drivers. It is safe for
// concurrent use.
type Client struct {
	mu            sync.RWMutex
	drivers       map[Platform]*apps
	sessions      SessionStore
	tokenStore    TokenStore
	retry         RetryPolicy
	maxAge        time.Duration
	decryptBudget int
	limiter       DecryptLimiter
	log           *slog.Logger
	now           func() time.Time
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
	}
	if c.now == nil {
		c.now = time.Now
	}
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
	e := &entry{d: d, builtin: builtin, tokenKey: string(d.Platform()) + ":" + d.AppID()}
	if f, ok := driver.Offers[driver.TokenFetcher](d, driver.CapTokenFetcher); ok {
		e.source = NewTokenSource(c.tokenStore, e.tokenKey, f.FetchToken,
			TokenSourceOptions{Now: c.now, Logger: c.log, Platform: d.Platform()})
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

// DetailAppIDRequired is the detail of a call without an AppID on a
// platform the client serves several apps of.
const DetailAppIDRequired = "AppID is required: the platform has several apps"

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

// Serves reports whether the client has a driver for platform p and app
// appID.
func (c *Client) Serves(p Platform, appID string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.drivers[p]
	if !ok {
		return false
	}
	_, ok = a.byID[appID]
	return ok
}

// CheckSession reports whether opt.Session is still valid on opt.Platform,
// following the callback contract in the package documentation.
func (c *Client) CheckSession(ctx context.Context, opt Option) (CallbackResult, error) {
	if err := c.checkSession(ctx, &opt); err != nil {
		return finish(CallbackResult{ErrMsg: APICheckSession + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err, opt.Success, opt.Fail, opt.Complete)
	}
	return finish(CallbackResult{ErrMsg: APICheckSession + ":ok"}, nil, opt.Success, opt.Fail, opt.Complete)
}

func (c *Client) checkSession(ctx context.Context, opt *Option) *Error {
	const api = APICheckSession
	t := target{api, opt.Platform, opt.AppID}
	p := t.p
	bad := t.invalid(checkText("Session.OpenID", opt.Session.OpenID, maxFieldLen))
	if bad == nil {
		bad = checkKey(p, api, opt.Session.SessionKey)
	}
	e, _, perr := begin[Driver](ctx, c, t, bad, "")
	if perr != nil {
		return perr
	}
	// The platform's check, or the store alone for a platform without one
	// (the store knows the logins Code2Session recorded).
	checker, hasChecker := driver.Offers[driver.SessionChecker](e.d, driver.CapSessionChecker)
	if !hasChecker && !driver.Has(e.d, driver.CapAuthenticator) {
		return &Error{Platform: p, API: api, Code: CodeNotSupported}
	}
	secrets := callSecrets{SessionKey: opt.Session.SessionKey}

	// The store first: a superseded or too old session is invalid without
	// any network call.
	id := SessionKeyID{Platform: p, AppID: e.d.AppID(), OpenID: opt.Session.OpenID}
	rec, found, err := c.sessions.LookupSession(ctx, id)
	if err != nil {
		return c.storeFailure(ctx, p, api, err, secrets)
	}
	if found || !hasChecker {
		if jerr := c.judge(ctx, api, p, opt.Session.SessionKey, rec, found); jerr != nil {
			return jerr
		}
	}
	if !hasChecker {
		return nil
	}
	req := driver.CheckRequest{OpenID: opt.Session.OpenID, SessionKey: opt.Session.SessionKey}
	return c.do(ctx, e, api, true, &secrets, func(token string) error {
		req.AccessToken = token
		return checker.CheckSession(ctx, req)
	})
}

// DefaultDecryptFailures is the Decrypt failure budget of a zero
// Config.DecryptFailures.
const DefaultDecryptFailures = 5

// JudgeSession is the session store's verdict on a session, given rec, the
// record the caller fetched from the client's session store for the
// session's user (found false when there was none). It is the one place
// the verdict is decided, for CheckSession and for package login: nil when
// the record is there, holds the session key's fingerprint and is not
// older than Config.MaxSessionAge by the store's clock; otherwise an
// *Error with ErrSessionInvalid and the reason (DetailNeverSeen,
// DetailSuperseded, DetailTooOld). An empty sessionKey means the caller
// does not hold the key the record names (package login under PerDevice,
// while a newer login's ticket is not stored yet): only the record's
// presence and age are judged then. It asks no platform: on weapp and
// Douyin mini-games a nil verdict is what makes a platform check worth
// asking. api names the call in the error.
func (c *Client) JudgeSession(ctx context.Context, api string, p Platform, sessionKey string, rec SessionRecord, found bool) error {
	if err := c.judge(ctx, api, p, sessionKey, rec, found); err != nil {
		return err
	}
	return nil
}

func (c *Client) judge(ctx context.Context, api string, p Platform, sessionKey string, rec SessionRecord, found bool) *Error {
	if !found {
		err := &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: DetailNeverSeen}
		if c.memoryStore {
			// The errMsg stays as it is (it may reach users); the Go
			// error and the log tell the operator why.
			err.Err = errPerProcessStore
			c.warnOnce.Do(func() {
				if c.log != nil {
					c.log.LogAttrs(ctx, slog.LevelWarn, "taro: "+errPerProcessStore.Error(), slog.String("platform", string(p)))
				}
			})
		}
		return err
	}
	if sessionKey != "" && !rec.Fingerprint.Equal(c.fingerprint(sessionKey)) {
		return &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: DetailSuperseded}
	}
	if c.maxAge > 0 {
		now := rec.ReadAt
		if now.IsZero() {
			now = c.now()
		}
		if now.Sub(rec.IssuedAt) > c.maxAge {
			return &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: DetailTooOld}
		}
	}
	return nil
}

// DetailNoSessionKey explains an empty Session.SessionKey: on Douyin an
// anonymous login (anonymous_code only) yields no session key.
const DetailNoSessionKey = "Session.SessionKey is empty: a session needs the key Code2Session returned (an anonymous login has none; log in with a code)"

// fingerprint is the store's fingerprint of a session key: its own keyed
// one when it is a Fingerprinter, else FingerprintOf.
func (c *Client) fingerprint(sessionKey string) Fingerprint {
	if f, ok := c.sessions.(Fingerprinter); ok {
		return f.Fingerprint(sessionKey)
	}
	return FingerprintOf(sessionKey)
}

// errPerProcessStore explains a "no login recorded" verdict from the
// default, in-memory session store.
var errPerProcessStore = errors.New("the session store is this process's memory (taro.Config.Sessions is nil): " +
	"logins recorded by other replicas or before a restart are not seen; share a store such as " +
	"github.com/tarogo/adapter/store/redisstore")

// DetailStoreUnavailable is the detail of a failure of the session store.
const DetailStoreUnavailable = "session store unavailable"

// The details of a session-store verdict, in errMsg after "session invalid: ".
const (
	DetailSuperseded = "superseded by a newer login"
	DetailTooOld     = "older than the maximum session age"
	DetailNeverSeen  = "no login recorded for this user"
)

// do runs call with the client's policy: an access token when the driver
// needs one, one retry after a rejected token, bounded jittered retries of
// transient failures within ctx, and error wrapping.
func (c *Client) do(ctx context.Context, e *entry, api string, needToken bool, secrets *callSecrets, call func(token string) error) *Error {
	p := e.d.Platform()
	rejected := false // the platform rejected a token during this call
	var err error
	for attempt := 1; ; attempt++ {
		var tok string
		err = nil
		if needToken && e.source != nil {
			tok, err = e.source.Token(ctx)
			secrets.Token = tok
		}
		if err == nil {
			err = call(tok)
			if err == nil {
				return nil
			}
		}
		if cerr := ctx.Err(); cerr != nil {
			return redact(ctxError(p, api, cerr, err), secrets)
		}
		code := CodeOf(err)
		switch {
		case code == CodeTokenInvalid && tok != "" && !rejected:
			rejected = true
			if ierr := e.source.Invalidate(ctx, tok); ierr != nil {
				return redact(c.wrap(p, api, ierr), secrets)
			}
			c.debug(ctx, "taro: access token rejected; refetching", p, api, attempt, code)
			continue
		case code == CodeUnavailable && attempt < c.retry.MaxAttempts:
			delay := c.retry.backoff(attempt)
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
				return redact(c.wrap(p, api, err), secrets)
			}
			c.debug(ctx, "taro: transient failure; retrying", p, api, attempt, code)
			if serr := sleepCtx(ctx, delay); serr != nil {
				return redact(ctxError(p, api, serr, err), secrets)
			}
			continue
		}
		return redact(c.wrap(p, api, err), secrets)
	}
}

func (c *Client) debug(ctx context.Context, msg string, p Platform, api string, attempt int, code Code) {
	if c.log == nil {
		return
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("platform", string(p)),
		slog.String("api", api), slog.Int("attempt", attempt), slog.String("code", code.String()))
}

// wrap turns a driver's error into an *Error.
func (c *Client) wrap(p Platform, api string, err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	out := &Error{Platform: p, API: api, Code: CodeUnknown, Err: err}
	var de *driver.Error
	if errors.As(err, &de) {
		out.Code = de.Code
		out.PlatformCode = de.PlatformCode
		out.PlatformMessage = de.PlatformMessage
		if de == err {
			// Its code and platform fields are now ours; keep only the cause.
			out.Err = de.Err
		}
	}
	if out.Code == CodeOK || !out.Code.Valid() {
		out.Code = CodeUnknown
	}
	return out
}

func ctxError(p Platform, api string, cerr, last error) *Error {
	code := CodeCanceled
	if errors.Is(cerr, context.DeadlineExceeded) {
		code = CodeDeadlineExceeded
	}
	if last != nil {
		cerr = &ctxCause{ctx: cerr, last: last.Error()}
	}
	return &Error{Platform: p, API: api, Code: code, Err: cerr}
}

// ctxCause is a context error with the failure of the last attempt, kept as
// text so that errors.Is on the result matches the context error only.
type ctxCause struct {
	ctx  error
	last string
}

func (e *ctxCause) Error() string { return e.ctx.Error() + " (last attempt: " + e.last + ")" }
func (e *ctxCause) Unwrap() error { return e.ctx }

// callSecrets are the secrets a call knows, by name; redact removes them
// from the call's errors.
type callSecrets struct {
	SessionKey string // the caller's session key
	NewKey     string // a session key the platform answered with
	Token      string // the access token the call used
}

func (s *callSecrets) list() []string { return []string{s.SessionKey, s.NewKey, s.Token} }

// redact removes secrets from every part of e: its detail, the platform's
// message and every layer of its cause (see driver.RedactError). Drivers
// keep their own secrets out of errors; this is the portable layer's second
// line of defence for the secrets it knows (the session key and the access
// token).
func redact(e *Error, s *callSecrets) *Error {
	list := s.list()
	e.Detail, _ = driver.RedactText(e.Detail, list...)
	e.PlatformMessage, _ = driver.RedactText(e.PlatformMessage, list...)
	e.Err = driver.RedactError(e.Err, list...)
	return e
}

// Code2Session exchanges a login code for a session (the server half of
// Taro.login) and records it in the session store, following the callback
// contract in the package documentation with "code2Session" as the API name.
func (c *Client) Code2Session(ctx context.Context, opt LoginOption) (LoginResult, error) {
	resp, rec, err := c.code2Session(ctx, &opt)
	if err != nil {
		return finish(LoginResult{ErrMsg: APICode2Session + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err, opt.Success, opt.Fail, opt.Complete)
	}
	return finish(LoginResult{ErrMsg: APICode2Session + ":ok", AppID: opt.AppID, OpenID: resp.OpenID, UnionID: resp.UnionID,
		AnonymousOpenID: resp.AnonymousOpenID, Session: Session{OpenID: resp.OpenID, SessionKey: resp.SessionKey}, Record: rec},
		nil, opt.Success, opt.Fail, opt.Complete)
}

func (c *Client) code2Session(ctx context.Context, opt *LoginOption) (driver.LoginResponse, SessionRecord, *Error) {
	const api = APICode2Session
	var resp driver.LoginResponse
	t := target{api, opt.Platform, opt.AppID}
	var bad *Error
	switch {
	case opt.Code == "" && opt.AnonymousCode == "":
		bad = t.invalid("Code and AnonymousCode are both empty")
	case opt.Code != "" && checkText("Code", opt.Code, maxFieldLen) != "":
		bad = t.invalid(checkText("Code", opt.Code, maxFieldLen))
	case opt.AnonymousCode != "":
		bad = t.invalid(checkText("AnonymousCode", opt.AnonymousCode, maxFieldLen))
	}
	e, auth, perr := begin[driver.Authenticator](ctx, c, t, bad, driver.CapAuthenticator)
	if perr != nil {
		return resp, SessionRecord{}, perr
	}
	opt.AppID = e.d.AppID() // the result names the app
	var secrets callSecrets
	if err := c.do(ctx, e, api, false, &secrets, func(string) error {
		r, err := auth.Code2Session(ctx, driver.LoginRequest{Code: opt.Code, AnonymousCode: opt.AnonymousCode})
		if err != nil {
			return err
		}
		anonymousOnly := opt.Code == "" && r.OpenID == "" && r.SessionKey == "" && r.AnonymousOpenID != ""
		if !anonymousOnly && (r.SessionKey == "" || r.OpenID == "") {
			return driver.Errorf(driver.CodeUnavailable, "platform answered without an openid or session key")
		}
		resp = r
		return nil
	}); err != nil {
		return resp, SessionRecord{}, err
	}
	if resp.SessionKey == "" {
		// An anonymous login: there is no session to record.
		return resp, SessionRecord{}, nil
	}
	rec, err := c.record(ctx, e, api, resp, callSecrets{NewKey: resp.SessionKey})
	if err != nil {
		return driver.LoginResponse{}, SessionRecord{}, err
	}
	return resp, rec, nil
}

// record makes resp the newest session of its user in the session store
// and returns the record as the store kept it (its Seq and the store's
// IssuedAt). A login (or reset) that could not be recorded hands out no
// session.
func (c *Client) record(ctx context.Context, e *entry, api string, resp driver.LoginResponse, secrets callSecrets) (SessionRecord, *Error) {
	p := e.d.Platform()
	id := SessionKeyID{Platform: p, AppID: e.d.AppID(), OpenID: resp.OpenID}
	rec, err := c.sessions.RecordSession(ctx, id, SessionRecord{Fingerprint: c.fingerprint(resp.SessionKey), IssuedAt: c.now()})
	if err != nil {
		return SessionRecord{}, c.storeFailure(ctx, p, api, err, secrets)
	}
	if rec.IssuedAt.IsZero() {
		rec.IssuedAt = c.now()
	}
	return rec, nil
}

// storeFailure is the error of a session store that failed a call, with
// the call's secrets redacted.
func (c *Client) storeFailure(ctx context.Context, p Platform, api string, err error, secrets callSecrets) *Error {
	if cerr := ctx.Err(); cerr != nil {
		return redact(ctxError(p, api, cerr, err), &secrets)
	}
	return redact(&Error{Platform: p, API: api, Code: CodeUnavailable, Detail: DetailStoreUnavailable, Err: err}, &secrets)
}

// maxNativeLen caps the raw client results FromNative accepts.
const maxNativeLen = 64 << 10

// FromNative normalises raw, the JSON object a platform's own client API
// (such as wx.checkSession) passed to its callback, into a CallbackResult
// and error with the same meaning as the portable API's: success only when
// the platform's answer means success (Baidu's legacy {result:false} is a
// failure), and a typed *Error otherwise. Malformed input is
// ErrInvalidArgument. No callbacks are called.
//
// Normalising is pure: it needs no credentials. A registered driver's
// normaliser is used when it has one; with no driver, the normaliser of
// the platform's registered plugin (driver.RegisterPlugin): every platform
// package registers its plugin when imported, so a program that imports
// the bundle (package platforms) or the platform's package understands its
// client results with no driver and no app secret.
func (c *Client) FromNative(p Platform, api string, raw []byte) (CallbackResult, error) {
	return c.FromNativeFor(p, "", api, raw)
}

// FromNativeFor is FromNative with the normaliser of the driver of app
// appID of p (empty: the platform's only app, or its plugin's).
func (c *Client) FromNativeFor(p Platform, appID, api string, raw []byte) (CallbackResult, error) {
	if err := c.fromNative(p, appID, api, raw); err != nil {
		return CallbackResult{ErrMsg: api + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err
	}
	return CallbackResult{ErrMsg: api + ":ok"}, nil
}

func (c *Client) fromNative(p Platform, appID, api string, raw []byte) *Error {
	if d := checkText("api", api, maxPlatformLen); d != "" {
		return &Error{Platform: p, API: "fromNative", Code: CodeInvalidArgument, Detail: d}
	}
	var normalize func(string, []byte) (driver.NativeResult, error)
	if pl, ok := driver.LookupPlugin(p); ok {
		normalize = pl.FromNative
	}
	e, perr := c.lookup(api, p, appID)
	if perr != nil && appID == "" && perr.Detail == DetailAppIDRequired && normalize != nil {
		perr = nil // several apps, one platform: its plugin's normaliser is pure
		e = &entry{}
	}
	switch {
	case perr != nil && (perr.Code != CodeNoDriver || normalize == nil):
		return perr
	case perr == nil && e.d != nil && driver.Has(e.d, driver.CapNativeNormalizer):
		n, _ := driver.Offers[driver.NativeNormalizer](e.d, driver.CapNativeNormalizer)
		normalize = n.FromNative
	}
	if len(raw) == 0 || len(raw) > maxNativeLen {
		return &Error{Platform: p, API: api, Code: CodeInvalidArgument,
			Detail: fmt.Sprintf("raw result must be 1 to %d bytes, got %d", maxNativeLen, len(raw))}
	}
	if normalize == nil {
		return &Error{Platform: p, API: api, Code: CodeNotSupported}
	}
	r, err := normalize(api, raw)
	if err != nil {
		return c.wrap(p, api, err)
	}
	if r.OK {
		return nil
	}
	code := r.Code
	if code == CodeOK || !code.Valid() {
		code = CodeUnknown
	}
	return &Error{Platform: p, API: api, Code: code, PlatformCode: r.PlatformCode, PlatformMessage: r.Detail}
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

// ChecksOnPlatform reports whether the driver of p and appID (empty: the
// platform's only app) asks the platform to check a session (weapp,
// Douyin mini-games) rather than the session store alone.
func (c *Client) ChecksOnPlatform(p Platform, appID string) bool {
	e, err := c.lookup("checkSession", p, appID)
	return err == nil && driver.Has(e.d, driver.CapSessionChecker)
}
