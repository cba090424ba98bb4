package taro_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// CodeOf keeps its word for every sentinel, bare or wrapped.
func TestCodeOfSentinels(t *testing.T) {
	for _, c := range driver.Codes() {
		if c == taro.CodeOK || c == taro.CodeCanceled || c == taro.CodeDeadlineExceeded {
			continue
		}
		s := driver.Sentinel(c)
		assert.Equal(t, c, taro.CodeOf(s), "CodeOf(%v)", s)
		w := fmt.Errorf("while doing x: %w", s)
		assert.Equal(t, c, taro.CodeOf(w), "CodeOf(wrapped %v)", s)
		assert.ErrorIs(t, w, s)
		j := errors.Join(errors.New("other"), s)
		assert.Equal(t, c, taro.CodeOf(j), "CodeOf(joined %v)", s)
	}
	assert.Equal(t, taro.CodeSessionInvalid, taro.CodeOf(taro.ErrSessionInvalid))
	assert.Equal(t, taro.CodeUnknown, taro.CodeOf(errors.New("x")))
	assert.Equal(t, taro.CodeCanceled, taro.CodeOf(context.Canceled))
}

// FromNative needs no driver and no credentials on the built-in platforms.
func TestFromNativeNeedsNoCredentials(t *testing.T) {
	c, err := taro.New(taro.Config{})
	require.NoError(t, err)
	for _, tc := range []struct {
		p    taro.Platform
		raw  string
		code taro.Code
	}{
		{taro.Weapp, `{"errMsg":"checkSession:ok"}`, taro.CodeOK},
		{taro.Weapp, `{"errMsg":"checkSession:fail session time out, need relogin"}`, taro.CodeSessionInvalid},
		{taro.TT, `{"errMsg":"checkSession:fail session is expired","errorCode":113102}`, taro.CodeSessionInvalid},
		{taro.TT, `{"errMsg":"checkSession:fail Internal error","errorCode":113191}`, taro.CodeUnavailable},
		{taro.QQ, `{"errMsg":"checkSession:ok"}`, taro.CodeOK},
		{taro.Swan, `{"result":false}`, taro.CodeSessionInvalid},
		{taro.Swan, `{"errMsg":"checkSession:fail","errCode":10004}`, taro.CodeSessionInvalid},
		{taro.Weapp, `not json`, taro.CodeInvalidArgument},
		{taro.H5, `{"errMsg":"checkSession:ok"}`, taro.CodeNotSupported},
		{"alipay", `{"errMsg":"checkSession:ok"}`, taro.CodeNoDriver},
	} {
		res, err := c.FromNative(tc.p, "checkSession", []byte(tc.raw))
		assert.Equal(t, tc.code, taro.CodeOf(err), "%s %s", tc.p, tc.raw)
		if tc.code == taro.CodeOK {
			assert.Equal(t, "checkSession:ok", res.ErrMsg)
		}
		// The package-level function behaves the same on the default client.
		_, err = taro.FromNative(tc.p, "checkSession", []byte(tc.raw))
		assert.Equal(t, tc.code, taro.CodeOf(err), "taro.FromNative %s %s", tc.p, tc.raw)
	}
}

// An anonymous-only login carries no session key, records nothing, and a
// session without a key is refused before any I/O, saying why.
func TestAnonymousLoginHasNoSession(t *testing.T) {
	ctx := context.Background()
	d := &fakeDriver{platform: taro.TT, login: func(_ context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
		return driver.LoginResponse{AnonymousOpenID: "anon-1"}, nil
	}}
	store := taro.NewMemorySessionStore()
	c := newClient(t, taro.Config{Sessions: store}, d)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.TT, AnonymousCode: "ac"})
	require.NoError(t, err)
	assert.Equal(t, "anon-1", res.AnonymousOpenID)
	assert.Empty(t, res.Session.SessionKey)
	assert.Zero(t, store.Len())
	before := d.calls.Load()
	r, err := c.CheckSession(ctx, taro.Option{Platform: taro.TT, Session: taro.Session{OpenID: "anon-1"}})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.Contains(t, r.ErrMsg, "anonymous login has none")
	assert.Equal(t, before, d.calls.Load())

	// With a code, a login that lacks the key is not a login.
	d.login = func(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
		return driver.LoginResponse{OpenID: "u", AnonymousOpenID: "anon-1"}, nil
	}
	c2 := newClient(t, taro.Config{Retry: taro.RetryPolicy{MaxAttempts: 1}}, d)
	_, err = c2.Code2Session(ctx, taro.LoginOption{Platform: taro.TT, Code: "c", AnonymousCode: "ac"})
	assert.ErrorIs(t, err, taro.ErrUnavailable)
}

// Every fmt verb of Session, Option and LoginResult is redacted.
func TestEveryVerbIsRedacted(t *testing.T) {
	const sk = "SESSIONKEY-abc123"
	s := taro.Session{OpenID: "u", SessionKey: sk}
	values := []any{s, &s, taro.Option{Platform: taro.Weapp, Session: s}, taro.LoginResult{OpenID: "u", Session: s},
		&taro.LoginResult{Session: s}, []taro.Session{s}, map[string]taro.Session{"a": s}, struct{ S taro.Session }{s}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%t", "%o", "%x", "%X", "%e", "%10.4v", "%-8s", "%U", "%c"} {
		for _, v := range values {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, sk, "%s of %T", verb, v)
			assert.NotContains(t, out, fmt.Sprintf("%x", sk), "%s of %T", verb, v)
			assert.NotContains(t, out, fmt.Sprintf("%X", sk), "%s of %T", verb, v)
			assert.NotContains(t, out, fmt.Sprintf("%o", []byte(sk)), "%s of %T", verb, v)
		}
	}
}

