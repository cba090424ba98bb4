package sandbox_test

import (
	"context"
	"fmt"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/qywx"
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

// Example_apps serves two apps of one platform from one sandbox, and a
// WeCom user of another corp: each app has its own users and codes, and
// a work platform's user carries its tenant.
func Example_apps() {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	_ = sb.AddApp(taro.QQ, sandbox.App{ID: "qq-shop-2", Secret: "shop-2-secret"})
	var ds []taro.Driver
	for _, a := range sb.Apps(taro.QQ) {
		d, _ := qq.New(qq.Config{AppID: a.ID, Secret: a.Secret, BaseURL: sb.BaseURL(taro.QQ)})
		ds = append(ds, d)
	}
	wc := sb.App(taro.WeCom)
	wd, _ := qywx.New(qywx.Config{AppID: wc.ID, Secret: wc.Secret, BaseURL: sb.BaseURL(taro.WeCom)})
	client, _ := taro.NewClient(append(ds, wd)...)

	code, _ := sb.LoginApp(taro.QQ, "qq-shop-2", "u1")
	_, err := client.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, AppID: sb.App(taro.QQ).ID, Code: code})
	fmt.Println("another app's code:", taro.CodeOf(err))
	res, _ := client.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, AppID: "qq-shop-2", Code: code})
	fmt.Println(res.AppID, res.OpenID)

	code, _ = sb.Login(taro.WeCom, "ww-other-corp/zhangsan") // a user of another corp
	res, _ = client.Code2Session(ctx, taro.LoginOption{Platform: taro.WeCom, Code: code})
	fmt.Println(res.OpenID, res.TenantID)
	// Output:
	// another app's code: InvalidCode
	// qq-shop-2 u1
	// zhangsan ww-other-corp
}
