// Command checksession checks one WeChat session with the library: the
// "Check a session on any platform" program of the README, kept compiling
// and tested against the sandbox.
//
//	TARO_WEAPP_APPID=wx.. TARO_WEAPP_SECRET=.. OPENID=.. SESSION_KEY=.. go run ./examples/checksession
//
// TARO_WEAPP_BASE_URL, when set, points it at a sandbox (taro sandbox
// prints one) instead of WeChat.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/taro"
)

func main() { os.Exit(run(context.Background(), os.Getenv, os.Stdout)) }

// readme:begin checksession
func run(ctx context.Context, env func(string) string, out io.Writer) int {
	d, err := weapp.New(weapp.Config{
		AppID:   env("TARO_WEAPP_APPID"),
		Secret:  env("TARO_WEAPP_SECRET"),
		BaseURL: env("TARO_WEAPP_BASE_URL"), // empty: WeChat itself
	})
	if err != nil {
		fmt.Fprintln(out, err) // e.g. the app id or secret is missing
		return 2
	}
	client, err := taro.NewClient(d)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	s := taro.Session{OpenID: env("OPENID"), SessionKey: env("SESSION_KEY")}
	res, err := client.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: s})
	fmt.Fprintln(out, res.ErrMsg) // "checkSession:ok", or ":fail " and why
	switch {
	case err == nil:
		return 0 // valid
	case errors.Is(err, taro.ErrSessionInvalid):
		return 1 // the user must log in again
	default:
		return 3 // could not decide: taro.CodeOf(err) says why
	}
}

// readme:end checksession
