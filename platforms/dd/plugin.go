package dd

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: the name Taro's DingTalk
// plugin builds for.
const Platform driver.Platform = "dd"

// DefaultBaseURL is DingTalk's open API host.
const DefaultBaseURL = "https://oapi.dingtalk.com"

// Plugin describes DingTalk to the portable layer and the bundle of
// built-in platforms (package platforms): the shared settings' AppID and
// Secret are the AppKey and AppSecret. DingTalk has no session key.
var Plugin = driverkit.Register(driver.Plugin{Keyless: site.Keyless, Platform: Platform, Title: "DingTalk", New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
