package taro_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// scalePlatform is a platform of the scale tests, registered once: its
// plugin builds an appDriver from a row of settings.
const scalePlatform taro.Platform = "scaleplat"

var scaleBuilt atomic.Int64

func init() {
	driver.RegisterPlugin(driver.Plugin{Platform: scalePlatform, Title: "Scale test", New: func(s driver.Settings) (driver.Driver, error) {
		scaleBuilt.Add(1)
		return &appDriver{p: scalePlatform, id: s.AppID, secret: s.Secret, calls: &atomic.Int64{}}, nil
	}})
}

func scaleSource(asked *atomic.Int64) taro.AppSource {
	return taro.SettingsSource(func(_ context.Context, _ taro.Platform, appID string) (taro.Settings, error) {
		asked.Add(1)
		return taro.Settings{Secret: "secret-" + appID}, nil
	})
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// 10,000 apps from a SettingsSource on one client, each called once and
// then again: one source call and one driver per app, and the heap each
// resident app costs after GC. With MaxApps 1,000 while the 10,000 cycle
// three times, at most 1,000 stay resident and the heap stays flat.
func TestAppsAtScale(t *testing.T) {
	ctx := context.Background()
	const apps = 10_000
	call := func(c *taro.Client, i int) {
		_, err := c.Code2Session(ctx, taro.LoginOption{Platform: scalePlatform, AppID: fmt.Sprint("app-", i), Code: "c"})
		require.NoError(t, err)
	}
	t.Run("10,000 resident apps", func(t *testing.T) {
		var asked atomic.Int64
		built := scaleBuilt.Load()
		c := newClient(t, taro.Config{Apps: scaleSource(&asked)})
		call(c, 0) // the client's own first allocations
		before := heap()
		for i := 1; i < apps; i++ {
			call(c, i)
		}
		perApp := float64(heap()-before) / (apps - 1)
		for i := range apps {
			call(c, i)
		}
		assert.Equal(t, int64(apps), asked.Load(), "one source call per app")
		assert.Equal(t, int64(apps), scaleBuilt.Load()-built, "one driver per app")
		assert.Equal(t, apps, taro.Resident(c))
		t.Logf("heap per resident app after GC: %.0f B (a driver, its entry and its session record)", perApp)
		assert.LessOrEqual(t, perApp, 16384.0, "bytes per resident app")
		runtime.KeepAlive(c)
	})
	t.Run("MaxApps 1,000 while 10,000 cycle", func(t *testing.T) {
		var asked atomic.Int64
		c := newClient(t, taro.Config{Apps: scaleSource(&asked), MaxApps: 1000, Sessions: taro.NewMemorySessionStore()})
		var heaps []uint64
		for range 3 {
			for i := range apps {
				call(c, i)
				if taro.Resident(c) > 1000 {
					t.Fatalf("%d resident drivers", taro.Resident(c))
				}
			}
			heaps = append(heaps, heap())
		}
		assert.Equal(t, 1000, taro.Resident(c))
		assert.Equal(t, int64(3*apps), asked.Load(), "every app past the first 1,000 is asked for again")
		t.Logf("heap after each cycle of 10,000 apps through 1,000 places: %v B (the session records of 10,000 users stay in the memory session store)", heaps)
		// The drivers are bounded: after the first cycle, the heap grows by
		// no more than the session store's own churn.
		assert.Less(t, float64(heaps[2]), float64(heaps[0])*1.25, "the heap is flat across cycles")
		runtime.KeepAlive(c)
	})
}

// BenchmarkWarmCall compares a warm call to an app from Config.Apps with
// the same call to an app registered up front.
func BenchmarkWarmCall(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"up-front", "source", "up-front-metered", "source-metered"} {
		b.Run(mode, func(b *testing.B) {
			cfg := taro.Config{}
			if strings.HasSuffix(mode, "-metered") {
				// With the metrics an OpenTelemetry SDK records (and whose
				// start time the sourced path reuses for the app's expiry).
				cfg.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			}
			if strings.HasPrefix(mode, "source") {
				var asked atomic.Int64
				cfg.Apps = scaleSource(&asked)
			} else {
				cfg.Drivers = []taro.Driver{&appDriver{p: scalePlatform, id: "app-7", secret: "secret-app-7", calls: &atomic.Int64{}}}
			}
			c, err := taro.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			opt := taro.LoginOption{Platform: scalePlatform, AppID: "app-7", Code: "c"}
			if _, err := c.Code2Session(ctx, opt); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Code2Session(ctx, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
