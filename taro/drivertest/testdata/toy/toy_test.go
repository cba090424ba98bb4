package toy_test

import (
	"testing"

	"example.com/toy"
	"example.com/toy/toyfake"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.New(toy.Platform, func(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
		return toy.New(toy.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(toy.Platform), HTTPClient: sb.HTTPClient()})
	}, toyfake.Fake{}))
}
