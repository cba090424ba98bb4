package taro

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"golang.org/x/sync/singleflight"

	"github.com/tarogo/adapter/taro/driver"
)

// TokenSource is one app's managed access token, in the spirit of
// oauth2.TokenSource: Token returns a usable token, fetching one when
// needed, and Invalidate drops one a platform rejected. It shares one
// fetch among concurrent callers in this process (singleflight) and, when
// the store is a TokenLocker, among processes (a lock in the store); it
// replaces a token shortly before its announced expiry (the refresh
// margin), keeps this process's copy so that the warm path costs no round
// trip to a shared store, and drops a token only if it is still the one
// stored (compare-and-delete), so that a stale replica never throws away a
// fresh token. A Client makes one per app; it is safe for concurrent use.
type TokenSource struct {
	store TokenStore
	key   string
	fetch func(context.Context) (driver.Token, error)
	opts  TokenSourceOptions

	mu sync.RWMutex
	// local is this process's copy; it never outlives the token's
	// ExpiresAt and is dropped with it on Invalidate.
	local StoredToken
	// gen counts Invalidates of distinct tokens: a caller after one never
	// joins a fetch that began before it, which could hand it the
	// rejected token again, and such a fetch does not become the local
	// copy.
	gen          uint64
	lastRejected string
	sf           singleflight.Group
	// fetched, when set (by a Client), counts each fetch.
	fetched func(context.Context)
}

// TokenSourceOptions tune a TokenSource. The zero value is usable.
type TokenSourceOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives a debug record per fetch (never the token). Nil
	// means silence.
	Logger *slog.Logger
	// Platform names the token's platform in the log records.
	Platform Platform
	// LockTTL bounds how long a fetch lock in a shared store is held.
	// Zero means 15s.
	LockTTL time.Duration
	// Poll is how often a process waiting for another's fetch looks
	// again. Zero means 20ms.
	Poll time.Duration
}

// NewTokenSource returns the token of key in store, fetched with fetch
// when the store has none that is usable.
func NewTokenSource(store TokenStore, key string, fetch func(context.Context) (driver.Token, error), opts TokenSourceOptions) *TokenSource {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = 15 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = 20 * time.Millisecond
	}
	return &TokenSource{store: store, key: key, fetch: fetch, opts: opts}
}

// maxTokenLife caps the lifetime the library believes a platform announced
// (Baidu's tokens, the longest-lived, last about 30 days).
const maxTokenLife = 31 * 24 * time.Hour

// refreshMargin is how long before its announced expiry a token is
// replaced: five minutes, as WeChat's stable_token does, but never more
// than half the token's life.
func refreshMargin(life time.Duration) time.Duration {
	const m = 5 * time.Minute
	if life < 2*m {
		return life / 2
	}
	return m
}

// usable reports whether t may be handed out.
func (s *TokenSource) usable(t StoredToken) bool {
	return t.Value != "" && s.opts.Now().Before(t.ExpiresAt)
}

// Token returns a usable token, fetching one if needed.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.RLock()
	t, gen := s.local, s.gen
	s.mu.RUnlock()
	if s.usable(t) {
		return t.Value, nil
	}
	if v, ok, err := s.cached(ctx, gen); err != nil || ok {
		return v, err
	}
	sfKey := strconv.FormatUint(gen, 10)
	for range 3 {
		v, err, _ := s.sf.Do(sfKey, func() (any, error) { return s.fetchOnce(ctx, gen) })
		if err == nil {
			return v.(string), nil
		}
		// The shared fetch ran under another caller's context; if that
		// caller gave up but this one has not, try again under ours.
		if ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			continue
		}
		return "", err
	}
	return "", driver.Errorf(driver.CodeUnavailable, "access token fetch abandoned by other callers")
}

// cached reads the store's token, keeping a usable one as the local copy
// unless an Invalidate came after gen.
func (s *TokenSource) cached(ctx context.Context, gen uint64) (string, bool, error) {
	t, ok, err := s.store.Token(ctx, s.key)
	if err != nil {
		return "", false, &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token store", err)}
	}
	if !ok || !s.usable(t) {
		return "", false, nil
	}
	s.keep(t, gen)
	return t.Value, true, nil
}

// keep makes t the local copy unless an Invalidate came after gen.
func (s *TokenSource) keep(t StoredToken, gen uint64) {
	s.mu.Lock()
	if s.gen == gen {
		s.local = t
	}
	s.mu.Unlock()
}

func (s *TokenSource) fetchOnce(ctx context.Context, gen uint64) (any, error) {
	// Another caller may have stored a token while this one waited.
	if v, ok, err := s.cached(ctx, gen); err != nil || ok {
		return v, err
	}
	if l, ok := s.store.(TokenLocker); ok {
		for {
			unlock, acquired, err := l.LockToken(ctx, s.key, s.opts.LockTTL)
			if err != nil {
				return nil, &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token lock", err)}
			}
			if acquired {
				defer unlock(context.WithoutCancel(ctx))
				// The previous holder may have stored a token just before
				// releasing the lock.
				if v, ok, err := s.cached(ctx, gen); err != nil || ok {
					return v, err
				}
				break
			}
			if err := sleepCtx(ctx, s.opts.Poll); err != nil {
				return nil, err
			}
			if v, ok, err := s.cached(ctx, gen); err != nil || ok {
				return v, err
			}
		}
	}
	if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
		var span trace.Span
		ctx, span = parent.TracerProvider().Tracer(instrumentation).Start(ctx, "taro.token.fetch",
			trace.WithAttributes(attrPlatform.String(string(s.opts.Platform))))
		defer span.End()
	}
	if s.fetched != nil {
		s.fetched(ctx)
	}
	tok, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	if tok.Value == "" {
		return nil, driver.Errorf(driver.CodeUnavailable, "platform returned an empty access token")
	}
	life := tok.ExpiresIn
	switch {
	case life <= 0:
		life = 5 * time.Minute
	case life > maxTokenLife:
		life = maxTokenLife // an absurd lifetime (or an overflowed one) is not trusted
	}
	if s.opts.Logger != nil {
		s.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "taro: fetched access token",
			slog.String("platform", string(s.opts.Platform)), slog.Duration("expires_in", life))
	}
	st := StoredToken{Value: tok.Value, ExpiresAt: s.opts.Now().Add(life - refreshMargin(life))}
	if err := s.store.SetToken(ctx, s.key, st); err != nil {
		return nil, &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token store", err)}
	}
	s.keep(st, gen)
	return tok.Value, nil
}

// Invalidate drops tok, a token the platform rejected: from this
// process's copy and, if it is still the stored one, from the store
// (compare-and-delete). The next Token fetches anew (a platform with
// stable tokens may hand out tok again); it never joins a fetch that began
// before the Invalidate.
func (s *TokenSource) Invalidate(ctx context.Context, tok string) error {
	s.mu.Lock()
	if s.local.Value == tok {
		s.local = StoredToken{}
	}
	if tok != s.lastRejected {
		// The first to report tok starts a new generation; callers that
		// saw the same rejection share its one refetch.
		s.lastRejected = tok
		s.gen++
	}
	s.mu.Unlock()
	if err := s.store.DeleteToken(ctx, s.key, tok); err != nil {
		return &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token store", err)}
	}
	return nil
}

type storeErr struct {
	what string
	err  error
}

func (e *storeErr) Error() string { return e.what + ": " + e.err.Error() }
func (e *storeErr) Unwrap() error { return e.err }

func storeError(what string, err error) error { return &storeErr{what, err} }

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
