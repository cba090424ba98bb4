package drivertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

type env struct {
	t   *testing.T
	ctx context.Context
	h   Harness
	d   driver.Driver
}

// Retry policy the kit's clients use: real retries, short waits.
var kitRetry = taro.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

func (e *env) client(d driver.Driver) *taro.Client {
	e.t.Helper()
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{d}, Retry: kitRetry})
	if err != nil {
		e.t.Fatalf("taro.New with the driver: %v", err)
	}
	return c
}

func (e *env) isChecker() bool { return driver.Has(e.d, driver.CapSessionChecker) }

func (e *env) isAuth() bool { return driver.Has(e.d, driver.CapAuthenticator) }

func (e *env) isTokens() bool { return driver.Has(e.d, driver.CapTokenFetcher) }

func (e *env) isNative() bool { return driver.Has(e.d, driver.CapNativeNormalizer) }

func (e *env) isKeyless() bool { return driver.TraitsOf(e.d).Keyless }

func (e *env) supportsNothing() bool {
	return !e.isChecker() && !e.isAuth()
}

func (e *env) login() (LoginHarness, bool) {
	h, ok := e.h.(LoginHarness)
	return h, ok && e.isAuth()
}

func (e *env) faults() (FaultHarness, bool) {
	h, ok := e.h.(FaultHarness)
	return h, ok && e.isAuth()
}

// secret returns a recognisable random value.
func secret(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// recorder records the callbacks of one call.
type recorder[R any] struct {
	order   []string
	results []R
}

// checkCall asserts the callback contract for one call.
func checkCall[R comparable](t *testing.T, api string, rec *recorder[R], res R, errMsg string, err error) {
	t.Helper()
	want := "fail,complete"
	if err == nil {
		want = "success,complete"
	}
	if got := strings.Join(rec.order, ","); got != want {
		t.Errorf("callbacks called %q, want %q: exactly one of Success/Fail, then Complete, each once, before the call returns", got, want)
	}
	for i, r := range rec.results {
		if r != res {
			t.Errorf("callback %d got %+v, but the call returned %+v: every callback receives the returned result", i, r, res)
		}
	}
	if err == nil && errMsg != api+":ok" {
		t.Errorf("success with errMsg %q, want %q", errMsg, api+":ok")
	}
	if err != nil {
		var te *taro.Error
		if !errors.As(err, &te) {
			t.Fatalf("error %v (%T) is not a *taro.Error: callers rely on one error type", err, err)
		}
		if want := api + ":fail " + te.Reason(); errMsg != want {
			t.Errorf("errMsg %q, want %q: a failure's errMsg is \"<api>:fail \" + the error's reason", errMsg, want)
		}
		if !te.Code.Valid() || te.Code == taro.CodeOK {
			t.Errorf("error code %v is not a defined failure code", te.Code)
		}
		if te.API != api {
			t.Errorf("error API %q, want %q", te.API, api)
		}
	}
}

type check struct {
	rec *recorder[taro.CallbackResult]
	res taro.CallbackResult
	err error
}

func (e *env) checkSession(ctx context.Context, c *taro.Client, s taro.Session) check {
	e.t.Helper()
	rec := &recorder[taro.CallbackResult]{}
	res, err := c.CheckSession(ctx, taro.Option{Platform: e.d.Platform(), Session: s,
		Success: rec.cb("success"), Fail: rec.cb("fail"), Complete: rec.cb("complete")})
	checkCall(e.t, taro.APICheckSession, rec, res, res.ErrMsg, err)
	return check{rec, res, err}
}

type login struct {
	res taro.LoginResult
	err error
}

func (e *env) code2Session(ctx context.Context, c *taro.Client, code string) login {
	e.t.Helper()
	rec := &recorder[taro.LoginResult]{}
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: e.d.Platform(), Code: code,
		Success: rec.cb("success"), Fail: rec.cb("fail"), Complete: rec.cb("complete")})
	checkCall(e.t, taro.APICode2Session, rec, res, res.ErrMsg, err)
	return login{res, err}
}

