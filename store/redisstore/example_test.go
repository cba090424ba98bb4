package redisstore_test

import (
	"context"
	"fmt"
	"os"

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

// ExampleOpen opens the store and shares it as both of a client's stores.
func ExampleOpen() {
	mr, _ := miniredis.Run() // in production: your Redis
	defer mr.Close()
	os.Setenv("TARO_REDIS_URL", "redis://"+mr.Addr()+"/0")
	defer os.Unsetenv("TARO_REDIS_URL")
	var drivers []taro.Driver // your platforms' drivers

	err := func() error {
		// readme:begin redis
		st, err := redisstore.Open(os.Getenv("TARO_REDIS_URL"), redisstore.Options{}) // or redisstore.New(rdb, opts)
		if err != nil {
			return err // names an empty URL, or a Redis that did not answer a PING
		}
		defer st.Close()
		client, err := taro.New(taro.Config{Drivers: drivers, Tokens: st, Sessions: st})
		// readme:end redis
		fmt.Println(client != nil, err)
		return nil
	}()
	fmt.Println(err)
	// Output:
	// true <nil>
	// <nil>
}
