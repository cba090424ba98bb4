package drivertest_test

import (
	"context"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
	"github.com/tarogo/adapter/unsupported"
)

func TestConformanceToyDriver(t *testing.T) {
	drivertest.RunConformanceTests(t, func(context.Context, *testing.T) (drivertest.Harness, error) {
		return &toyHarness{p: newToyPlatform()}, nil
	})
}

type unsupportedHarness struct{ p driver.Platform }

func (h unsupportedHarness) MakeDriver(context.Context) (driver.Driver, error) {
	return unsupported.New(h.p), nil
}
func (unsupportedHarness) Secrets() []string { return nil }
func (unsupportedHarness) Close()            {}

func TestConformanceUnsupported(t *testing.T) {
	for _, p := range []driver.Platform{unsupported.H5, unsupported.RN, unsupported.Harmony, "alipay"} {
		t.Run(string(p), func(t *testing.T) {
			drivertest.RunConformanceTests(t, func(context.Context, *testing.T) (drivertest.Harness, error) {
				return unsupportedHarness{p}, nil
			})
		})
	}
}
