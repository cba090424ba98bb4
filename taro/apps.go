package taro

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tarogo/adapter/taro/driver"
)

// AppSource looks an app up when a call names one that Config.Drivers
// does not hold: a SaaS host's database of merchants' apps, say. Driver
// returns the app's driver; an app the source does not know is an error
// wrapping ErrNoDriver. Any other error fails the call as ErrUnavailable
// and is not remembered: the next call asks again. Driver must be safe
// for concurrent use.
type AppSource interface {
	Driver(ctx context.Context, p Platform, appID string) (Driver, error)
}

// AppSourceFunc adapts a function to AppSource.
type AppSourceFunc func(ctx context.Context, p Platform, appID string) (Driver, error)

// Driver implements AppSource.
func (f AppSourceFunc) Driver(ctx context.Context, p Platform, appID string) (Driver, error) {
	return f(ctx, p, appID)
}

// Settings configure one app's driver, whatever its platform (the one
// settings type, driver.Settings): what a database row of an app holds.
type Settings = driver.Settings

// SettingsSource adapts fn, which returns an app's settings, to AppSource:
// each driver is built by the platform's registered plugin (import the
// bundle, package platforms, or the platform's package), so a row of
// settings is all an app needs. Settings with an empty AppID are given
// the app id asked for; settings for another app are an error.
func SettingsSource(fn func(ctx context.Context, p Platform, appID string) (Settings, error)) AppSource {
	return AppSourceFunc(func(ctx context.Context, p Platform, appID string) (Driver, error) {
		s, err := fn(ctx, p, appID)
		if err != nil {
			return nil, err
		}
		if s.AppID == "" {
			s.AppID = appID
		}
		if s.AppID != appID {
			return nil, fmt.Errorf("taro: the settings source answered app %q for app %q", s.AppID, appID)
		}
		pl, ok := driver.LookupPlugin(p)
		if !ok {
			return nil, fmt.Errorf("%w: no plugin is registered for platform %q (import the platform's package or the bundle)", ErrNoDriver, p)
		}
		return pl.New(s)
	})
}

// The defaults of Config.AppTTL and Config.MaxApps.
const (
	DefaultAppTTL  = time.Minute
	DefaultMaxApps = 10_000
)

// appKey names one app.
type appKey struct {
	p  Platform
	id string
}

// resident is a driver resolved from the source, until it expires.
type resident struct {
	key     appKey
	e       *entry
	expires time.Time
	// used is set by each get and cleared by eviction's sweep: the
	// second chance that approximates least-recently-used without
	// taking the write lock on the warm path.
	used atomic.Bool
}

// sourced holds the drivers resolved from Config.Apps: at most max, each
// for ttl. Beyond max, the one unused the longest goes first: the clock
// (second-chance) approximation of least recently used, so that a warm
// get takes only the read lock.
type sourced struct {
	src AppSource
	ttl time.Duration
	max int

	// plugins are the platforms seen to have a registered plugin, for
	// the metrics' label (copy on write; at most the registered ones).
	plugins atomic.Pointer[map[Platform]bool]

	mu  sync.RWMutex
	m   map[appKey]*list.Element // of *resident
	lru list.List                // front: the newest, or the last given a second chance
	sf  singleflight.Group
}

func newSourced(cfg Config) *sourced {
	if cfg.Apps == nil {
		return nil
	}
	s := &sourced{src: cfg.Apps, ttl: cfg.AppTTL, max: cfg.MaxApps, m: map[appKey]*list.Element{}}
	if s.ttl <= 0 {
		s.ttl = DefaultAppTTL
	}
	if s.max <= 0 {
		s.max = DefaultMaxApps
	}
	return s
}

// get returns k's resident driver while it lasts.
func (s *sourced) get(k appKey, now time.Time) (*entry, bool) {
	s.mu.RLock()
	el, ok := s.m[k]
	var r *resident
	if ok {
		r = el.Value.(*resident)
	}
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	if !now.Before(r.expires) {
		s.mu.Lock()
		if cur, ok := s.m[k]; ok && cur == el {
			s.lru.Remove(el)
			delete(s.m, k)
		}
		s.mu.Unlock()
		return nil, false
	}
	if !r.used.Load() {
		r.used.Store(true) // no write to the shared line once set
	}
	return r.e, true
}

// put keeps e for k; beyond max, residents are swept from the back: a
// used one is given a second chance (cleared, moved to the front), an
// unused one goes.
func (s *sourced) put(k appKey, e *entry, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.m[k]; ok {
		s.lru.Remove(el)
	}
	r := &resident{key: k, e: e, expires: now.Add(s.ttl)} // at the front, unused: a whole sweep before it can go
	s.m[k] = s.lru.PushFront(r)
	for s.lru.Len() > s.max {
		last := s.lru.Back()
		lr := last.Value.(*resident)
		if lr == r || lr.used.Load() {
			if lr != r {
				lr.used.Store(false)
			}
			s.lru.MoveToFront(last)
			continue
		}
		s.lru.Remove(last)
		delete(s.m, lr.key)
	}
}

