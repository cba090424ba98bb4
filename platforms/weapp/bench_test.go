package weapp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/tarogo/adapter/internal/loginsig"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// BenchmarkCheckSession compares a check through the library (client,
// store, token cache, driver, signature, HTTP over loopback to the sandbox)
// with the same request and JSON decode written by hand with net/http.
func BenchmarkCheckSession(b *testing.B) {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	hc := sb.HTTPClient()
	d, err := weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp), HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	c, err := taro.NewClient(d)
	if err != nil {
		b.Fatal(err)
	}
	code, _ := sb.Login(taro.Weapp, "bench-user")
	login, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	if err != nil {
		b.Fatal(err)
	}
	opt := taro.Option{Platform: taro.Weapp, Session: login.Session}
	if _, err := c.CheckSession(ctx, opt); err != nil { // warms the token
		b.Fatal(err)
	}
	tok, err := d.FetchToken(ctx) // stable_token: the same token the client cached
	if err != nil {
		b.Fatal(err)
	}

	b.Run("driver", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckSession(ctx, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		base := sb.BaseURL(taro.Weapp) + "/wxa/checksession"
		b.ReportAllocs()
		for b.Loop() {
			u := base + "?access_token=" + url.QueryEscape(tok.Value) + "&openid=" + url.QueryEscape(login.Session.OpenID) +
				"&signature=" + loginsig.Sign(login.Session.SessionKey, "") + "&sig_method=hmac_sha256"
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				ErrCode int    `json:"errcode"`
				ErrMsg  string `json:"errmsg"`
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if err != nil || out.ErrCode != 0 {
				b.Fatal(err, out)
			}
		}
	})
}
