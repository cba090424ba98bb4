package qywx

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Plugin describes WeCom to the portable layer and the bundle of built-in
// platforms (package platforms): the shared settings' AppID is the
// corpid and Secret the associated WeCom app's secret.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "WeCom", FromNative: FromNative,
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient}
	})})
