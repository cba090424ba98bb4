package tt_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

// makeDriver builds a mini-game driver (with the server-side check).
func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return tt.New(tt.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.TT), HTTPClient: sb.HTTPClient(), MiniGame: true})
}

// makeMiniApp builds the default, mini-app driver (checks from the store),
// with the app's key for phone numbers by code.
func makeMiniApp(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return tt.New(tt.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.TT), HTTPClient: sb.HTTPClient(), PhonePrivateKey: app.PrivateKey})
}

func TestConformance(t *testing.T) {
	t.Run("minigame", func(t *testing.T) { drivertest.RunConformanceTests(t, sandboxtest.New(taro.TT, makeDriver)) })
	t.Run("miniapp", func(t *testing.T) { drivertest.RunConformanceTests(t, sandboxtest.New(taro.TT, makeMiniApp)) })
}
