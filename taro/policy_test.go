package taro_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/unsupported"
)

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name      string
		fail      []error // answers in order; then success
		wantCalls int64
		wantCode  taro.Code
	}{
		{"a transient failure is retried to success", []error{driver.Errorf(driver.CodeUnavailable, "busy")}, 2, taro.CodeOK},
		{"transient failures stop after MaxAttempts", []error{
			driver.Errorf(driver.CodeUnavailable, "busy"), driver.Errorf(driver.CodeUnavailable, "busy"), driver.Errorf(driver.CodeUnavailable, "busy"),
		}, 3, taro.CodeUnavailable},
		{"a rate limit is not retried", []error{driver.PlatformError(driver.CodeRateLimited, "45011", "quota")}, 1, taro.CodeRateLimited},
		{"an invalid session is not retried", []error{driver.PlatformError(driver.CodeSessionInvalid, "87009", "sig")}, 1, taro.CodeSessionInvalid},
		{"credentials are not retried", []error{driver.PlatformError(driver.CodeCredentials, "40125", "secret")}, 1, taro.CodeCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			d := &fakeDriver{platform: taro.Weapp, check: func(context.Context, driver.CheckRequest) error {
				i := n.Add(1) - 1
				if int(i) < len(tt.fail) {
					return tt.fail[i]
				}
				return nil
			}}
			c := newClient(t, taro.Config{}, d)
			_, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: goodSession})
			assert.Equal(t, tt.wantCode, taro.CodeOf(err))
			assert.Equal(t, tt.wantCalls, n.Load())
		})
	}
	t.Run("no retry is started that the deadline cannot fit", func(t *testing.T) {
		var n atomic.Int64
		d := &fakeDriver{platform: taro.Weapp, check: func(context.Context, driver.CheckRequest) error {
			n.Add(1)
			return driver.Errorf(driver.CodeUnavailable, "busy")
		}}
		c := newClient(t, taro.Config{Retry: taro.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}}, d)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
		assert.ErrorIs(t, err, taro.ErrUnavailable)
		assert.Equal(t, int64(1), n.Load())
	})
}

func TestTokenPolicy(t *testing.T) {
	ctx := context.Background()
	t.Run("concurrent callers share one fetch and later calls reuse it", func(t *testing.T) {
		d := &tokenDriver{fakeDriver: fakeDriver{platform: taro.Weapp}}
		var seen sync.Map
		d.check = func(_ context.Context, r driver.CheckRequest) error { seen.Store(r.AccessToken, true); return nil }
		c := newClient(t, taro.Config{}, d)
		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		assert.Equal(t, int64(1), d.fetches.Load())
		_, ok := seen.Load("tok-1")
		assert.True(t, ok, "the driver receives the token")
	})
	t.Run("a token near its expiry is replaced", func(t *testing.T) {
		now := time.Unix(1_700_000_000, 0)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		d := &tokenDriver{fakeDriver: fakeDriver{platform: taro.Weapp}}
		c := newClient(t, taro.Config{Now: clock}, d)
		opt := taro.Option{Platform: taro.Weapp, Session: goodSession}
		_, _ = c.CheckSession(ctx, opt)
		mu.Lock()
		now = now.Add(54 * time.Minute) // 1h token, refreshed 5 minutes early
		mu.Unlock()
		_, _ = c.CheckSession(ctx, opt)
		assert.Equal(t, int64(1), d.fetches.Load())
		mu.Lock()
		now = now.Add(2 * time.Minute)
		mu.Unlock()
		_, _ = c.CheckSession(ctx, opt)
		assert.Equal(t, int64(2), d.fetches.Load())
	})
	t.Run("a rejected token is dropped and the call made again exactly once", func(t *testing.T) {
		d := &tokenDriver{fakeDriver: fakeDriver{platform: taro.Weapp}}
		var tokens []string
		d.check = func(_ context.Context, r driver.CheckRequest) error {
			tokens = append(tokens, r.AccessToken)
			if r.AccessToken == "tok-1" {
				return driver.PlatformError(driver.CodeTokenInvalid, "40001", "invalid credential")
			}
			return nil
		}
		c := newClient(t, taro.Config{}, d)
		_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
		require.NoError(t, err)
		assert.Equal(t, []string{"tok-1", "tok-2"}, tokens)
	})
	t.Run("a token rejected twice is surfaced as TokenInvalid", func(t *testing.T) {
		d := &tokenDriver{fakeDriver: fakeDriver{platform: taro.Weapp}}
		d.check = func(context.Context, driver.CheckRequest) error {
			return driver.PlatformError(driver.CodeTokenInvalid, "40001", "invalid credential")
		}
		c := newClient(t, taro.Config{}, d)
		_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
		assert.ErrorIs(t, err, taro.ErrTokenInvalid)
		assert.Equal(t, int64(2), d.fetches.Load())
		assert.Equal(t, int64(2), d.calls.Load())
	})
	t.Run("a stale token is not dropped over a fresh one", func(t *testing.T) {
		s := taro.NewMemoryTokenStore()
		require.NoError(t, s.SetToken(ctx, "k", taro.StoredToken{Value: "fresh", ExpiresAt: time.Now().Add(time.Hour)}))
		require.NoError(t, s.DeleteToken(ctx, "k", "stale"))
		tok, ok, _ := s.Token(ctx, "k")
		assert.True(t, ok)
		assert.Equal(t, "fresh", tok.Value)
		require.NoError(t, s.DeleteToken(ctx, "k", "fresh"))
		_, ok, _ = s.Token(ctx, "k")
		assert.False(t, ok)
	})
}

