package taro_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// appDriver is one app of a source: it logs in "o-<code>" with the key
// "<secret>-<code>", and counts its calls.
type appDriver struct {
	p      taro.Platform
	id     string
	secret string
	calls  *atomic.Int64
	block  chan struct{} // when set, Code2Session waits for it
}

func (d *appDriver) Platform() taro.Platform { return d.p }
func (d *appDriver) AppID() string           { return d.id }
func (d *appDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	d.calls.Add(1)
	if d.block != nil {
		<-d.block
	}
	return driver.LoginResponse{OpenID: "o-" + req.Code, SessionKey: d.secret + "-" + req.Code}, nil
}

// source is an AppSource of apps "app-<n>" on qq, with counts.
type source struct {
	mu      sync.Mutex
	secrets map[string]string // app id → secret; absent: unknown
	fail    error             // when set, every lookup fails with it
	asked   atomic.Int64
	built   atomic.Int64
	calls   atomic.Int64 // platform calls of every driver built
	gate    chan struct{}
	block   chan struct{}
}

func newSource(n int) *source {
	s := &source{secrets: map[string]string{}}
	for i := range n {
		s.secrets[fmt.Sprint("app-", i)] = fmt.Sprint("s", i)
	}
	return s
}

func (s *source) Driver(ctx context.Context, p taro.Platform, appID string) (taro.Driver, error) {
	s.asked.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	secret, ok := s.secrets[appID]
	fail, block := s.fail, s.block
	s.mu.Unlock()
	switch {
	case fail != nil:
		return nil, fail
	case !ok || p != taro.QQ:
		return nil, fmt.Errorf("no app %q in the merchants table: %w", appID, taro.ErrNoDriver)
	}
	s.built.Add(1)
	return &appDriver{p: p, id: appID, secret: secret, calls: &s.calls, block: block}, nil
}

func (s *source) rotate(appID, secret string) {
	s.mu.Lock()
	s.secrets[appID] = secret
	s.mu.Unlock()
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func loginKey(t *testing.T, c *taro.Client, appID, code string) (string, error) {
	t.Helper()
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.QQ, AppID: appID, Code: code})
	return res.Session.SessionKey, err
}

