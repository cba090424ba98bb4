package qywx

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: the name Taro's WeCom
// plugin builds for.
const Platform driver.Platform = "qywx"

// DefaultBaseURL is WeCom's API host.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// Plugin describes WeCom to the portable layer and the bundle of built-in
// platforms (package platforms): the shared settings' AppID is the
// corpid and Secret the associated WeCom app's secret.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "WeCom", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