func TestSessionStoreVerdict(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	n := 0
	login := func(_ context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
		n++
		return driver.LoginResponse{OpenID: "u1", UnionID: "union", SessionKey: fmt.Sprintf("key-%d", n)}, nil
	}
	so := &storeOnly{fakeDriver{platform: taro.QQ, login: login}}
	c := newClient(t, taro.Config{Now: clock, MaxSessionAge: time.Hour}, so)

	_, err := c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: taro.Session{OpenID: "u1", SessionKey: "key-0"}})
	require.ErrorIs(t, err, taro.ErrSessionInvalid)
	assert.Contains(t, err.Error(), taro.DetailNeverSeen)

	var order []string
	l1, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "c1",
		Success:  func(r taro.LoginResult) { order = append(order, "success:"+r.ErrMsg) },
		Complete: func(r taro.LoginResult) { order = append(order, "complete") }})
	require.NoError(t, err)
	assert.Equal(t, []string{"success:code2Session:ok", "complete"}, order)
	assert.Equal(t, taro.SessionRecord{Fingerprint: taro.FingerprintOf("key-1"), IssuedAt: clock(), Seq: uint64(clock().UnixMicro())}, l1.Record,
		"the record as the store kept it, by the store's clock")
	l1.Record = taro.SessionRecord{}
	assert.Equal(t, taro.LoginResult{ErrMsg: "code2Session:ok", AppID: "app", OpenID: "u1", UnionID: "union",
		Session: taro.Session{OpenID: "u1", SessionKey: "key-1"}}, l1)

	res, err := c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: l1.Session})
	require.NoError(t, err)
	assert.Equal(t, "checkSession:ok", res.ErrMsg)

	l2, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "c2"})
	require.NoError(t, err)
	res, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: l1.Session})
	require.ErrorIs(t, err, taro.ErrSessionInvalid)
	assert.Equal(t, "checkSession:fail session invalid: "+taro.DetailSuperseded, res.ErrMsg)

	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: l2.Session})
	require.NoError(t, err)
	advance(61 * time.Minute)
	res, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: l2.Session})
	require.ErrorIs(t, err, taro.ErrSessionInvalid)
	assert.Equal(t, "checkSession:fail session invalid: "+taro.DetailTooOld, res.ErrMsg)

	t.Run("a checker platform rejects a superseded session without calling the driver", func(t *testing.T) {
		k := 0
		d := &fakeDriver{platform: taro.Weapp, login: func(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
			k++
			return driver.LoginResponse{OpenID: "u", SessionKey: fmt.Sprintf("k%d", k)}, nil
		}}
		c := newClient(t, taro.Config{}, d)
		a, _ := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "a"})
		_, _ = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "b"})
		before := d.calls.Load()
		_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: a.Session})
		assert.ErrorIs(t, err, taro.ErrSessionInvalid)
		assert.Equal(t, before, d.calls.Load())
	})
	t.Run("the last login the store receives wins, whatever the issue times say", func(t *testing.T) {
		s := taro.NewMemorySessionStore()
		id := taro.SessionKeyID{Platform: taro.QQ, AppID: "a", OpenID: "u"}
		t0 := time.Unix(100, 0)
		// A replica whose clock runs a minute fast records first.
		_, err := s.RecordSession(ctx, id, taro.SessionRecord{Fingerprint: taro.FingerprintOf("first"), IssuedAt: t0.Add(time.Minute)})
		require.NoError(t, err)
		second, err := s.RecordSession(ctx, id, taro.SessionRecord{Fingerprint: taro.FingerprintOf("second"), IssuedAt: t0})
		require.NoError(t, err)
		rec, ok, err := s.LookupSession(ctx, id)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, taro.FingerprintOf("second"), rec.Fingerprint)
		assert.Equal(t, second.Seq, rec.Seq)
		assert.Equal(t, 1, s.Len())
	})
	t.Run("replicas with skewed clocks cannot revive a rotated-away session", func(t *testing.T) {
		store := taro.NewMemorySessionStore()
		k := 0
		login := func(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
			k++
			return driver.LoginResponse{OpenID: "u", SessionKey: fmt.Sprintf("key-%d", k)}, nil
		}
		fast := newClient(t, taro.Config{Sessions: store, Now: func() time.Time { return time.Now().Add(time.Minute) }},
			&fakeDriver{platform: taro.QQ, login: login})
		slow := newClient(t, taro.Config{Sessions: store}, &fakeDriver{platform: taro.QQ, login: login})
		first, err := fast.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "a"})
		require.NoError(t, err)
		second, err := slow.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "b"})
		require.NoError(t, err)
		for _, c := range []*taro.Client{fast, slow} {
			_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: second.Session})
			assert.NoError(t, err, "the later login is the current one")
			_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: first.Session})
			assert.ErrorIs(t, err, taro.ErrSessionInvalid, "the earlier login was rotated away")
		}
	})
	t.Run("a Fingerprinter store fingerprints the keys", func(t *testing.T) {
		store := &keyedStore{MemorySessionStore: taro.NewMemorySessionStore()}
		d := &fakeDriver{platform: taro.QQ, login: func(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
			return driver.LoginResponse{OpenID: "u", SessionKey: "the-key"}, nil
		}}
		c := newClient(t, taro.Config{Sessions: store}, d)
		res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "a"})
		require.NoError(t, err)
		rec, ok, _ := store.LookupSession(ctx, taro.SessionKeyID{Platform: taro.QQ, AppID: "app", OpenID: "u"})
		require.True(t, ok)
		assert.Equal(t, store.Fingerprint("the-key"), rec.Fingerprint)
		assert.NotEqual(t, taro.FingerprintOf("the-key"), rec.Fingerprint)
		_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: res.Session})
		assert.NoError(t, err)
	})
	t.Run("records past the store TTL are forgotten", func(t *testing.T) {
		s := &taro.MemorySessionStore{TTL: time.Minute, Now: clock}
		id := taro.SessionKeyID{Platform: taro.QQ, AppID: "a", OpenID: "u"}
		_, err := s.RecordSession(ctx, id, taro.SessionRecord{IssuedAt: clock()})
		require.NoError(t, err)
		advance(2 * time.Minute)
		_, ok, _ := s.LookupSession(ctx, id)
		assert.False(t, ok)
		assert.Equal(t, 0, s.Len())
	})
	t.Run("the fingerprint is SHA-256 of the key", func(t *testing.T) {
		assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", taro.FingerprintOf("").String())
	})
}

