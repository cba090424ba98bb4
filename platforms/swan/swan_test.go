package swan_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return swan.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Swan), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return swan.New(configDriver(sb, app).(swan.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.Swan, makeDriver, configDriver))
}
