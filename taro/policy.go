package taro

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/tarogo/adapter/taro/driver"
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

// do runs call with the client's policy: an access token when the driver
// needs one, one retry after a rejected token, bounded jittered retries of
// transient failures within ctx, and error wrapping.
func (c *Client) do(ctx context.Context, e *entry, api string, needToken bool, secrets *callSecrets, call func(token string) error) *Error {
	p := e.d.Platform()
	rejected := false // the platform rejected a token during this call
	var err error
	attempt := 1
	defer spanRetries(ctx, &attempt)
	for ; ; attempt++ {
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