// keyedStore fingerprints with a key of its own.
type keyedStore struct{ *taro.MemorySessionStore }

func (keyedStore) Fingerprint(k string) taro.Fingerprint { return taro.FingerprintOf("pepper:" + k) }

// failingStore fails every call.
type failingStore struct{}

func (failingStore) RecordSession(context.Context, taro.SessionKeyID, taro.SessionRecord) (taro.SessionRecord, error) {
	return taro.SessionRecord{}, errors.New("store down")
}
func (failingStore) LookupSession(context.Context, taro.SessionKeyID) (taro.SessionRecord, bool, error) {
	return taro.SessionRecord{}, false, errors.New("store down")
}

func TestStoreFailureFailsClosed(t *testing.T) {
	d := &fakeDriver{platform: taro.Weapp}
	c := newClient(t, taro.Config{Sessions: failingStore{}}, d)
	_, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: goodSession})
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	assert.Zero(t, d.calls.Load())
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.Weapp, Code: "c"})
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	assert.Empty(t, res.Session.SessionKey, "a login that could not be recorded hands out no session")
}

func TestCode2SessionRejectsIncompleteAnswers(t *testing.T) {
	d := &fakeDriver{platform: taro.Weapp, login: func(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
		return driver.LoginResponse{OpenID: "u"}, nil
	}}
	s := taro.NewMemorySessionStore()
	c := newClient(t, taro.Config{Sessions: s, Retry: taro.RetryPolicy{MaxAttempts: 1}}, d)
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.Weapp, Code: "c"})
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	assert.Equal(t, "code2Session:fail platform unavailable", res.ErrMsg)
	assert.Zero(t, s.Len(), "nothing recorded on failure")
}

