package weapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// A check is valid only on an explicit {"errcode":0}.
func TestCheckIsValidOnlyOnAnExplicitZero(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder("")
	defer rec.Close()
	d := newDriver(t, rec)
	req := driver.CheckRequest{OpenID: "o", SessionKey: docKey, AccessToken: "TOKEN-SECRET-123"}
	for _, body := range []string{
		`{}`, `{"errmsg":"ok"}`, `{"errmsg":"invalid signature"}`, `{"errcode":null}`, `{"errcode":""}`,
		`{"errcode":"0"}`, `{"errcode":0.0}`, `{"error":"bad gateway"}`, `{"errcode":null,"errmsg":"ok"}`,
	} {
		rec.Answer(200, "application/json", body)
		err := d.CheckSession(ctx, req)
		assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), "%s must not be a valid session: %v", body, err)
	}
	for _, body := range []string{`{"errcode":0,"errmsg":"ok"}`, `{"errcode":0}`, ` {"errcode":0} `} {
		rec.Answer(200, "application/json", body)
		assert.NoError(t, d.CheckSession(ctx, req), body)
	}
	// Every decoder: a success needs what a success carries.
	for _, body := range []string{`{}`, `{"openid":"o"}`, `{"session_key":"k"}`, `{"errcode":null,"openid":"o","session_key":"k"}`} {
		rec.Answer(200, "application/json", body)
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
		assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), body)
	}
	for _, body := range []string{`{}`, `{"access_token":"t"}`, `{"access_token":"t","expires_in":0}`, `{"expires_in":7200}`, `{"access_token":"","expires_in":7200}`} {
		rec.Answer(200, "application/json", body)
		_, err := d.FetchToken(ctx)
		assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), body)
	}
}

// A redirect is never followed, with the default client or the caller's,
// and the caller's client is not modified.
func TestRedirectsAreRefused(t *testing.T) {
	var elsewhere atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte(`{"errcode":0,"access_token":"x","expires_in":7200,"openid":"o","session_key":"k"}`))
	}))
	defer evil.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, evil.URL+r.URL.Path+"?"+r.URL.RawQuery, status)
		}))
		for _, hc := range []*http.Client{nil, front.Client(), {}} {
			var before func(*http.Request, []*http.Request) error
			if hc != nil {
				before = hc.CheckRedirect
			}
			d, err := weapp.New(weapp.Config{AppID: appID, Secret: secret, BaseURL: front.URL, HTTPClient: hc})
			require.NoError(t, err)
			ctx := context.Background()
			errs := []error{
				d.CheckSession(ctx, driver.CheckRequest{OpenID: "o", SessionKey: docKey, AccessToken: "TOKEN-SECRET-123"}),
			}
			_, err = d.FetchToken(ctx)
			errs = append(errs, err)
			_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
			errs = append(errs, err)
			for _, err := range errs {
				require.Error(t, err)
				assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err))
				text := fmt.Sprintf("%v %+v", err, err)
				assert.Contains(t, text, fmt.Sprintf("HTTP %d", status))
				assert.Contains(t, text, strings.TrimPrefix(evil.URL, "http://"), "the error names the redirect's host")
				for _, sec := range []string{secret, "TOKEN-SECRET-123", docKeyEmptySig} {
					assert.NotContains(t, text, sec)
				}
			}
			if hc != nil {
				assert.Equal(t, fmt.Sprintf("%p", before), fmt.Sprintf("%p", hc.CheckRedirect), "the caller's client is not modified")
			}
		}
		front.Close()
	}
	assert.Zero(t, elsewhere.Load(), "no request reached the redirect's target")
}

// A platform (or gateway) that echoes the request puts no secret into any
// layer of the error.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder("")
	defer rec.Close()
	d := newDriver(t, rec)
	token := "TOKEN-SECRET-123"
	echo := fmt.Sprintf(`{"errcode":40001,"errmsg":"invalid credential access_token=%s&signature=%s secret=%s key=%s"}`, token, docKeyEmptySig, secret, docKey)
	rec.Answer(200, "application/json", echo)
	err := d.CheckSession(ctx, driver.CheckRequest{OpenID: "o", SessionKey: docKey, AccessToken: token})
	require.Error(t, err)
	assert.Equal(t, taro.CodeTokenInvalid, taro.CodeOf(err))
	for e := error(err); e != nil; e = unwrap(e) {
		text := e.Error() + fmt.Sprintf("%+v %#v", e, e)
		for _, sec := range []string{secret, token, docKeyEmptySig, docKey} {
			assert.NotContains(t, text, sec)
		}
	}
	assert.Contains(t, err.Error(), "invalid credential", "unrelated words survive")

	// Echoed with an HTTP error status, as a gateway might.
	rec.Answer(502, "text/plain", "bad gateway for GET /sns/jscode2session?secret="+secret)
	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), secret)
}

func unwrap(e error) error {
	if u, ok := e.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// A 4xx from a platform host is a configuration error, not an outage: it is
// not retried and names the method, host and path.
func TestClientErrorsAreConfigurationErrors(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder("")
	defer rec.Close()
	d := newDriver(t, rec)
	for status, code := range map[int]taro.Code{404: taro.CodeInvalidArgument, 400: taro.CodeInvalidArgument, 405: taro.CodeInvalidArgument, 401: taro.CodeCredentials, 403: taro.CodeCredentials, 429: taro.CodeRateLimited, 408: taro.CodeUnavailable} {
		rec.Answer(status, "text/html", "<html>nope</html>")
		_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
		assert.Equal(t, code, taro.CodeOf(err), "HTTP %d", status)
		assert.Contains(t, err.Error(), "GET 127.0.0.1")
		assert.Contains(t, err.Error(), "/sns/jscode2session")
		assert.NotContains(t, err.Error(), secret)
	}
	// A JSON error body with a non-2xx status is classified by its code.
	rec.Answer(400, "application/json", `{"errcode":40029,"errmsg":"invalid code"}`)
	_, err := d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.Equal(t, taro.CodeInvalidCode, taro.CodeOf(err))
	rec.Answer(503, "application/json", `{"errcode":-1,"errmsg":"system error"}`)
	_, err = d.Code2Session(ctx, driver.LoginRequest{Code: "c"})
	assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err))
}

// Every fmt verb of a Config and a *Driver is redacted, and so is a
// BaseURL's password. (%p of a Config value is fmt's bad-verb path, which
// bypasses every method; %p of a pointer prints an address.)
func TestEveryVerbIsRedacted(t *testing.T) {
	cfg := weapp.Config{AppID: appID, Secret: secret, BaseURL: "https://user:hunter2-password@proxy.example/wx"}
	d, err := weapp.New(cfg)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%t", "%o", "%x", "%X", "%T %v", "%10.3v", "%p"} {
		for _, v := range []any{cfg, d, &cfg} {
			if _, isValue := v.(weapp.Config); isValue && verb == "%p" {
				continue
			}
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, secret, verb)
			assert.NotContains(t, out, "hunter2", verb)
			assert.NotContains(t, out, fmt.Sprintf("%x", secret), verb)
		}
	}
}
