package lark

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Plugin describes Feishu / Lark to the portable layer and the bundle of
// built-in platforms (package platforms): the shared settings' AppID and
// Secret are the app_id and app_secret.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Feishu / Lark", FromNative: FromNative,
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient}
	})})
