package taro_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// BenchmarkDecrypt opens a 400-byte JSON payload through Client.Decrypt on
// each built-in platform, from the bundle (no I/O: base64, AES-CBC, unpadding, the watermark or
// app-key check).
func BenchmarkDecrypt(b *testing.B) {
	sb := sandbox.New(sandbox.Options{})
	payload := []byte(`{"nickName":"` + strings.Repeat("x", 400-len(`{"nickName":""}`)) + `"}`)
	for _, p := range sandbox.Platforms() {
		app := sb.App(p)
		d, err := platforms.Driver(p, sandbox.AppSettings(app, "", nil))
		if err != nil {
			b.Fatal(err)
		}
		if !driver.Has(d, driver.CapDecrypter) {
			continue // Alipay: no session key, no encryptedData
		}
		c, err := taro.NewClient(d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sb.Login(p, "bench-user"); err != nil {
			b.Fatal(err)
		}
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
