package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// serverPlatforms are the platforms with drivers, in display order.
var serverPlatforms = []taro.Platform{taro.Weapp, taro.Swan, taro.TT, taro.QQ}

// newDriver builds the driver for p.
// miniGame selects Douyin's mini-game mode (ignored elsewhere).
func newDriver(p taro.Platform, appID, secret, baseURL string, hc *http.Client, miniGame bool) (taro.Driver, error) {
	switch p {
	case taro.Weapp:
		return weapp.New(weapp.Config{AppID: appID, Secret: secret, BaseURL: baseURL, HTTPClient: hc})
	case taro.TT:
		return tt.New(tt.Config{AppID: appID, Secret: secret, BaseURL: baseURL, HTTPClient: hc, MiniGame: miniGame})
	case taro.QQ:
		return qq.New(qq.Config{AppID: appID, Secret: secret, BaseURL: baseURL, HTTPClient: hc})
	case taro.Swan:
		return swan.New(swan.Config{AppID: appID, Secret: secret, BaseURL: baseURL, HTTPClient: hc})
	}
	return nil, fmt.Errorf("unknown platform %q; valid platforms: %s", p, platformList())
}

func platformList() string {
	names := make([]string, len(serverPlatforms))
	for i, p := range serverPlatforms {
		names[i] = string(p)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// hasServerCheck reports whether p's driver asks the platform to check a
// session (rather than the session store).
func hasServerCheck(d taro.Driver) bool { return driver.Has(d, driver.CapSessionChecker) }

// envNames returns the variables holding p's credentials.
func envNames(p taro.Platform) (appID, secret string) {
	up := strings.ToUpper(string(p))
	return "TARO_" + up + "_APPID", "TARO_" + up + "_SECRET"
}
