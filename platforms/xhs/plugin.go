package xhs

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "xhs"

// DefaultBaseURL is Xiaohongshu's mini-program API host.
const DefaultBaseURL = "https://miniapp.xiaohongshu.com"

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/api/rmp/session", Token: "/api/rmp/token"}

// Plugin describes Xiaohongshu to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Xiaohongshu's client results
// with no driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Xiaohongshu", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
