package qq

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "qq"

// DefaultBaseURL is QQ's API host.
const DefaultBaseURL = "https://api.q.qq.com"

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/sns/jscode2session", Token: "/api/getToken"}

// Plugin describes QQ to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands QQ's client results with no
// driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "QQ", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
