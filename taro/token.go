package taro

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tarogo/adapter/taro/driver"
)

// tokenManager is the one access-token cache of the library. It shares one
// fetch among concurrent callers in this process (singleflight) and, when
// the store is a TokenLocker, among processes (a lock in the store).
type tokenManager struct {
	store TokenStore
	// local keeps this process's copy of each token, so that the warm path
	// costs no round trip to a shared store; it never outlives the token's
	// ExpiresAt and is dropped with the token on a token-invalid answer.
	localMu sync.RWMutex
	local   map[string]StoredToken
	sf      singleflight.Group
	now     func() time.Time
	log     *slog.Logger
	// lockTTL bounds how long a fetch lock in a shared store is held.
	lockTTL time.Duration
	// poll is how often a process waiting for another's fetch looks again.
	poll time.Duration
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

// token returns a usable token for e, fetching one if needed. rejected,
// when set, is a token the platform has just rejected (and that invalidate
// has dropped): the caller then neither takes it from the local cache nor
// joins a fetch that began before it was rejected, which could hand it the
// rejected token again.
func (m *tokenManager) token(ctx context.Context, e *entry, rejected string) (string, error) {
	m.localMu.RLock()
	t, ok := m.local[e.tokenKey]
	m.localMu.RUnlock()
	if ok && t.Value != rejected && m.now().Before(t.ExpiresAt) {
		return t.Value, nil
	}
	if rejected == "" {
		if v, ok, err := m.cached(ctx, e.tokenKey); err != nil || ok {
			return v, err
		}
	}
	sfKey := e.tokenKey
	if rejected != "" {
		// Callers that saw the same rejection share one refetch.
		sfKey += "\x00" + rejected
	}
	for range 3 {
		v, err, _ := m.sf.Do(sfKey, func() (any, error) { return m.fetch(ctx, e) })
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

func (m *tokenManager) cached(ctx context.Context, key string) (string, bool, error) {
	t, ok, err := m.store.Token(ctx, key)
	if err != nil {
		return "", false, &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token store", err)}
	}
	if ok && t.Value != "" && m.now().Before(t.ExpiresAt) {
		m.remember(key, t)
		return t.Value, true, nil
	}
	return "", false, nil
}

func (m *tokenManager) remember(key string, t StoredToken) {
	m.localMu.Lock()
	if m.local == nil {
		m.local = make(map[string]StoredToken)
	}
	m.local[key] = t
	m.localMu.Unlock()
}

func (m *tokenManager) fetch(ctx context.Context, e *entry) (any, error) {
	// Another caller may have stored a token while this one waited.
	if v, ok, err := m.cached(ctx, e.tokenKey); err != nil || ok {
		return v, err
	}
	if l, ok := m.store.(TokenLocker); ok {
		for {
			unlock, acquired, err := l.LockToken(ctx, e.tokenKey, m.lockTTL)
			if err != nil {
				return nil, &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token lock", err)}
			}
			if acquired {
				defer unlock(context.WithoutCancel(ctx))
				// The previous holder may have stored a token just before
				// releasing the lock.
				if v, ok, err := m.cached(ctx, e.tokenKey); err != nil || ok {
					return v, err
				}
				break
			}
			if err := sleepCtx(ctx, m.poll); err != nil {
				return nil, err
			}
			if v, ok, err := m.cached(ctx, e.tokenKey); err != nil || ok {
				return v, err
			}
		}
	}
	tok, err := e.tokens.FetchToken(ctx)
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
	if m.log != nil {
		m.log.LogAttrs(ctx, slog.LevelDebug, "taro: fetched access token",
			slog.String("platform", string(e.d.Platform())), slog.Duration("expires_in", life))
	}
	st := StoredToken{Value: tok.Value, ExpiresAt: m.now().Add(life - refreshMargin(life))}
	if err := m.store.SetToken(ctx, e.tokenKey, st); err != nil {
		return nil, &driver.Error{Code: driver.CodeUnavailable, Err: storeError("token store", err)}
	}
	m.remember(e.tokenKey, st)
	return tok.Value, nil
}

// invalidate drops value from the cache if it is still the cached token.
func (m *tokenManager) invalidate(ctx context.Context, e *entry, value string) error {
	m.localMu.Lock()
	if t, ok := m.local[e.tokenKey]; ok && t.Value == value {
		delete(m.local, e.tokenKey)
	}
	m.localMu.Unlock()
	if err := m.store.DeleteToken(ctx, e.tokenKey, value); err != nil {
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
