package sandbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// The OpenTelemetry spans and metrics, with the SDK's in-memory exporters,
// over every platform × the portable API × faults: a span per call named
// after the API with its attributes, a client span per HTTP attempt, the
// metrics with their attributes, and no secret in any span name,
// attribute, event or metric attribute.
func TestTelemetry(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	ctx := context.Background()

	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	settings := map[taro.Platform]platforms.Settings{}
	var secrets []string
	for _, p := range sb.Platforms() {
		app := sb.App(p)
		s := sandbox.AppSettings(app, sb.BaseURL(p), nil)
		if p == taro.TT {
			s = s.With("MiniGame", "1")
		}
		settings[p] = s
		secrets = append(secrets, app.Secret, app.PrivateKey, app.AESKey)
	}
	ds, err := platforms.New(settings)
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, TracerProvider: tp, MeterProvider: mp,
		Retry: taro.RetryPolicy{MaxAttempts: 2, BaseDelay: 1, MaxDelay: 1}})
	require.NoError(t, err)
	m, err := login.New(login.Config{Client: c, Key: []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)

	apis := map[string]int{}
	for _, p := range sb.Platforms() {
		for _, fault := range []sandbox.FaultKind{"", sandbox.Busy, sandbox.TokenInvalid, sandbox.RateLimit} {
			code, err := sb.Login(p, "otel-user")
			require.NoError(t, err)
			if fault != "" {
				_ = sb.Inject(p, sandbox.Code2Session, fault, 1)
			}
			res, err := m.Login(ctx, taro.LoginOption{Platform: p, Code: code})
			apis[taro.APICode2Session]++
			sb.ClearFaults()
			if err != nil {
				continue
			}
			secrets = append(secrets, res.Ticket, res.User.Session().SessionKey)
			_, _ = m.Resolve(ctx, res.Ticket)
			apis[taro.APICheckSession]++ // weapp and mini-games ask the platform
			if fault != "" {
				_ = sb.Inject(p, sandbox.CheckSession, fault, 1)
			}
			_, _ = c.CheckSession(ctx, taro.Option{Platform: p, Session: res.User.Session()})
			sb.ClearFaults()
			if data, iv, err := sb.Encrypt(p, "otel-user", []byte(`{"a":1}`)); err == nil {
				_, _ = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: res.User.Session(), EncryptedData: data, IV: iv})
				apis[taro.APIDecrypt]++
			} else {
				require.False(t, opens(t, sb, p), "%s seals client data", p)
			}
			if tok, err := c.AccessToken(ctx, p); err == nil {
				secrets = append(secrets, tok)
				_ = c.InvalidateAccessToken(ctx, p, tok)
			}
			apis[taro.APIAccessToken]++
			if pc, err := sb.PhoneCode(p, "otel-user", "13800138000"); err == nil {
				_, _ = c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: p, Code: pc})
				apis[taro.APIGetPhoneNumber]++
			}
		}
		secrets = append(secrets, sb.IssuedTokens(p)...)
	}

	// Spans: one per API call, named after the API, with its attributes;
	// HTTP attempts under them; the login verdict.
	names := map[string]int{}
	var all []string
	for _, s := range spans.GetSpans() {
		names[s.Name]++
		all = append(all, s.Name)
		for _, a := range s.Attributes {
			all = append(all, string(a.Key)+"="+a.Value.Emit())
		}
		for _, e := range s.Events {
			all = append(all, e.Name)
			for _, a := range e.Attributes {
				all = append(all, a.Value.Emit())
			}
		}
		all = append(all, s.Status.Description)
		if s.Name == taro.APICode2Session {
			keys := map[attribute.Key]bool{}
			for _, a := range s.Attributes {
				keys[a.Key] = true
			}
			for _, k := range []attribute.Key{"taro.platform", "taro.app_id", "taro.api", "taro.code", "taro.retries"} {
				assert.True(t, keys[k], "a %s span has %s", s.Name, k)
			}
		}
		if s.SpanKind.String() == "client" {
			keys := map[attribute.Key]string{}
			for _, a := range s.Attributes {
				keys[a.Key] = a.Value.Emit()
			}
			assert.NotEmpty(t, keys["http.request.method"])
			assert.Equal(t, "127.0.0.1", keys["server.address"])
			assert.NotContains(t, keys["url.path"], "?", "no query")
		}
	}
	for api := range apis {
		assert.Positive(t, names[api], "spans named %s", api)
	}
	assert.Positive(t, names["GET"]+names["POST"], "HTTP attempt spans")
	assert.Positive(t, names["login.resolve"])
	assert.Positive(t, names["taro.store.record"])
	assert.Positive(t, names["taro.token.fetch"])

	// Metrics: taro.calls by platform, API and code, and the others.
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	seen := map[string]bool{}
	calls := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			seen[mt.Name] = true
			all = append(all, mt.Name)
			if sum, ok := mt.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					for _, kv := range dp.Attributes.ToSlice() {
						all = append(all, kv.Value.Emit())
					}
					if mt.Name == "taro.calls" {
						api, _ := dp.Attributes.Value("taro.api")
						_, hasP := dp.Attributes.Value("taro.platform")
						_, hasC := dp.Attributes.Value("taro.code")
						assert.True(t, hasP && hasC)
						calls[api.AsString()] += dp.Value
					}
				}
			}
		}
	}
	for _, name := range []string{"taro.calls", "taro.call.duration", "taro.token.fetches", "taro.store.operations", "login.requests"} {
		assert.True(t, seen[name], "metric %s", name)
	}
	assert.Equal(t, int64(apis[taro.APICode2Session]), calls[taro.APICode2Session], "one taro.calls per Code2Session")
	assert.Equal(t, int64(apis[taro.APIDecrypt]), calls[taro.APIDecrypt])

	text := strings.Join(all, "\n")
	for _, sec := range secrets {
		if sec != "" {
			require.NotContains(t, text, sec, "a secret in the telemetry")
		}
	}
	assert.NotContains(t, text, "otel-user", "no openid")
	t.Logf("%d spans, %d distinct names; %s", len(spans.GetSpans()), len(names), fmt.Sprint(len(secrets), " secrets checked"))
}
