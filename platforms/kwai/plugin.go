package kwai

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: Taro's target name.
const Platform driver.Platform = "kwai"

// DefaultBaseURL is Kuaishou's open platform host.
const DefaultBaseURL = "https://open.kuaishou.com"

// Plugin describes Kuaishou to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Kuaishou's client results with no
// driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Kuaishou", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
