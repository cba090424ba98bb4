package weapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
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
				"&signature=" + driverkit.SignLoginState(login.Session.SessionKey, "") + "&sig_method=hmac_sha256"
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

// BenchmarkGetPhoneNumber compares a phone-number exchange through the
// library (client, shared token, driver, HTTP over loopback to the sandbox)
// with the same request and decode written by hand. Both sides mint their
// single-use code in the sandbox inside the loop.
func BenchmarkGetPhoneNumber(b *testing.B) {
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
	tok, err := c.AccessToken(ctx, taro.Weapp) // warms the token
	if err != nil {
		b.Fatal(err)
	}
	b.Run("driver", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			code, _ := sb.PhoneCode(taro.Weapp, "bench-user", "13800138000")
			if _, err := c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp, Code: code}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		u := sb.BaseURL(taro.Weapp) + "/wxa/business/getuserphonenumber?access_token=" + url.QueryEscape(tok)
		b.ReportAllocs()
		for b.Loop() {
			code, _ := sb.PhoneCode(taro.Weapp, "bench-user", "13800138000")
			body, _ := json.Marshal(struct {
				Code string `json:"code"`
			}{code})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				ErrCode   int `json:"errcode"`
				PhoneInfo struct {
					PhoneNumber     string          `json:"phoneNumber"`
					PurePhoneNumber string          `json:"purePhoneNumber"`
					CountryCode     json.RawMessage `json:"countryCode"`
				} `json:"phone_info"`
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if err != nil || out.ErrCode != 0 || out.PhoneInfo.PhoneNumber == "" {
				b.Fatal(err, out)
			}
		}
	})
}
