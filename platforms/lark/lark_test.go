package lark_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/lark"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return lark.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(lark.Platform), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return lark.New(configDriver(sb, app).(lark.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(lark.Platform, makeDriver, configDriver))
}
