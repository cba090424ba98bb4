package dd

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Plugin describes DingTalk to the portable layer and the bundle of
// built-in platforms (package platforms): the shared settings' AppID and
// Secret are the AppKey and AppSecret. DingTalk has no session key.
var Plugin = driverkit.Register(driver.Plugin{Keyless: true, Platform: Platform, Title: "DingTalk",
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient}
	})})
