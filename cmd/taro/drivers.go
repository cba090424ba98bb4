package main

import (
	"net/http"
	"strings"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// serverPlatforms are the platforms with drivers, from package platforms.
var serverPlatforms = platforms.Names()

// cliHTTPClient sends the one-shot commands' requests; nil means the
// drivers' default. Tests replace it with a client that refuses every host
// but the one configured.
var cliHTTPClient *http.Client

// newDriver builds the driver for p from the platform's own variables in
// env and the given credentials (miniGame, the flag, selects Douyin's
// mini-game mode and is ignored elsewhere).
func newDriver(p taro.Platform, env func(string) string, appID, secret, baseURL string, hc *http.Client, miniGame bool) (taro.Driver, error) {
	s := platforms.EnvSettings(p, env)
	s.AppID, s.Secret, s.BaseURL, s.HTTPClient = appID, secret, baseURL, hc
	if miniGame {
		s = s.With("MiniGame", "1")
	}
	return platforms.Driver(p, s)
}

// keyless reports whether p has no session key (its plugin says so), so
// that a check or a decryption on it is refused before credentials.
func keyless(p taro.Platform) bool {
	for _, pl := range platforms.All {
		if pl.Platform == p {
			return pl.Keyless
		}
	}
	return false
}

func platformList() string {
	names := make([]string, len(serverPlatforms))
	for i, p := range serverPlatforms {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// hasServerCheck reports whether p's driver asks the platform to check a
// session (rather than the session store).
func hasServerCheck(d taro.Driver) bool { return driver.Has(d, driver.CapSessionChecker) }

// envNames returns the variables holding p's credentials.
func envNames(p taro.Platform) (appID, secret string) {
	appID, secret, _ = platforms.EnvNames(p)
	return appID, secret
}
