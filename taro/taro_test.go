package taro_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/unsupported"
)

// fakeDriver is a checker and authenticator whose answers the test sets.
type fakeDriver struct {
	platform taro.Platform
	check    func(ctx context.Context, req driver.CheckRequest) error
	login    func(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error)
	calls    atomic.Int64
}

func (d *fakeDriver) Platform() taro.Platform { return d.platform }
func (d *fakeDriver) AppID() string           { return "app" }
func (d *fakeDriver) CheckSession(ctx context.Context, req driver.CheckRequest) error {
	d.calls.Add(1)
	if d.check == nil {
		return nil
	}
	return d.check(ctx, req)
}
func (d *fakeDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	d.calls.Add(1)
	if d.login == nil {
		return driver.LoginResponse{OpenID: "o-" + req.Code, SessionKey: "k-" + req.Code}, nil
	}
	return d.login(ctx, req)
}

// tokenDriver also needs an access token.
type tokenDriver struct {
	fakeDriver
	fetches atomic.Int64
}

func (d *tokenDriver) FetchToken(ctx context.Context) (driver.Token, error) {
	n := d.fetches.Add(1)
	return driver.Token{Value: fmt.Sprintf("tok-%d", n), ExpiresIn: time.Hour}, nil
}

// storeOnly can issue sessions but not check them.
type storeOnly struct{ fakeDriver }

func (d *storeOnly) CheckSession() {} // shadows: not a driver.SessionChecker

var fastRetry = taro.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}

func newClient(t *testing.T, cfg taro.Config, ds ...taro.Driver) *taro.Client {
	t.Helper()
	cfg.Drivers = ds
	if cfg.Retry == (taro.RetryPolicy{}) {
		cfg.Retry = fastRetry
	}
	c, err := taro.New(cfg)
	require.NoError(t, err)
	return c
}

type calls struct {
	order   []string
	results []taro.CallbackResult
}

func (c *calls) option(p taro.Platform, s taro.Session) taro.Option {
	rec := func(name string) func(taro.CallbackResult) {
		return func(r taro.CallbackResult) { c.order = append(c.order, name); c.results = append(c.results, r) }
	}
	return taro.Option{Platform: p, Session: s, Success: rec("success"), Fail: rec("fail"), Complete: rec("complete")}
}

var goodSession = taro.Session{OpenID: "user", SessionKey: "o0q0otL8aEzpcZL/FT9WsQ=="}

func TestCheckSessionCallbackContract(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		check     func(context.Context, driver.CheckRequest) error
		wantOrder string
		wantMsg   string
		wantCode  taro.Code
	}{
		{"success calls Success then Complete", nil, "success,complete", "checkSession:ok", taro.CodeOK},
		{"an invalid session calls Fail then Complete", func(context.Context, driver.CheckRequest) error {
			return driver.PlatformError(driver.CodeSessionInvalid, "87009", "invalid signature")
		}, "fail,complete", "checkSession:fail session invalid", taro.CodeSessionInvalid},
		{"a driver error of an unknown kind is Unknown", func(context.Context, driver.CheckRequest) error {
			return errors.New("boom")
		}, "fail,complete", "checkSession:fail unknown error", taro.CodeUnknown},
		{"a driver error with CodeOK is still a failure", func(context.Context, driver.CheckRequest) error {
			return &driver.Error{Code: driver.CodeOK}
		}, "fail,complete", "checkSession:fail unknown error", taro.CodeUnknown},
		{"a driver error with an undefined code is Unknown", func(context.Context, driver.CheckRequest) error {
			return &driver.Error{Code: 999}
		}, "fail,complete", "checkSession:fail unknown error", taro.CodeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, taro.Config{}, &fakeDriver{platform: taro.Weapp, check: tt.check})
			var got calls
			res, err := c.CheckSession(ctx, got.option(taro.Weapp, goodSession))
			assert.Equal(t, tt.wantOrder, strings.Join(got.order, ","))
			assert.Equal(t, tt.wantMsg, res.ErrMsg)
			assert.Equal(t, tt.wantCode, taro.CodeOf(err))
			for _, r := range got.results {
				assert.Equal(t, res, r, "every callback gets the returned result")
			}
			if tt.wantCode == taro.CodeOK {
				assert.NoError(t, err)
				return
			}
			var te *taro.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, taro.Weapp, te.Platform)
			assert.Equal(t, "checkSession", te.API)
			assert.Equal(t, "checkSession:fail "+te.Reason(), res.ErrMsg)
		})
	}
}

