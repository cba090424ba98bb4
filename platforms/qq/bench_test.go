package qq_test

import (
	"context"
	"testing"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// BenchmarkCheckSessionStore measures a check answered from the session
// store, as on QQ and Baidu, which document no server-side check.
func BenchmarkCheckSessionStore(b *testing.B) {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.QQ)
	d, err := qq.New(qq.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ), HTTPClient: sb.HTTPClient()})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := taro.NewClient(d)
	code, _ := sb.Login(taro.QQ, "bench-user")
	login, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
	if err != nil {
		b.Fatal(err)
	}
	opt := taro.Option{Platform: taro.QQ, Session: login.Session}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CheckSession(ctx, opt); err != nil {
			b.Fatal(err)
		}
	}
}
