package taro_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// noopDriver checks every session as valid, doing nothing: what remains is
// the portable layer's own cost.
type noopDriver struct{}

func (noopDriver) Platform() taro.Platform                                 { return "noop" }
func (noopDriver) AppID() string                                           { return "app" }
func (noopDriver) CheckSession(context.Context, driver.CheckRequest) error { return nil }

func BenchmarkCheckSession(b *testing.B) {
	ctx := context.Background()
	c, err := taro.NewClient(noopDriver{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("noop-driver", func(b *testing.B) {
		opt := taro.Option{Platform: "noop", Session: goodSession,
			Success: func(taro.CallbackResult) {}, Complete: func(taro.CallbackResult) {}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckSession(ctx, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	// With OpenTelemetry's no-op providers: what the instrumentation costs
	// a program that does not collect.
	quiet, err := taro.New(taro.Config{Drivers: []taro.Driver{noopDriver{}}, TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("noop-driver-noop-otel", func(b *testing.B) {
		opt := taro.Option{Platform: "noop", Session: goodSession,
			Success: func(taro.CallbackResult) {}, Complete: func(taro.CallbackResult) {}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := quiet.CheckSession(ctx, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unsupported", func(b *testing.B) {
		opt := taro.Option{Platform: taro.H5, Session: goodSession,
			Fail: func(taro.CallbackResult) {}, Complete: func(taro.CallbackResult) {}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CheckSession(ctx, opt); err == nil {
				b.Fatal("unsupported succeeded")
			}
		}
	})
}