func TestSecretsNeverLeak(t *testing.T) {
	const sk = "SESSIONKEY-abc123"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := &tokenDriver{fakeDriver: fakeDriver{platform: taro.Weapp}}
	d.check = func(_ context.Context, r driver.CheckRequest) error {
		// A careless driver echoing secrets: the portable layer redacts
		// what it knows.
		return &driver.Error{Code: driver.CodeUnavailable, PlatformMessage: "key " + r.SessionKey + " token " + r.AccessToken,
			Err: fmt.Errorf("GET /x?access_token=%s&k=%s", r.AccessToken, r.SessionKey)}
	}
	c := newClient(t, taro.Config{Logger: logger}, d)
	res, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: sk}})
	require.Error(t, err)
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), res.ErrMsg, logs.String()} {
		assert.NotContains(t, text, sk)
		assert.NotContains(t, text, "tok-1")
	}
	assert.Contains(t, err.Error(), driver.Withheld, "a text holding a secret too short to find safely is withheld whole")
	assert.Contains(t, logs.String(), "retrying", "the logger is used")

	s := taro.Session{OpenID: "u", SessionKey: sk}
	for _, text := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s), fmt.Sprintf("%+v", taro.Option{Session: s}),
		fmt.Sprintf("%+v", taro.LoginResult{Session: s})} {
		assert.NotContains(t, text, sk)
	}
	logs.Reset()
	logger.Info("x", "session", s)
	assert.NotContains(t, logs.String(), sk)
	assert.Contains(t, logs.String(), "openid=u")
}

func TestSilentByDefault(t *testing.T) {
	var logs bytes.Buffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	d := &fakeDriver{platform: taro.Weapp, check: func(context.Context, driver.CheckRequest) error {
		return driver.Errorf(driver.CodeUnavailable, "busy")
	}}
	c := newClient(t, taro.Config{}, d)
	_, _ = c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: goodSession})
	assert.Empty(t, logs.String())
}

