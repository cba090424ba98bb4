package taro_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tarogo/adapter/taro"
)

// A SaaS host keeps its merchants' mini programs in a database: the
// client looks each app up on its first call, builds its driver with the
// platform's plugin (import the bundle, package platforms, for every
// built-in platform), uses it for AppTTL and keeps at most MaxApps.
func ExampleSettingsSource() {
	var db *sql.DB // the host's database, opened elsewhere
	apps := taro.SettingsSource(func(ctx context.Context, p taro.Platform, appID string) (taro.Settings, error) {
		var s taro.Settings
		err := db.QueryRowContext(ctx, "SELECT secret FROM merchant_apps WHERE platform = $1 AND appid = $2", p, appID).Scan(&s.Secret)
		if errors.Is(err, sql.ErrNoRows) {
			return s, fmt.Errorf("%w: %s", taro.ErrNoDriver, appID) // not a merchant's: ErrNoDriver
		}
		return s, err // any other failure: ErrUnavailable, asked again next time
	})
	client, err := taro.New(taro.Config{Apps: apps})
	if err != nil {
		panic(err)
	}
	// Each call names its app; after a merchant rotates a secret:
	client.ForgetApp(taro.Weapp, "wx-merchant-42")
}
