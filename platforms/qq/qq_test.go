package qq_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return qq.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return qq.New(configDriver(sb, app).(qq.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.QQ, makeDriver, configDriver))
}
