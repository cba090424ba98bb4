package kwai_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return kwai.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(kwai.Platform), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return kwai.New(configDriver(sb, app).(kwai.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(kwai.Platform, makeDriver, configDriver))
}
