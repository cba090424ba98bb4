package taro_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/unsupported"
)

func ExampleCheckSession() {
	// H5 has no checkSession: every client says so, with a typed error,
	// and never calls Success.
	res, err := taro.CheckSession(context.Background(), taro.Option{
		Platform: taro.H5,
		Session:  taro.Session{OpenID: "o6zAJs-user", SessionKey: "o0q0otL8aEzpcZL/FT9WsQ=="},
		Success:  func(taro.CallbackResult) { fmt.Println("never") },
		Fail:     func(r taro.CallbackResult) { fmt.Println("fail:", r.ErrMsg) },
		Complete: func(taro.CallbackResult) { fmt.Println("complete") },
	})
	fmt.Println(res.ErrMsg, errors.Is(err, taro.ErrNotSupported))
	// Output:
	// fail: checkSession:fail not supported on h5
	// complete
	// checkSession:fail not supported on h5 true
}

func ExampleNewClient() {
	// A client of its own, marking another target as not supported.
	c, err := taro.NewClient(unsupported.New("alipay"))
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Platforms())
	_, err = c.CheckSession(context.Background(), taro.Option{Platform: "alipay",
		Session: taro.Session{OpenID: "u", SessionKey: "k"}})
	fmt.Println(taro.CodeOf(err))
	// Output:
	// [alipay h5 harmony rn]
	// NotSupported
}

func ExampleCodeOf() {
	_, err := taro.CheckSession(context.Background(), taro.Option{Platform: taro.RN})
	switch taro.CodeOf(err) {
	case taro.CodeSessionInvalid:
		fmt.Println("log in again")
	case taro.CodeInvalidArgument:
		fmt.Println("bad call:", err)
	}
	// Output:
	// bad call: taro: rn checkSession: invalid argument: Session.OpenID is empty
}

func ExampleError() {
	_, err := taro.CheckSession(context.Background(), taro.Option{Platform: "alipay",
		Session: taro.Session{OpenID: "u", SessionKey: "k"}})
	var te *taro.Error
	if errors.As(err, &te) {
		fmt.Println(te.Code, te.Platform, te.API)
	}
	// Output:
	// NoDriver alipay checkSession
}

func ExampleCallbackResult() {
	b, _ := json.Marshal(taro.CallbackResult{ErrMsg: "checkSession:ok"})
	fmt.Println(string(b))
	// Output:
	// {"errMsg":"checkSession:ok"}
}
