package weapp

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "weapp"

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// Plugin describes WeChat to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands WeChat's client results with no
// driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "WeChat", FromNative: FromNative,
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient}
	})})
