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
func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return tt.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.TT), HTTPClient: sb.HTTPClient(), MiniGame: true}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return tt.New(configDriver(sb, app).(tt.Config))
}

// makeMiniApp builds the default, mini-app driver (checks from the store),
// with the app's key for phone numbers by code.
func configMiniApp(sb *sandbox.Sandbox, app sandbox.App) any {
	return tt.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.TT), HTTPClient: sb.HTTPClient(), PhonePrivateKey: app.PrivateKey}
}

func makeMiniApp(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return tt.New(configMiniApp(sb, app).(tt.Config))
}

func TestConformance(t *testing.T) {
	t.Run("minigame", func(t *testing.T) {
		drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.TT, makeDriver, configDriver))
	})
	t.Run("miniapp", func(t *testing.T) {
		drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.TT, makeMiniApp, configMiniApp))
	})
}
