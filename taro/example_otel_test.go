// The OTLP exporters bring gRPC and protobuf (about a hundred packages)
// into the build; only this example needs them, so it is built with the
// otlp tag, which CI sets (go test -tags otlp ./taro), and the README's
// test command does not compile them.

//go:build otlp

package taro_test

import (
	"context"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tarogo/adapter/taro"
)

// otelClient sets up OTLP export of the client's traces and metrics. The
// library uses OpenTelemetry's API only: the SDK and the exporters are the
// program's.
func otelClient(ctx context.Context, drivers []taro.Driver) (*taro.Client, func(context.Context) error, error) {
	// readme:begin otel
	traces, err := otlptracehttp.New(ctx) // OTEL_EXPORTER_OTLP_ENDPOINT and friends
	if err != nil {
		return nil, nil, err
	}
	metrics, err := otlpmetrichttp.New(ctx)
	if err != nil {
		return nil, nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(traces))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	client, err := taro.New(taro.Config{Drivers: drivers, TracerProvider: tp, MeterProvider: mp})
	shutdown := func(ctx context.Context) error { _ = tp.Shutdown(ctx); return mp.Shutdown(ctx) }
	// readme:end otel
	return client, shutdown, err
}

// Example_openTelemetry builds a client whose calls export spans and
// metrics over OTLP (nothing is sent until a call is made).
func Example_openTelemetry() {
	client, shutdown, err := otelClient(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	_ = client
	_ = shutdown
	// Output:
}