// logIn logs openid in through the harness and c.
func (e *env) logIn(c *taro.Client, openid string) taro.Session {
	e.t.Helper()
	lh, _ := e.login()
	code, err := lh.LoginCode(e.ctx, openid)
	if err != nil {
		e.t.Fatalf("harness LoginCode: %v", err)
	}
	l := e.code2Session(e.ctx, c, code)
	if l.err != nil {
		e.t.Fatalf("Code2Session with a fresh code failed: %v", l.err)
	}
	if e.isKeyless() {
		if l.res.OpenID != openid || l.res.Session.OpenID != openid || l.res.Session.SessionKey != "" {
			e.t.Fatalf("Code2Session returned openid %q / session %v, want openid %q and no session key (a KeylessLogin platform has none)", l.res.OpenID, l.res.Session, openid)
		}
		return l.res.Session
	}
	if l.res.OpenID != openid || l.res.Session.OpenID != openid || l.res.Session.SessionKey == "" {
		e.t.Fatalf("Code2Session returned openid %q / session %v, want openid %q and a session key", l.res.OpenID, l.res.Session, openid)
	}
	return l.res.Session
}

func wantCode(t *testing.T, err error, want taro.Code, why string) {
	t.Helper()
	if got := taro.CodeOf(err); got != want {
		t.Errorf("got code %v (err: %v), want %v: %s", got, err, want, why)
	}
}

func noSecrets(t *testing.T, where string, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret value: secrets never appear in errors or errMsg", where)
		}
	}
}

// runFault injects f on the endpoint that decides the driver's checks (or
// its logins, on a store-only platform) and checks the outcome.
func runFault(e *env, fh FaultHarness, f Fault) {
	c := e.client(e.d)
	s := e.logIn(c, "user-fault-"+string(f))
	fh.ClearFaults()
	ep := EndpointCheckSession
	if !e.isChecker() {
		ep = EndpointCode2Session
	}
	if f == FaultTokenInvalid && (!e.isTokens() || ep != EndpointCheckSession) {
		return // covered by the tokens cases where it applies
	}
	call := func(ctx context.Context) error {
		if ep == EndpointCheckSession {
			return e.checkSession(ctx, c, s).err
		}
		code, err := fh.LoginCode(e.ctx, s.OpenID)
		if err != nil {
			e.t.Fatal(err)
		}
		return e.code2Session(ctx, c, code).err
	}
	// Persistent fault: the documented code after a bounded number of tries.
	if !fh.InjectFault(ep, f, 1000) {
		e.t.Fatalf("harness cannot inject %s on %s", f, ep)
	}
	before := fh.Requests(ep)
	ctx := e.ctx
	var cancel context.CancelFunc = func() {}
	if f == FaultSlow {
		ctx, cancel = context.WithTimeout(e.ctx, 300*time.Millisecond)
	}
	err := call(ctx)
	cancel()
	tries := fh.Requests(ep) - before
	fh.ClearFaults()
	switch f {
	case FaultRateLimit:
		wantCode(e.t, err, taro.CodeRateLimited, "a quota answer is surfaced, not hammered")
		if tries != 1 {
			e.t.Errorf("%d requests under a rate limit, want 1: rate limits are not retried", tries)
		}
	case FaultTokenInvalid:
		wantCode(e.t, err, taro.CodeTokenInvalid, "a token rejected twice is surfaced")
		if tries != 2 {
			e.t.Errorf("%d requests with a rejected token, want 2: one refetch and one retry", tries)
		}
	case FaultSlow:
		wantCode(e.t, err, taro.CodeDeadlineExceeded, "a call outliving its deadline ends with the deadline")
		if !errors.Is(err, context.DeadlineExceeded) {
			e.t.Errorf("errors.Is(err, context.DeadlineExceeded) is false for %v", err)
		}
	default:
		wantCode(e.t, err, taro.CodeUnavailable, "a transient failure is Unavailable")
		want, max := kitRetry.MaxAttempts, kitRetry.MaxAttempts
		if f == FaultReset {
			// net/http itself resends an idempotent request once when a
			// reused connection closes before answering.
			max = 2 * kitRetry.MaxAttempts
		}
		if tries < want || tries > max {
			e.t.Errorf("%d requests under a persistent %s, want %d (at most %d): transient failures are retried a bounded number of times", tries, f, want, max)
		}
		// A single transient failure is retried to success.
		fh.InjectFault(ep, f, 1)
		if err := call(e.ctx); err != nil {
			e.t.Errorf("one %s then a good answer should succeed after a retry, got %v", f, err)
		}
		fh.ClearFaults()
	}
}

// sentinelOf is the error errors.Is must match for code c.
func sentinelOf(c taro.Code) error {
	switch c {
	case taro.CodeCanceled:
		return context.Canceled
	case taro.CodeDeadlineExceeded:
		return context.DeadlineExceeded
	}
	return driver.Sentinel(c)
}

func (r *recorder[R]) cb(name string) func(R) {
	return func(v R) {
		r.order = append(r.order, name)
		r.results = append(r.results, v)
	}
}
