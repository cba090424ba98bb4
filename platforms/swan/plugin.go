package swan

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "swan"

// DefaultBaseURL is Baidu's smart-program API host.
const DefaultBaseURL = "https://spapi.baidu.com"

// DefaultLegacyBaseURL is the host of the legacy mini-game login.
const DefaultLegacyBaseURL = "https://openapi.baidu.com"

// Plugin describes Baidu to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Baidu's client results with no
// driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Baidu", FromNative: FromNative,
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, LegacyLogin: s.Flag("LegacyLogin"), SessionKeyV2: s.Flag("SessionKeyV2")}
	}),
	Env: []driver.EnvVar{{Suffix: "LEGACY_LOGIN", Setting: "LegacyLogin", Help: "1 selects Baidu's legacy mini-game login"},
		{Suffix: "SESSION_KEY_V2", Setting: "SessionKeyV2", Help: "1 selects Baidu's getSessionKey v2 (gated by the app's token)"}}})
