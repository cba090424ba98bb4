// Package drvconf holds what the drivers' Config types share: validation
// and formatting that never shows the secret.
package drvconf

import (
	"log/slog"
	"net/url"
	"strconv"

	"github.com/tarogo/adapter/taro/driver"
)

// Base validates a driver config and returns the base URL to use: base, or
// def when base is empty.
func Base(pkg, appID, secret, base, def string) (string, error) {
	if appID == "" || secret == "" {
		return "", driver.Errorf(driver.CodeInvalidArgument, "%s: Config.AppID and Config.Secret are required", pkg)
	}
	if base == "" {
		return def, nil
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", driver.Errorf(driver.CodeInvalidArgument, "%s: Config.BaseURL must be an absolute http(s) URL without a query", pkg)
	}
	return base, nil
}

// String formats a config with the secret redacted.
func String(pkg, appID, secret, base string) string {
	return pkg + ".Config{AppID:" + strconv.Quote(appID) + " Secret:" + Redacted(secret) + " BaseURL:" + strconv.Quote(base) + "}"
}

// LogValue is a config's slog value with the secret redacted.
func LogValue(appID, secret, base string) slog.Value {
	return slog.GroupValue(slog.String("appid", appID), slog.String("secret", Redacted(secret)), slog.String("base_url", base))
}

// Redacted stands in for a secret: "[redacted]", or `""` when it is empty.
func Redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}
