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

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/cgi-bin/miniprogram/jscode2session", Token: "/cgi-bin/gettoken"}

// Plugin describes WeCom to the portable layer and the bundle of built-in
// platforms (package platforms): the shared settings' AppID is the
// corpid and Secret the associated WeCom app's secret.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "WeCom", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