func TestCallbacksRunInCallerGoroutineBeforeReturn(t *testing.T) {
	c := newClient(t, taro.Config{}, &fakeDriver{platform: taro.Weapp})
	done := false
	var completeSawDone bool
	_, _ = c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: goodSession,
		Success:  func(taro.CallbackResult) { done = true }, // no data race under -race: same goroutine
		Complete: func(taro.CallbackResult) { completeSawDone = done }})
	assert.True(t, done)
	assert.True(t, completeSawDone, "Complete runs after Success")
}

func TestFailNeverChangesTheResult(t *testing.T) {
	ctx := context.Background()
	d := &fakeDriver{platform: taro.Weapp, check: func(context.Context, driver.CheckRequest) error {
		return driver.PlatformError(driver.CodeSessionInvalid, "87009", "x")
	}}
	c := newClient(t, taro.Config{}, d)
	r1, e1 := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
	r2, e2 := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession, Fail: func(taro.CallbackResult) {}})
	assert.Equal(t, r1, r2)
	assert.Equal(t, e1.Error(), e2.Error())
	assert.Error(t, e2, "passing Fail never turns a failure into success")
}

func TestCallbackResultJSON(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, taro.Config{}, &fakeDriver{platform: taro.Weapp})
	res, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
	require.NoError(t, err)
	b, _ := json.Marshal(res)
	assert.Equal(t, `{"errMsg":"checkSession:ok"}`, string(b))

	res, _ = c.CheckSession(ctx, taro.Option{Platform: taro.H5, Session: goodSession})
	b, _ = json.Marshal(res)
	assert.Equal(t, `{"errMsg":"checkSession:fail not supported on h5","code":"NotSupported"}`, string(b))

	d := &fakeDriver{platform: taro.TT, check: func(context.Context, driver.CheckRequest) error {
		return driver.PlatformError(driver.CodeSessionInvalid, "28001039", "bad signature")
	}}
	c = newClient(t, taro.Config{}, d)
	res, _ = c.CheckSession(ctx, taro.Option{Platform: taro.TT, Session: goodSession})
	b, _ = json.Marshal(res)
	assert.Equal(t, `{"errMsg":"checkSession:fail session invalid","code":"SessionInvalid","platformCode":"28001039"}`, string(b))
	var back taro.CallbackResult
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, res, back)
}

