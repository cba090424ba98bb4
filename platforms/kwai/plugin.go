package kwai

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: Taro's target name.
const Platform driver.Platform = "kwai"

// DefaultBaseURL is Kuaishou's open platform host.
const DefaultBaseURL = "https://open.kuaishou.com"

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/oauth2/mp/code2session", Token: "/oauth2/access_token"}

// Plugin describes Kuaishou to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Kuaishou's client results with no
// driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Kuaishou", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
