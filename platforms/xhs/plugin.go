package xhs

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "xhs"

// DefaultBaseURL is Xiaohongshu's mini-program API host.
const DefaultBaseURL = "https://miniapp.xiaohongshu.com"

// Plugin describes Xiaohongshu to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Xiaohongshu's client results
// with no driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Xiaohongshu", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
