package redisstore_test

import (
	"context"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// storeOnlyDriver issues sessions but cannot check them: its checks are
// answered by the store alone.
type storeOnlyDriver struct{}

func (storeOnlyDriver) Platform() taro.Platform { return "store-only" }
func (storeOnlyDriver) AppID() string           { return "app" }
func (storeOnlyDriver) Code2Session(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
	return driver.LoginResponse{OpenID: "u", SessionKey: "k"}, nil
}