func TestAppSource(t *testing.T) {
	t.Run("apps are looked up, kept and checked per app", func(t *testing.T) {
		src := newSource(3)
		c := newClient(t, taro.Config{Apps: src})
		for i := range 3 {
			app := fmt.Sprint("app-", i)
			key, err := loginKey(t, c, app, "c")
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("s%d-c", i), key)
			_, err = c.CheckSession(context.Background(), taro.Option{Platform: taro.QQ, AppID: app, Session: taro.Session{OpenID: "o-c", SessionKey: key}})
			assert.NoError(t, err, "a session of %s is checked against its own app's record", app)
		}
		_, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.QQ, AppID: "app-1", Session: taro.Session{OpenID: "o-c", SessionKey: "s0-c"}})
		assert.ErrorIs(t, err, taro.ErrSessionInvalid, "another app's key is not this app's session")
		assert.Equal(t, int64(3), src.asked.Load(), "each app asked once")
		assert.Equal(t, 3, taro.Resident(c))
	})

	t.Run("concurrent first calls ask the source once", func(t *testing.T) {
		src := newSource(1)
		src.gate = make(chan struct{})
		c := newClient(t, taro.Config{Apps: src})
		const callers = 200
		var wg sync.WaitGroup
		var failed atomic.Int64
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := loginKey(t, c, "app-0", "c"); err != nil {
					failed.Add(1)
				}
			}()
		}
		for src.asked.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the other callers reach the lookup
		close(src.gate)
		wg.Wait()
		assert.Zero(t, failed.Load())
		assert.Equal(t, int64(1), src.asked.Load(), "one source call")
		assert.Equal(t, int64(1), src.built.Load(), "one driver built")
		assert.Equal(t, int64(callers), src.calls.Load())
	})

	t.Run("an unknown app is ErrNoDriver before any platform call", func(t *testing.T) {
		src := newSource(1)
		c := newClient(t, taro.Config{Apps: src})
		_, err := loginKey(t, c, "app-404", "c")
		assert.ErrorIs(t, err, taro.ErrNoDriver)
		var te *taro.Error
		require.ErrorAs(t, err, &te)
		assert.Contains(t, te.Detail, `"app-404"`, "the error names the app")
		assert.Zero(t, src.calls.Load())
	})

	t.Run("a failing source is Unavailable and not remembered", func(t *testing.T) {
		src := newSource(1)
		src.fail = errors.New("the merchants database is down")
		c := newClient(t, taro.Config{Apps: src})
		_, err := loginKey(t, c, "app-0", "c")
		assert.ErrorIs(t, err, taro.ErrUnavailable)
		assert.NotErrorIs(t, err, taro.ErrNoDriver)
		src.mu.Lock()
		src.fail = nil
		src.mu.Unlock()
		_, err = loginKey(t, c, "app-0", "c")
		assert.NoError(t, err, "asked again, and answered")
		assert.Equal(t, int64(2), src.asked.Load())
	})

	t.Run("bad input and an empty AppID fail before the source is asked", func(t *testing.T) {
		src := newSource(1)
		c := newClient(t, taro.Config{Apps: src})
		_, err := loginKey(t, c, "", "c")
		var te *taro.Error
		require.ErrorAs(t, err, &te)
		assert.Equal(t, taro.CodeInvalidArgument, te.Code)
		assert.Contains(t, te.Detail, "AppID")
		_, err = loginKey(t, c, "app-0", "")
		require.ErrorAs(t, err, &te)
		assert.Equal(t, taro.CodeInvalidArgument, te.Code)
		assert.Zero(t, src.asked.Load())
	})

	t.Run("a rotated secret is used after AppTTL, or at once after ForgetApp", func(t *testing.T) {
		src := newSource(2)
		clk := &clock{t: time.Unix(1_800_000_000, 0)}
		c := newClient(t, taro.Config{Apps: src, AppTTL: time.Minute, Now: clk.now})
		key, _ := loginKey(t, c, "app-0", "c")
		assert.Equal(t, "s0-c", key)
		src.rotate("app-0", "rotated")
		key, _ = loginKey(t, c, "app-0", "c")
		assert.Equal(t, "s0-c", key, "within AppTTL the resolved driver serves")
		clk.advance(time.Minute)
		key, _ = loginKey(t, c, "app-0", "c")
		assert.Equal(t, "rotated-c", key, "after AppTTL the source is asked again")

		key, _ = loginKey(t, c, "app-1", "c")
		assert.Equal(t, "s1-c", key)
		src.rotate("app-1", "now")
		c.ForgetApp(taro.QQ, "app-1")
		key, _ = loginKey(t, c, "app-1", "c")
		assert.Equal(t, "now-c", key, "ForgetApp: the next call asks again")
	})

	t.Run("an in-flight call finishes on the driver it started with", func(t *testing.T) {
		src := newSource(1)
		src.block = make(chan struct{})
		c := newClient(t, taro.Config{Apps: src})
		done := make(chan string)
		go func() {
			key, _ := loginKey(t, c, "app-0", "c")
			done <- key
		}()
		for src.calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		src.rotate("app-0", "rotated")
		src.mu.Lock()
		blocked := src.block
		src.block = nil
		src.mu.Unlock()
		c.ForgetApp(taro.QQ, "app-0")
		key, err := loginKey(t, c, "app-0", "d")
		require.NoError(t, err)
		assert.Equal(t, "rotated-d", key, "a new call gets the new driver")
		close(blocked)
		assert.Equal(t, "s0-c", <-done, "the call under way finished on the old one")
	})

	t.Run("MaxApps bounds the resident drivers", func(t *testing.T) {
		src := newSource(100)
		c := newClient(t, taro.Config{Apps: src, MaxApps: 10})
		for round := range 3 {
			for i := range 100 {
				_, err := loginKey(t, c, fmt.Sprint("app-", i), "c")
				require.NoError(t, err)
				require.LessOrEqual(t, taro.Resident(c), 10, "round %d app %d", round, i)
			}
		}
		assert.Equal(t, 10, taro.Resident(c))
		assert.Equal(t, int64(300), src.built.Load(), "cycling 100 apps through 10 places rebuilds each")
	})

	t.Run("the app unused the longest goes first", func(t *testing.T) {
		src := newSource(10)
		c := newClient(t, taro.Config{Apps: src, MaxApps: 3})
		use := func(i int) {
			_, err := loginKey(t, c, fmt.Sprint("app-", i), "c")
			require.NoError(t, err)
		}
		use(0)
		use(1)
		use(2)
		use(0) // app-0 is in use again: app-1 is now the one unused the longest
		use(3)
		require.Equal(t, int64(4), src.built.Load())
		use(0)
		use(2)
		assert.Equal(t, int64(4), src.built.Load(), "app-0 and app-2 stayed")
		use(1)
		assert.Equal(t, int64(5), src.built.Load(), "app-1 went")
		assert.Equal(t, 3, taro.Resident(c))
	})

	t.Run("Config.Drivers serve before the source", func(t *testing.T) {
		src := newSource(1)
		static := &fakeDriver{platform: taro.QQ}
		c := newClient(t, taro.Config{Apps: src}, static)
		_, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.QQ, AppID: "app", Code: "c"})
		require.NoError(t, err)
		_, err = c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: "c"})
		require.NoError(t, err, "the platform's only registered app, with no AppID")
		assert.Zero(t, src.asked.Load())
		_, err = loginKey(t, c, "app-0", "c")
		require.NoError(t, err)
		assert.Equal(t, int64(1), src.asked.Load())
	})
}

