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

// site is where the driver's requests go, as data: the host (Config.BaseURL
// replaces it) and the paths of the code exchange and of the app's token.
var site = driverkit.Site{Platform: Platform, BaseURL: DefaultBaseURL, Login: "/open-apis/mina/v2/tokenLoginValidate", Token: "/open-apis/auth/v3/app_access_token/internal"}

// Plugin describes Feishu / Lark to the portable layer and the bundle of
// built-in platforms (package platforms): the shared settings' AppID and
// Secret are the app_id and app_secret.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Feishu / Lark", FromNative: FromNative, New: driverkit.NewFromSettings(New, driverkit.ConfigFromSettings)})
