package weapp_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// A WeChat third-party platform logs in the users of the mini programs
// that authorized it: its event URL receives the ticket WeChat pushes,
// and a taro client resolves each authorized app from the caller's own
// records (here a map) to a Component.Driver.
func ExampleNewComponent() {
	ctx := context.Background()
	sb := sandbox.NewServer(sandbox.Options{}) // stands in for WeChat
	defer sb.Close()
	cfg := weapp.ComponentConfig{AppID: "wx-component", Secret: "component-secret", Token: "push-token",
		EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
	_ = sb.AddComponent(sandbox.Component{AppID: cfg.AppID, Secret: cfg.Secret, Token: cfg.Token, EncodingAESKey: cfg.EncodingAESKey})
	_ = sb.AddApp(taro.Weapp, sandbox.App{ID: "wx-shop", Secret: "unused-by-the-component"})
	refreshToken, _ := sb.Authorize(cfg.AppID, "wx-shop") // what api_query_auth hands over

	cfg.BaseURL = sb.BaseURL(taro.Weapp)
	comp, err := weapp.NewComponent(cfg) // in production: Tokens is a redisstore.Store
	if err != nil {
		panic(err)
	}
	events := httptest.NewServer(comp.Handler()) // the authorization-event URL
	defer events.Close()
	_ = sb.PushTicket(cfg.AppID, events.URL) // WeChat does this every ten minutes

	authorized := map[string]string{"wx-shop": refreshToken} // your database
	client, _ := taro.New(taro.Config{Apps: taro.AppSourceFunc(func(_ context.Context, p taro.Platform, appID string) (taro.Driver, error) {
		rt, ok := authorized[appID]
		if !ok {
			return nil, fmt.Errorf("%w: %s", taro.ErrNoDriver, appID)
		}
		return comp.Driver(appID, rt)
	})})

	code, _ := sb.LoginApp(taro.Weapp, "wx-shop", "shopper-1")
	res, err := client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: "wx-shop", Code: code})
	if err != nil {
		panic(err)
	}
	check, _ := client.CheckSession(ctx, taro.Option{Platform: taro.Weapp, AppID: "wx-shop", Session: res.Session})
	fmt.Println(res.ErrMsg, res.AppID, res.OpenID, check.ErrMsg)
	// Output:
	// code2Session:ok wx-shop shopper-1 checkSession:ok
}
