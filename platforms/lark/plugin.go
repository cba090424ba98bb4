package lark

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: the name Taro's Lark
// plugin builds for.
const Platform driver.Platform = "lark"

// DefaultBaseURL is Feishu's open-platform host; Lark's is
// https://open.larksuite.com.
const DefaultBaseURL = "https://open.feishu.cn"

// Plugin describes Feishu / Lark to the portable layer and the bundle of
// built-in platforms (package platforms): the shared settings' AppID and
// Secret are the app_id and app_secret.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Feishu / Lark", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