func TestEveryCodeHasSentinelReasonAndErrMsg(t *testing.T) {
	sentinels := map[taro.Code]error{
		taro.CodeUnknown: taro.ErrUnknown, taro.CodeInvalidArgument: taro.ErrInvalidArgument,
		taro.CodeNoDriver: taro.ErrNoDriver, taro.CodeNotSupported: taro.ErrNotSupported,
		taro.CodeSessionInvalid: taro.ErrSessionInvalid, taro.CodeInvalidCode: taro.ErrInvalidCode,
		taro.CodeCredentials: taro.ErrCredentials, taro.CodePermissionDenied: taro.ErrPermissionDenied,
		taro.CodeRateLimited: taro.ErrRateLimited, taro.CodeUnavailable: taro.ErrUnavailable,
		taro.CodeTokenInvalid: taro.ErrTokenInvalid,
	}
	tests := []struct {
		code      taro.Code
		name      string
		reason    string
		retryable bool
	}{
		{taro.CodeOK, "OK", "ok", false},
		{taro.CodeUnknown, "Unknown", "unknown error", false},
		{taro.CodeInvalidArgument, "InvalidArgument", "invalid argument", false},
		{taro.CodeNoDriver, "NoDriver", "no driver", false},
		{taro.CodeNotSupported, "NotSupported", "not supported", false},
		{taro.CodeSessionInvalid, "SessionInvalid", "session invalid", false},
		{taro.CodeInvalidCode, "InvalidCode", "invalid login code", false},
		{taro.CodeCredentials, "Credentials", "app credentials rejected", false},
		{taro.CodePermissionDenied, "PermissionDenied", "permission denied", false},
		{taro.CodeRateLimited, "RateLimited", "rate limited", true},
		{taro.CodeUnavailable, "Unavailable", "platform unavailable", true},
		{taro.CodeTokenInvalid, "TokenInvalid", "access token rejected", true},
		{taro.CodeCanceled, "Canceled", "canceled", false},
		{taro.CodeDeadlineExceeded, "DeadlineExceeded", "deadline exceeded", true},
	}
	require.Len(t, tests, len(driver.Codes()), "every code is in this table")
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, taro.Code(i), tt.code, "codes are stable numbers")
			assert.Equal(t, tt.name, tt.code.String())
			assert.Equal(t, tt.reason, tt.code.Reason())
			assert.Equal(t, tt.retryable, tt.code.Retryable())
			if tt.code == taro.CodeOK || tt.code == taro.CodeCanceled || tt.code == taro.CodeDeadlineExceeded {
				return
			}
			// Through the public API: a driver failing with this code.
			d := &fakeDriver{platform: taro.Weapp, check: func(context.Context, driver.CheckRequest) error {
				return driver.PlatformError(tt.code, "1", "m")
			}}
			c := newClient(t, taro.Config{Retry: taro.RetryPolicy{MaxAttempts: 1}}, d)
			res, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: goodSession})
			assert.Equal(t, tt.code, taro.CodeOf(err))
			assert.ErrorIs(t, err, sentinels[tt.code])
			for other, s := range sentinels {
				if other != tt.code {
					assert.NotErrorIs(t, err, s, "one meaning per error")
				}
			}
			assert.True(t, strings.HasPrefix(res.ErrMsg, "checkSession:fail "+tt.reason), res.ErrMsg)
			var m map[string]any
			b, _ := json.Marshal(res)
			require.NoError(t, json.Unmarshal(b, &m))
			assert.Equal(t, tt.name, m["code"])
		})
	}
	assert.Equal(t, "Code(99)", taro.Code(99).String())
	var c taro.Code
	assert.Error(t, c.UnmarshalText([]byte("Nope")))
}

func TestCodeOf(t *testing.T) {
	assert.Equal(t, taro.CodeOK, taro.CodeOf(nil))
	assert.Equal(t, taro.CodeUnknown, taro.CodeOf(errors.New("x")))
	assert.Equal(t, taro.CodeCanceled, taro.CodeOf(context.Canceled))
	assert.Equal(t, taro.CodeDeadlineExceeded, taro.CodeOf(fmt.Errorf("w: %w", context.DeadlineExceeded)))
	assert.Equal(t, taro.CodeRateLimited, taro.CodeOf(fmt.Errorf("w: %w", &taro.Error{Code: taro.CodeRateLimited})))
	assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(driver.Errorf(driver.CodeUnavailable, "x")))
}

func TestBadInputIsRejectedBeforeAnyDriverCall(t *testing.T) {
	long := strings.Repeat("a", 1025)
	tests := []struct {
		name  string
		opt   taro.Option
		field string
	}{
		{"empty platform", taro.Option{Session: goodSession}, "Platform is empty"},
		{"platform with a newline", taro.Option{Platform: "weapp\n", Session: goodSession}, "Platform contains a control character"},
		{"over-long platform", taro.Option{Platform: taro.Platform(long), Session: goodSession}, "Platform is longer"},
		{"empty openid", taro.Option{Platform: taro.Weapp, Session: taro.Session{SessionKey: "k"}}, "Session.OpenID is empty"},
		{"empty session key", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u"}}, "Session.SessionKey is empty"},
		{"openid over 1 KiB", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: long, SessionKey: "k"}}, "Session.OpenID is longer than 1024 bytes"},
		{"session key over 1 KiB", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: long}}, "Session.SessionKey is longer than 1024 bytes"},
		{"openid with NUL", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u\x00", SessionKey: "k"}}, "Session.OpenID contains a control character"},
		{"session key with DEL", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: "k\x7f"}}, "Session.SessionKey contains a control character"},
		{"openid with a C1 control", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u\u0085", SessionKey: "k"}}, "Session.OpenID contains a control character"},
		{"openid not UTF-8", taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u\xc3", SessionKey: "k"}}, "Session.OpenID is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{platform: taro.Weapp}
			c := newClient(t, taro.Config{}, d)
			var got calls
			res, err := c.CheckSession(context.Background(), got.option(tt.opt.Platform, tt.opt.Session))
			require.ErrorIs(t, err, taro.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tt.field)
			assert.Equal(t, "checkSession:fail invalid argument: "+tt.field, res.ErrMsg[:len("checkSession:fail invalid argument: ")+len(tt.field)])
			assert.Equal(t, "fail,complete", strings.Join(got.order, ","))
			assert.Zero(t, d.calls.Load(), "no driver call for bad input")
		})
	}
	t.Run("Code2Session", func(t *testing.T) {
		d := &fakeDriver{platform: taro.Weapp}
		c := newClient(t, taro.Config{}, d)
		for _, o := range []taro.LoginOption{
			{Platform: taro.Weapp},
			{Platform: taro.Weapp, Code: long},
			{Platform: taro.Weapp, Code: "a\tb"},
			{Platform: taro.Weapp, AnonymousCode: "a\x01"},
			{Code: "c"},
		} {
			_, err := c.Code2Session(context.Background(), o)
			assert.ErrorIs(t, err, taro.ErrInvalidArgument)
		}
		assert.Zero(t, d.calls.Load())
	})
}

