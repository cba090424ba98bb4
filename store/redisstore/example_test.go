package redisstore_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// Two replicas share one Redis: a login on one is seen by the other, even
// on QQ, whose platform cannot check a session.
func Example() {
	ctx := context.Background()
	mr, _ := miniredis.Run() // in production: your Redis
	defer mr.Close()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()

	replica := func() *taro.Client {
		st, err := redisstore.Open("redis://"+mr.Addr()+"/0", redisstore.Options{})
		if err != nil {
			panic(err)
		}
		app := sb.App(taro.QQ)
		d, _ := qq.New(qq.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ)})
		c, _ := taro.New(taro.Config{Drivers: []taro.Driver{d}, Tokens: st, Sessions: st})
		return c
	}
	a, b := replica(), replica()

	code, _ := sb.Login(taro.QQ, "user-1")
	first, _ := a.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
	res, _ := b.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: first.Session})
	fmt.Println("B, first session:", res.ErrMsg)

	code, _ = sb.Login(taro.QQ, "user-1")
	_, _ = a.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
	res, _ = b.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: first.Session})
	fmt.Println("B, after a new login on A:", res.ErrMsg)
	// Output:
	// B, first session: checkSession:ok
	// B, after a new login on A: checkSession:fail session invalid: superseded by a newer login
}
