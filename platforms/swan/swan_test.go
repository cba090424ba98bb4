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

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return swan.New(swan.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Swan), HTTPClient: sb.HTTPClient()})
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.New(taro.Swan, makeDriver))
}