func TestNoDriverListsTheRegisteredPlatformsInTheGoErrorOnly(t *testing.T) {
	c := newClient(t, taro.Config{}, &fakeDriver{platform: taro.Weapp})
	var got calls
	res, err := c.CheckSession(context.Background(), got.option("alipay", goodSession))
	require.ErrorIs(t, err, taro.ErrNoDriver)
	assert.Equal(t, `checkSession:fail no driver: platform "alipay" has none`, res.ErrMsg, "the errMsg reaches mini-program users: it lists nothing")
	assert.Contains(t, err.Error(), "drivers are registered for: h5, harmony, rn, weapp")
	assert.Equal(t, "fail,complete", strings.Join(got.order, ","))
}

func TestUnsupportedTargets(t *testing.T) {
	for _, p := range []taro.Platform{taro.H5, taro.RN, taro.Harmony} {
		t.Run(string(p), func(t *testing.T) {
			var got calls
			res, err := taro.CheckSession(context.Background(), got.option(p, goodSession))
			require.ErrorIs(t, err, taro.ErrNotSupported)
			assert.Equal(t, "checkSession:fail not supported on "+string(p), res.ErrMsg)
			assert.Equal(t, "fail,complete", strings.Join(got.order, ","), "Success is never called for an unsupported target")
			_, err = taro.Code2Session(context.Background(), taro.LoginOption{Platform: p, Code: "c"})
			assert.ErrorIs(t, err, taro.ErrNotSupported)
			_, err = taro.FromNative(p, "checkSession", []byte(`{"errMsg":"checkSession:ok"}`))
			assert.ErrorIs(t, err, taro.ErrNotSupported)
		})
	}
	t.Run("a user-marked platform", func(t *testing.T) {
		c := newClient(t, taro.Config{}, unsupported.New("alipay"))
		res, err := c.CheckSession(context.Background(), taro.Option{Platform: "alipay", Session: goodSession})
		require.ErrorIs(t, err, taro.ErrNotSupported)
		assert.Equal(t, "checkSession:fail not supported on alipay", res.ErrMsg)
	})
}

func TestContextCancellation(t *testing.T) {
	t.Run("canceled before the call", func(t *testing.T) {
		d := &fakeDriver{platform: taro.Weapp}
		c := newClient(t, taro.Config{}, d)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var got calls
		res, err := c.CheckSession(ctx, got.option(taro.Weapp, goodSession))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, taro.CodeCanceled, taro.CodeOf(err))
		assert.Equal(t, "checkSession:fail canceled", res.ErrMsg)
		assert.Equal(t, "fail,complete", strings.Join(got.order, ","))
		assert.Zero(t, d.calls.Load())
	})
	t.Run("deadline passes during the driver call", func(t *testing.T) {
		d := &fakeDriver{platform: taro.Weapp, check: func(ctx context.Context, _ driver.CheckRequest) error {
			<-ctx.Done()
			return &driver.Error{Code: driver.CodeUnavailable, Err: ctx.Err()}
		}}
		c := newClient(t, taro.Config{}, d)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: goodSession})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, taro.CodeDeadlineExceeded, taro.CodeOf(err))
		assert.Equal(t, int64(1), d.calls.Load(), "no retry once the deadline has passed")
	})
}
