package xhs_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/xhs"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return xhs.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.XHS), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return xhs.New(configDriver(sb, app).(xhs.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.XHS, makeDriver, configDriver))
}
