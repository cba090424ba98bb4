package taro_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const appSecret = "APP-SECRET-0123456789abcdef"

// builtins builds each built-in driver of the bundle against base: the
// sandbox's default apps give the keys of a platform that signs with them
// (Alipay), and every platform with an app secret gets appSecret. It
// returns, with each builder, the secret values its printed forms must
// never hold.
func builtins(base string, hc *http.Client) map[taro.Platform]func() (taro.Driver, []string, error) {
	sb := sandbox.New(sandbox.Options{})
	defer sb.Close()
	out := map[taro.Platform]func() (taro.Driver, []string, error){}
	for _, p := range platforms.Names() {
		app := sb.App(p)
		out[p] = func() (taro.Driver, []string, error) {
			s := sandbox.AppSettings(app, base, hc)
			if p == taro.TT { // Douyin's token and check too
				s = s.With("MiniGame", "1")
			}
			secrets := []string{appSecret}
			if app.Secret != "" {
				s.Secret = appSecret
			} else {
				secrets = append(secrets, app.PrivateKey, app.AESKey)
			}
			d, err := platforms.Driver(p, s)
			return d, secrets, err
		}
	}
	return out
}

// No driver follows a redirect (307/308 would re-POST the app secret), and
// no fmt verb of any Config or *Driver prints the secret.
func TestBuiltinDriversRefuseRedirectsAndRedact(t *testing.T) {
	var reached atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer evil.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer front.Close()
	for _, hc := range []*http.Client{nil, front.Client()} {
		for p, mk := range builtins(front.URL, hc) {
			d, secrets, err := mk()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			ctx := context.Background()
			_, err = d.(driver.Authenticator).Code2Session(ctx, driver.LoginRequest{Code: "c", AccessToken: "token"}) // xhs exchanges with a token
			assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), "%s: %v", p, err)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), appSecret)
			if f, ok := d.(driver.TokenFetcher); ok {
				_, err = f.FetchToken(ctx)
				assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), "%s token: %v", p, err)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%t", "%o", "%x", "%X", "%8.3v"} {
				out := fmt.Sprintf(verb, d)
				for _, sec := range secrets {
					assert.NotContains(t, out, sec, "%s %s", p, verb)
					assert.NotContains(t, out, fmt.Sprintf("%x", sec), "%s %s", p, verb)
				}
			}
		}
	}
	assert.Zero(t, reached.Load(), "no request followed a redirect")
}