// Redaction removes whole secrets and never mangles unrelated words.
func TestRedactText(t *testing.T) {
	out, changed := driver.RedactText("asked stable_token for app", "k")
	assert.True(t, changed)
	assert.Equal(t, driver.Withheld, out, "a one-character secret is never cut out of words")
	out, changed = driver.RedactText("asked stable_token for app", "zzz")
	assert.False(t, changed)
	assert.Equal(t, "asked stable_token for app", out)
	out, _ = driver.RedactText("sig=abcdef0123456789 and again abcdef0123456789", "abcdef0123456789")
	assert.Equal(t, "sig=[redacted] and again [redacted]", out)
	out, _ = driver.RedactText("key=a%2Bb%2Fcdefgh%3D%3D", "a+b/cdefgh==")
	assert.Equal(t, "key=[redacted]", out, "the URL-escaped form is found too")

	const sec = "a+b/cdefgh==XYZ0123456789"
	for _, tc := range []struct{ name, in, want string }{
		{"lower-case percent-escapes", "key=a%2bb%2fcdefgh%3d%3dXYZ0123456789 end", "key=[redacted] end"},
		{"upper-case percent-escapes", "key=a%2Bb%2Fcdefgh%3D%3DXYZ0123456789 end", "key=[redacted] end"},
		{"JSON \\u escapes", `{"errmsg":"bad a\u002bb\/cdefgh\u003d\u003dXYZ0123456789"}`, `{"errmsg":"bad [redacted]"}`},
		{"upper-cased echo", "invalid secret A+B/CDEFGH==XYZ0123456789.", "invalid secret [redacted]."},
		{"truncated echo", "invalid secret cdefgh==XYZ0 (truncated)", "invalid secret [redacted] (truncated)"},
		{"a run at the start", "got a+b/cdefgh==X…", "got [redacted]…"},
		{"twelve characters of it", "got =XYZ01234567, ok", "got [redacted], ok"},
		{"eleven are not cut", "got XYZ01234567, ok", "got XYZ01234567, ok"},
		{"escapes of other text stay", "path a%2Fb and \\u0041", "path a%2Fb and \\u0041"},
	} {
		out, changed := driver.RedactText(tc.in, sec)
		assert.Equal(t, tc.want, out, tc.name)
		assert.Equal(t, tc.in != tc.want, changed, tc.name)
	}
	out, _ = driver.RedactText("Secret SECRETPW! and secretpw", "secretpw")
	assert.Equal(t, "Secret [redacted]! and [redacted]", out, "a short secret, in any case")
}

// longTokenDriver hands out access tokens long enough to be found and cut
// out of a text.
type longTokenDriver struct{ fakeDriver }

func (d *longTokenDriver) FetchToken(context.Context) (driver.Token, error) {
	return driver.Token{Value: "ACCESS-TOKEN-0123456789", ExpiresIn: 3600e9}, nil
}

// The portable layer removes the session key and the access token from
// every layer of an error, also when a driver let them through.
func TestSecretsOutOfEveryLayer(t *testing.T) {
	const sk = "SESSIONKEY-abc123"
	const tok = "ACCESS-TOKEN-0123456789"
	d := &longTokenDriver{}
	d.platform = taro.Weapp
	inner := context.Canceled
	d.check = func(_ context.Context, r driver.CheckRequest) error {
		return &driver.Error{Code: driver.CodeUnavailable, PlatformMessage: "echo stable_token key=" + r.SessionKey,
			Err: fmt.Errorf("GET /x?access_token=%s: %w", r.AccessToken, fmt.Errorf("deep %s: %w", r.SessionKey, inner))}
	}
	c := newClient(t, taro.Config{Retry: taro.RetryPolicy{MaxAttempts: 1}}, d)
	_, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.Weapp, Session: taro.Session{OpenID: "u", SessionKey: sk}})
	require.Error(t, err)
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		text := e.Error() + fmt.Sprintf(" %+v %#v %v", e, e, e)
		assert.NotContains(t, text, sk)
		assert.NotContains(t, text, tok)
	}
	if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			assert.NotContains(t, fmt.Sprintf("%+v %#v", e, e), sk)
		}
	}
	assert.Contains(t, err.Error(), "echo stable_token key=[redacted]", "unrelated words survive")
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	assert.ErrorIs(t, err, context.Canceled, "identity the caller may test survives redaction")
}

// With the default, per-process session store, a "no login recorded"
// verdict tells the operator why (in the Go error and one log warning),
// not the mini program's user.
func TestMemoryStoreIsExplained(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	c := newClient(t, taro.Config{Logger: logger}, &storeOnly{fakeDriver{platform: taro.QQ}})
	for range 3 {
		res, err := c.CheckSession(context.Background(), taro.Option{Platform: taro.QQ, Session: goodSession})
		require.ErrorIs(t, err, taro.ErrSessionInvalid)
		assert.Equal(t, "checkSession:fail session invalid: no login recorded for this user", res.ErrMsg)
		assert.Contains(t, err.Error(), "store/redisstore")
		assert.Contains(t, err.Error(), "memory")
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "warned once: %s", logs.String())
	assert.Contains(t, logs.String(), "redisstore")

	// With a store of the caller's, nothing is said.
	c2 := newClient(t, taro.Config{Sessions: taro.NewMemorySessionStore(), Logger: logger}, &storeOnly{fakeDriver{platform: taro.QQ}})
	_, err := c2.CheckSession(context.Background(), taro.Option{Platform: taro.QQ, Session: goodSession})
	assert.NotContains(t, err.Error(), "redisstore")
}
