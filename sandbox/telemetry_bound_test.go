package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// TestTelemetryAttributesBounded: 3,000 unauthenticated logins naming
// distinct bogus platforms and app ids (4 KiB names are refused as
// bodies; these are as long as a body allows) leave at most one taro.calls
// attribute set per API and outcome: the platform is recorded as
// "unknown", and neither name reaches a span.
func TestTelemetryAttributesBounded(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.QQ)
	ds, err := platforms.New(map[taro.Platform]platforms.Settings{taro.QQ: sandbox.AppSettings(app, sb.BaseURL(taro.QQ), nil)})
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, TracerProvider: tp, MeterProvider: mp})
	require.NoError(t, err)
	m, err := login.New(login.Config{Client: c, Key: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	h := m.Handler()
	const n = 3000
	for i := range n {
		var body string
		if i%2 == 0 {
			body = fmt.Sprintf(`{"platform":"bogus-%d-%s","code":"c"}`, i, strings.Repeat("x", 1000))
		} else {
			body = fmt.Sprintf(`{"platform":"qq","appid":"bogus-app-%d-%s","code":"c"}`, i, strings.Repeat("y", 1000))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body)))
		require.NotEqual(t, http.StatusOK, rec.Code)
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	sets := map[string]int{}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if sum, ok := mt.Data.(metricdata.Sum[int64]); ok && mt.Name == "taro.calls" {
				for _, dp := range sum.DataPoints {
					p, _ := dp.Attributes.Value("taro.platform")
					api, _ := dp.Attributes.Value("taro.api")
					code, _ := dp.Attributes.Value("taro.code")
					sets[api.AsString()+"/"+code.AsString()]++
					assert.Contains(t, []string{"unknown", "qq"}, p.AsString())
				}
			}
		}
	}
	require.NotEmpty(t, sets)
	for k, v := range sets {
		assert.LessOrEqual(t, v, 2, "attribute sets of %s (one per served platform and 'unknown')", k)
	}
	total := 0
	for _, v := range sets {
		total += v
	}
	assert.LessOrEqual(t, total, 4, "taro.calls series after %d bogus logins", n)
	for _, s := range spans.GetSpans() {
		for _, kv := range s.Attributes {
			assert.NotContains(t, kv.Value.Emit(), "bogus", "span %s attribute %s", s.Name, kv.Key)
		}
	}
}
