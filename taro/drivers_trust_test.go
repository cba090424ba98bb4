package taro_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

const appSecret = "APP-SECRET-0123456789abcdef"

// builtins builds each built-in driver against base.
func builtins(base string, hc *http.Client) map[taro.Platform]func() (any, any, error) {
	return map[taro.Platform]func() (any, any, error){
		taro.Weapp: func() (any, any, error) {
			c := weapp.Config{AppID: "wx-app", Secret: appSecret, BaseURL: base, HTTPClient: hc}
			d, err := weapp.New(c)
			return c, d, err
		},
		taro.TT: func() (any, any, error) {
			c := tt.Config{AppID: "tt-app", Secret: appSecret, BaseURL: base, HTTPClient: hc, MiniGame: true}
			d, err := tt.New(c)
			return c, d, err
		},
		taro.QQ: func() (any, any, error) {
			c := qq.Config{AppID: "qq-app", Secret: appSecret, BaseURL: base, HTTPClient: hc}
			d, err := qq.New(c)
			return c, d, err
		},
		taro.Swan: func() (any, any, error) {
			c := swan.Config{AppID: "swan-app", Secret: appSecret, BaseURL: base, HTTPClient: hc}
			d, err := swan.New(c)
			return c, d, err
		},
	}
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
			cfg, d, err := mk()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			ctx := context.Background()
			_, err = d.(driver.Authenticator).Code2Session(ctx, driver.LoginRequest{Code: "c"})
			assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), "%s: %v", p, err)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), appSecret)
			if f, ok := d.(driver.TokenFetcher); ok {
				_, err = f.FetchToken(ctx)
				assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), "%s token: %v", p, err)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%t", "%o", "%x", "%X", "%8.3v"} {
				for _, v := range []any{cfg, d} {
					out := fmt.Sprintf(verb, v)
					assert.NotContains(t, out, appSecret, "%s %s %T", p, verb, v)
					assert.NotContains(t, out, fmt.Sprintf("%x", appSecret), "%s %s %T", p, verb, v)
				}
			}
		}
	}
	assert.Zero(t, reached.Load(), "no request followed a redirect")
}