// SettingsSource builds each app's driver with the platform's plugin from
// a row of settings; a row for another app is refused.
func TestSettingsSource(t *testing.T) {
	var hits atomic.Int64
	rows := map[string]taro.Settings{"wx-a": {Secret: "sa"}, "wx-b": {AppID: "wx-other", Secret: "sb"}}
	src := taro.SettingsSource(func(_ context.Context, p taro.Platform, appID string) (taro.Settings, error) {
		hits.Add(1)
		row, ok := rows[appID]
		if !ok {
			return taro.Settings{}, fmt.Errorf("%w: %s", taro.ErrNoDriver, appID)
		}
		return row, nil
	})
	if _, ok := driver.LookupPlugin("srcplat"); !ok { // -count=2 runs this twice
		driver.RegisterPlugin(driver.Plugin{Platform: "srcplat", Title: "Source test", New: func(s driver.Settings) (driver.Driver, error) {
			return &appDriver{p: "srcplat", id: s.AppID, secret: s.Secret, calls: &atomic.Int64{}}, nil
		}})
	}
	d, err := src.Driver(context.Background(), "srcplat", "wx-a")
	require.NoError(t, err)
	assert.Equal(t, "wx-a", d.AppID(), "an empty AppID in the row is the app asked for")
	_, err = src.Driver(context.Background(), "srcplat", "wx-b")
	assert.Error(t, err, "a row for another app")
	_, err = src.Driver(context.Background(), "srcplat", "wx-c")
	assert.ErrorIs(t, err, taro.ErrNoDriver)
	_, err = src.Driver(context.Background(), "no-plugin", "wx-a")
	assert.ErrorIs(t, err, taro.ErrNoDriver, "a platform without a plugin")
	assert.Equal(t, int64(4), hits.Load())
}

// A ticket of an app whose source is down is an outage (503), not a
// refusal: see login's tests; here, the handle's error is Unavailable.
func TestAppHandleFromAFailingSource(t *testing.T) {
	src := newSource(1)
	src.fail = errors.New("down")
	c := newClient(t, taro.Config{Apps: src})
	_, err := c.App(context.Background(), taro.QQ, "app-0")
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	_, err = c.App(context.Background(), taro.QQ, "app-404")
	assert.ErrorIs(t, err, taro.ErrUnavailable, "a down source says nothing of the app")
	src.mu.Lock()
	src.fail = nil
	src.mu.Unlock()
	_, err = c.App(context.Background(), taro.QQ, "app-404")
	assert.ErrorIs(t, err, taro.ErrNoDriver)
}

// tokenApp checks sessions with an access token it fetches.
type tokenApp struct {
	id      string
	fetches *atomic.Int64
	checks  *atomic.Int64
}

func (tokenApp) Platform() taro.Platform { return taro.Weapp }
func (a tokenApp) AppID() string         { return a.id }
func (a tokenApp) Code2Session(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
	return driver.LoginResponse{OpenID: "o", SessionKey: "k"}, nil
}
func (a tokenApp) CheckSession(_ context.Context, req driver.CheckRequest) error {
	a.checks.Add(1)
	if req.AccessToken != "tok-"+a.id {
		return driver.Errorf(driver.CodeTokenInvalid, "not this app's token")
	}
	return nil
}
func (a tokenApp) FetchToken(context.Context) (driver.Token, error) {
	a.fetches.Add(1)
	return driver.Token{Value: "tok-" + a.id, ExpiresIn: time.Hour}, nil
}

// 200 concurrent first calls to one cold app: one source call, one driver
// built, one access token fetched, and every check made with it.
func TestColdAppStampede(t *testing.T) {
	var asked, built, fetches, checks atomic.Int64
	gate := make(chan struct{})
	src := taro.AppSourceFunc(func(_ context.Context, p taro.Platform, appID string) (taro.Driver, error) {
		asked.Add(1)
		<-gate
		built.Add(1)
		return tokenApp{id: appID, fetches: &fetches, checks: &checks}, nil
	})
	c := newClient(t, taro.Config{Apps: src})
	const callers = 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, AppID: "wx-cold", Session: taro.Session{OpenID: "o", SessionKey: "k"}})
			if err != nil {
				failed.Add(1)
			}
		}()
	}
	for asked.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Equal(t, int64(1), asked.Load(), "one source call")
	assert.Equal(t, int64(1), built.Load(), "one driver built")
	assert.Equal(t, int64(1), fetches.Load(), "one access token fetched")
	assert.Equal(t, int64(callers), checks.Load())
}
