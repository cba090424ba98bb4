package dd_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/dd"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return dd.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(dd.Platform), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return dd.New(configDriver(sb, app).(dd.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(dd.Platform, makeDriver, configDriver))
}
