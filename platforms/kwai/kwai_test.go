package kwai_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return kwai.New(kwai.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(kwai.Platform), HTTPClient: sb.HTTPClient()})
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.New(kwai.Platform, makeDriver))
}