// pluginSeen reports whether pluginKnown found p's plugin before.
func (s *sourced) pluginSeen(p Platform) bool {
	m := s.plugins.Load()
	return m != nil && (*m)[p]
}

// pluginKnown reports whether p has a registered plugin.
func (s *sourced) pluginKnown(p Platform) bool {
	if s.pluginSeen(p) {
		return true
	}
	if _, ok := driver.LookupPlugin(p); !ok {
		return false
	}
	for {
		old := s.plugins.Load()
		next := map[Platform]bool{p: true}
		if old != nil {
			for k := range *old {
				next[k] = true
			}
		}
		if s.plugins.CompareAndSwap(old, &next) {
			return true
		}
	}
}

func (s *sourced) forget(k appKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.m[k]; ok {
		s.lru.Remove(el)
		delete(s.m, k)
	}
}

// resident reports how many drivers from Config.Apps the client holds.
func (c *Client) resident() int {
	if c.sourced == nil {
		return 0
	}
	c.sourced.mu.RLock()
	defer c.sourced.mu.RUnlock()
	return c.sourced.lru.Len()
}

// ForgetApp drops the driver the client resolved from Config.Apps for p's
// app appID, so that the next call asks the source again (after a secret
// is rotated, say). Calls already under way finish on the driver they
// started with. Drivers of Config.Drivers are not affected.
func (c *Client) ForgetApp(p Platform, appID string) {
	if c.sourced != nil {
		c.sourced.forget(appKey{p, appID})
	}
}

// detailSourceFailed is the detail of a source that could not answer.
const detailSourceFailed = "the app source could not look the app up"

// resolve is lookup, then Config.Apps for an app lookup does not hold:
// the resident driver, or the source's (asked once for concurrent first
// calls). bad, the call's input check, is answered before the source is
// asked.
func (c *Client) resolve(ctx context.Context, api string, p Platform, appID string, bad *Error, at time.Time) (*entry, *Error) {
	if c.sourced != nil && appID != "" && len(appID) <= maxFieldLen {
		// The warm path of a sourced app: its resident driver (never one
		// of a registered app, which Register forgets), with no error
		// built for the registered drivers' miss.
		if !c.realClock || at.IsZero() {
			at = c.now()
		}
		if e, ok := c.sourced.get(appKey{p, appID}, at); ok {
			return e, nil
		}
		c.mu.RLock()
		var e *entry
		if a, ok := c.drivers[p]; ok {
			e = a.byID[appID]
		}
		c.mu.RUnlock()
		if e != nil {
			return e, nil
		}
	}
	e, err := c.lookup(api, p, appID)
	if err == nil || c.sourced == nil || err.Code != CodeNoDriver && err.Detail != DetailAppIDRequired {
		return e, err
	}
	if appID == "" {
		return nil, &Error{Platform: p, API: api, Code: CodeInvalidArgument,
			Detail: "AppID is required: the platform's apps come from taro.Config.Apps"}
	}
	if bad != nil {
		return nil, bad
	}
	k := appKey{p, appID} // not resident: the fast path above looked
	if ctx == nil {
		ctx = context.Background()
	}
	v, serr, _ := c.sourced.sf.Do(string(p)+"\x00"+appID, func() (any, error) {
		if e, ok := c.sourced.get(k, c.now()); ok {
			return e, nil
		}
		d, err := c.sourced.src.Driver(ctx, p, appID)
		switch {
		case err != nil:
			return nil, err
		case d == nil || isNilDriver(d):
			return nil, fmt.Errorf("%w: the app source returned no driver", ErrNoDriver)
		case d.Platform() != p || d.AppID() != appID:
			return nil, fmt.Errorf("the app source returned a driver of %s app %q for %s app %q", d.Platform(), d.AppID(), p, appID)
		}
		e := c.newEntry(d, false)
		c.sourced.put(k, e, c.now())
		return e, nil
	})
	if serr != nil {
		if errors.Is(serr, ErrNoDriver) {
			return nil, &Error{Platform: p, API: api, Code: CodeNoDriver, Detail: fmt.Sprintf("platform %q has no app %q", string(p), appID), Err: serr}
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, ctxError(p, api, cerr, serr)
		}
		return nil, &Error{Platform: p, API: api, Code: CodeUnavailable, Detail: detailSourceFailed, Err: serr}
	}
	return v.(*entry), nil
}
