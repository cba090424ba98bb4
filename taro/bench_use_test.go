package taro_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// BenchmarkDecrypt opens a 400-byte JSON payload through Client.Decrypt on
// each platform (no I/O: base64, AES-CBC, unpadding, the watermark or
// app-key check).
func BenchmarkDecrypt(b *testing.B) {
	sb := sandbox.New(sandbox.Options{})
	payload := []byte(`{"nickName":"` + strings.Repeat("x", 400-len(`{"nickName":""}`)) + `"}`)
	for _, p := range sandbox.Platforms() {
		app := sb.App(p)
		var d taro.Driver
		switch p {
		case taro.Weapp:
			d, _ = weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret})
		case taro.TT:
			d, _ = tt.New(tt.Config{AppID: app.ID, Secret: app.Secret})
		case taro.QQ:
			d, _ = qq.New(qq.Config{AppID: app.ID, Secret: app.Secret})
		case taro.Swan:
			d, _ = swan.New(swan.Config{AppID: app.ID, Secret: app.Secret})
		}
		c, _ := taro.NewClient(d)
		code, _ := sb.Login(p, "bench-user")
		_ = code
		key, _ := sb.SessionKey(p, "bench-user")
		data, iv, err := sb.Encrypt(p, "bench-user", payload)
		if err != nil {
			b.Fatal(err)
		}
		opt := taro.DecryptOption{Platform: p, Session: taro.Session{OpenID: "bench-user", SessionKey: key}, EncryptedData: data, IV: iv}
		ctx := context.Background()
		b.Run(string(p), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Decrypt(ctx, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
