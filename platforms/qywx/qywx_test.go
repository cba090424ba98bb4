package qywx_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/qywx"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return qywx.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(qywx.Platform), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return qywx.New(configDriver(sb, app).(qywx.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(qywx.Platform, makeDriver, configDriver))
}
