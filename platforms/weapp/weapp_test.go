package weapp_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp), HTTPClient: sb.HTTPClient()})
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.New(taro.Weapp, makeDriver))
}
