package sandbox_test

import (
	"context"
	"fmt"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// Example logs a user in and checks the session on WeChat (asked of the
// platform) and QQ (answered from the session store), against the sandbox.
func Example() {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()

	wx, qqApp := sb.App(taro.Weapp), sb.App(taro.QQ)
	wd, _ := weapp.New(weapp.Config{AppID: wx.ID, Secret: wx.Secret, BaseURL: sb.BaseURL(taro.Weapp)})
	qd, _ := qq.New(qq.Config{AppID: qqApp.ID, Secret: qqApp.Secret, BaseURL: sb.BaseURL(taro.QQ)})
	client, err := taro.NewClient(wd, qd)
	if err != nil {
		panic(err)
	}

	for _, p := range []taro.Platform{taro.Weapp, taro.QQ} {
		code, _ := sb.Login(p, "user-1") // what the mini program's login() returns
		login, err := client.Code2Session(ctx, taro.LoginOption{Platform: p, Code: code})
		if err != nil {
			panic(err)
		}
		res, _ := client.CheckSession(ctx, taro.Option{Platform: p, Session: login.Session})
		fmt.Println(p, login.ErrMsg, res.ErrMsg)

		// The user logs in again: the key rotates and the backend exchanges
		// the new code. The old session is now invalid.
		code, _ = sb.Login(p, "user-1")
		if _, err := client.Code2Session(ctx, taro.LoginOption{Platform: p, Code: code}); err != nil {
			panic(err)
		}
		res, err = client.CheckSession(ctx, taro.Option{Platform: p, Session: login.Session})
		fmt.Println(p, res.ErrMsg, taro.CodeOf(err))
	}
	// Output:
	// weapp code2Session:ok checkSession:ok
	// weapp checkSession:fail session invalid: superseded by a newer login SessionInvalid
	// qq code2Session:ok checkSession:ok
	// qq checkSession:fail session invalid: superseded by a newer login SessionInvalid
}

// Example_rotation is the README's worked example: QQ, whose platform
// cannot check a session, answered from the session store.
func Example_rotation() {
	ctx := context.Background()
	// readme:begin sandbox
	sb := sandbox.NewServer(sandbox.Options{}) // every built-in platform on a loopback port
	defer sb.Close()
	app := sb.App(taro.QQ)
	d, err := qq.New(qq.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ)})
	if err != nil {
		panic(err)
	}
	client, err := taro.NewClient(d)
	if err != nil {
		panic(err)
	}

	code, _ := sb.Login(taro.QQ, "user-1") // what the mini program's qq.login() returns
	login, err := client.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
	if err != nil {
		panic(err)
	}
	res, _ := client.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: login.Session})
	fmt.Println(res.ErrMsg) // checkSession:ok

	code, _ = sb.Login(taro.QQ, "user-1") // the user logs in again; the key rotates
	if _, err := client.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: code}); err != nil {
		panic(err)
	}
	res, _ = client.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: login.Session})
	fmt.Println(res.ErrMsg) // checkSession:fail session invalid: superseded by a newer login
	// readme:end sandbox
	// Output:
	// checkSession:ok
	// checkSession:fail session invalid: superseded by a newer login
}