func TestRegistry(t *testing.T) {
	var nilDriver *fakeDriver
	tests := []struct {
		name    string
		drivers []taro.Driver
		wantErr string
	}{
		{"nil driver", []taro.Driver{nil}, "driver is nil"},
		{"typed nil driver", []taro.Driver{nilDriver}, "driver is nil"},
		{"empty platform", []taro.Driver{&fakeDriver{}}, "Platform is empty"},
		{"duplicate platform", []taro.Driver{&fakeDriver{platform: taro.Weapp}, &fakeDriver{platform: taro.Weapp}}, "already registered"},
		{"replacing a built-in not-supported target is allowed", []taro.Driver{&fakeDriver{platform: taro.H5}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := taro.NewClient(tt.drivers...)
			if tt.wantErr == "" {
				require.NoError(t, err)
				_, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.H5, Session: goodSession})
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, taro.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Nil(t, c)
		})
	}
	c, err := taro.NewClient()
	require.NoError(t, err)
	assert.Equal(t, []taro.Platform{"h5", "harmony", "rn"}, c.Platforms())
	require.NoError(t, c.Register(&fakeDriver{platform: taro.Weapp}))
	require.NoError(t, c.Register(&fakeDriver{platform: taro.Swan}))
	assert.ErrorIs(t, c.Register(&fakeDriver{platform: taro.Weapp}), taro.ErrInvalidArgument)
	assert.Equal(t, []taro.Platform{"h5", "harmony", "rn", "swan", "weapp"}, c.Platforms())
	assert.ErrorIs(t, c.Register(unsupported.New("")), taro.ErrInvalidArgument)

	t.Run("concurrent register and calls are safe", func(t *testing.T) {
		c, _ := taro.NewClient()
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(2)
			go func() { defer wg.Done(); _ = c.Register(&fakeDriver{platform: taro.Platform(fmt.Sprintf("p%d", i))}) }()
			go func() {
				defer wg.Done()
				_, _ = c.CheckSession(context.Background(), taro.Option{Platform: taro.Platform(fmt.Sprintf("p%d", i)), Session: goodSession})
				_ = c.Platforms()
			}()
		}
		wg.Wait()
		assert.Len(t, c.Platforms(), 23)
	})
}

func TestDefaultClient(t *testing.T) {
	assert.Subset(t, taro.Platforms(), []taro.Platform{"h5", "harmony", "rn"})
	// The default client is process-wide: a name of its own per run keeps
	// -count=N runs apart.
	p := taro.Platform(fmt.Sprintf("default-test-%d", time.Now().UnixNano()))
	require.NoError(t, taro.Register(&fakeDriver{platform: p}))
	assert.ErrorIs(t, taro.Register(&fakeDriver{platform: p}), taro.ErrInvalidArgument)
	res, err := taro.CheckSession(context.Background(), taro.Option{Platform: p, Session: goodSession})
	require.NoError(t, err)
	assert.Equal(t, "checkSession:ok", res.ErrMsg)
	assert.Contains(t, taro.Platforms(), p)
	assert.True(t, strings.HasPrefix(string(taro.Platforms()[0]), "d"), "sorted")
}

type nativeDriver struct{ fakeDriver }

func (*nativeDriver) FromNative(api string, raw []byte) (driver.NativeResult, error) {
	switch string(raw) {
	case "ok":
		return driver.NativeResult{OK: true}, nil
	case "invalid":
		return driver.NativeResult{Code: driver.CodeSessionInvalid, PlatformCode: "113102", Detail: "session is expired"}, nil
	case "nocode":
		return driver.NativeResult{}, nil
	}
	return driver.NativeResult{}, driver.Errorf(driver.CodeInvalidArgument, "not a result object")
}

func TestFromNative(t *testing.T) {
	c := newClient(t, taro.Config{}, &nativeDriver{fakeDriver{platform: taro.TT}})
	tests := []struct {
		raw     string
		api     string
		wantMsg string
		code    taro.Code
	}{
		{"ok", "checkSession", "checkSession:ok", taro.CodeOK},
		{"invalid", "checkSession", "checkSession:fail session invalid", taro.CodeSessionInvalid},
		{"nocode", "checkSession", "checkSession:fail unknown error", taro.CodeUnknown},
		{"garbage", "checkSession", "checkSession:fail invalid argument", taro.CodeInvalidArgument},
		{"", "checkSession", "checkSession:fail invalid argument: raw result must be 1 to 65536 bytes, got 0", taro.CodeInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			res, err := c.FromNative(taro.TT, tt.api, []byte(tt.raw))
			assert.Equal(t, tt.code, taro.CodeOf(err))
			assert.Equal(t, tt.wantMsg, res.ErrMsg)
		})
	}
	_, err := c.FromNative(taro.TT, "", []byte("ok"))
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	_, err = c.FromNative(taro.TT, "checkSession", make([]byte, 70_000))
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	res, err := c.FromNative(taro.TT, "checkSession", []byte("invalid"))
	var te *taro.Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "113102", te.PlatformCode)
	assert.Equal(t, "113102", res.PlatformCode)
}
