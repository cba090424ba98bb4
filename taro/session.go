package taro

import (
	"time"

	"context"
	"errors"
	"log/slog"

	"github.com/tarogo/adapter/taro/driver"
)

// CheckSession reports whether opt.Session is still valid on opt.Platform,
// following the callback contract in the package documentation.
func (c *Client) CheckSession(ctx context.Context, opt Option) (CallbackResult, error) {
	ctx, obs := c.tele().observe(ctx, APICheckSession, c.label(opt.Platform))
	err := c.checkSession(ctx, &opt, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return finish(CallbackResult{ErrMsg: APICheckSession + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err, opt.Success, opt.Fail, opt.Complete)
	}
	return finish(CallbackResult{ErrMsg: APICheckSession + ":ok"}, nil, opt.Success, opt.Fail, opt.Complete)
}

func (c *Client) checkSession(ctx context.Context, opt *Option, at time.Time) *Error {
	const api = APICheckSession
	t := target{api, opt.Platform, opt.AppID, at}
	p := t.p
	bad := t.invalid(checkText("Session.OpenID", opt.Session.OpenID, maxFieldLen))
	if bad == nil && opt.Session.TenantID != "" {
		bad = t.invalid(checkText("Session.TenantID", opt.Session.TenantID, maxFieldLen))
	}
	if bad == nil {
		bad = checkKey(p, api, opt.Session.SessionKey)
	}
	e, _, perr := begin[Driver](ctx, c, t, bad, "")
	if perr != nil {
		return perr
	}
	// The platform's check, or the store alone for a platform without one
	// (the store knows the logins Code2Session recorded).
	checker, _ := driver.Offers[driver.SessionChecker](e.d, driver.CapSessionChecker)
	hasChecker := e.traits.ChecksOnPlatform
	if !hasChecker && !driver.Has(e.d, driver.CapAuthenticator) {
		return &Error{Platform: p, API: api, Code: CodeNotSupported}
	}
	secrets := callSecrets{SessionKey: opt.Session.SessionKey}

	// The store first: a superseded or too old session is invalid without
	// any network call.
	id := SessionKeyID{Platform: p, AppID: e.d.AppID(), OpenID: opt.Session.OpenID, TenantID: opt.Session.TenantID}
	sctx, sop := c.tele().storeOp(ctx, "lookup")
	rec, found, err := c.sessions.LookupSession(sctx, id)
	sop.done(err)
	if err != nil {
		return c.storeFailure(ctx, p, api, err, secrets)
	}
	if found || !hasChecker {
		// The store's verdict; a refusal read from a cache is read again
		// past it (App.Verdict's readAgain).
		app := &App{c: c, e: e}
		verr, again := app.judge(api, SessionFacts{Record: rec, Found: found, Key: opt.Session.SessionKey})
		if cs, ok := c.sessions.(CachingSessionStore); ok && again {
			sctx, sop := c.tele().storeOp(ctx, "lookup")
			rec, found, err = cs.LookupSessionFresh(sctx, id)
			sop.done(err)
			if err != nil {
				return c.storeFailure(ctx, p, api, err, secrets)
			}
			verr = nil
			if found || !hasChecker {
				verr, _ = app.judge(api, SessionFacts{Record: rec, Found: found, Key: opt.Session.SessionKey})
			}
		}
		if verr != nil {
			c.warnPerProcess(ctx, p, verr)
			return verr
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

// warnPerProcess logs, once, why a "no login recorded" verdict from the
// default in-memory session store may be wrong.
func (c *Client) warnPerProcess(ctx context.Context, p Platform, err *Error) {
	if !errors.Is(err.Err, errPerProcessStore) {
		return
	}
	c.warnOnce.Do(func() {
		if c.log != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "taro: "+errPerProcessStore.Error(), slog.String("platform", string(p)))
		}
	})
}

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

// Code2Session exchanges a login code for a session (the server half of
// Taro.login) and records it in the session store, following the callback
// contract in the package documentation with "code2Session" as the API name.
func (c *Client) Code2Session(ctx context.Context, opt LoginOption) (LoginResult, error) {
	ctx, obs := c.tele().observe(ctx, APICode2Session, c.label(opt.Platform))
	resp, rec, err := c.code2Session(ctx, &opt, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return finish(LoginResult{ErrMsg: APICode2Session + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err, opt.Success, opt.Fail, opt.Complete)
	}
	return finish(LoginResult{ErrMsg: APICode2Session + ":ok", AppID: opt.AppID, OpenID: resp.OpenID, UnionID: resp.UnionID,
		AnonymousOpenID: resp.AnonymousOpenID, TenantID: resp.TenantID, Session: Session{OpenID: resp.OpenID, SessionKey: resp.SessionKey, TenantID: resp.TenantID}, Record: rec},
		nil, opt.Success, opt.Fail, opt.Complete)
}

func (c *Client) code2Session(ctx context.Context, opt *LoginOption, at time.Time) (driver.LoginResponse, SessionRecord, *Error) {
	const api = APICode2Session
	var resp driver.LoginResponse
	t := target{api, opt.Platform, opt.AppID, at}
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
	noKey := e.traits.Keyless
	needToken := e.traits.LoginNeedsToken
	if err := c.do(ctx, e, api, needToken, &secrets, func(tok string) error {
		r, err := auth.Code2Session(ctx, driver.LoginRequest{Code: opt.Code, AnonymousCode: opt.AnonymousCode, AccessToken: tok})
		if err != nil {
			return err
		}
		anonymousOnly := opt.Code == "" && r.OpenID == "" && r.SessionKey == "" && r.AnonymousOpenID != ""
		if !anonymousOnly && (r.OpenID == "" || (r.SessionKey == "" && !noKey) || (r.SessionKey != "" && noKey)) {
			return driver.Errorf(driver.CodeUnavailable, "platform answered without an openid or session key")
		}
		if r.TenantID != "" && checkText("TenantID", r.TenantID, maxFieldLen) != "" {
			return driver.Errorf(driver.CodeUnavailable, "platform answered a malformed tenant id")
		}
		resp = r
		return nil
	}); err != nil {
		return resp, SessionRecord{}, err
	}
	if resp.SessionKey == "" && !noKey {
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
	id := SessionKeyID{Platform: p, AppID: e.d.AppID(), OpenID: resp.OpenID, TenantID: resp.TenantID}
	sctx, sop := c.tele().storeOp(ctx, "record")
	rec, err := c.sessions.RecordSession(sctx, id, SessionRecord{Fingerprint: c.fingerprint(resp.SessionKey), IssuedAt: c.now()})
	sop.done(err)
	if err != nil {
		return SessionRecord{}, c.storeFailure(ctx, p, api, err, secrets)
	}
	if rec.IssuedAt.IsZero() {
		rec.IssuedAt = c.now()
	}
	if r, ok := c.limiter.(DecryptBudgetResetter); ok && c.decryptBudget > 0 && resp.SessionKey != "" {
		// A login that records a key gives it a fresh Decrypt budget
		// (platforms often re-issue the same key).
		sctx, sop := c.tele().storeOp(ctx, "decrypt_reset")
		err := r.ResetDecryptAttempts(sctx, p, id.AppID, rec.Fingerprint)
		sop.done(err)
		if err != nil && c.log != nil {
			c.log.LogAttrs(ctx, slog.LevelDebug, "taro: could not reset a Decrypt budget", slog.String("platform", string(p)))
		}
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
