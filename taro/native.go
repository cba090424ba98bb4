package taro

import (
	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/taro/driver"
)

// builtinNative lists the pure client-result normalisers of the built-in
// platforms, so that FromNative needs no driver (and no app secret).
var builtinNative = map[Platform]func(api string, raw []byte) (driver.NativeResult, error){
	Weapp: weapp.FromNative,
	TT:    tt.FromNative,
	QQ:    qq.FromNative,
	Swan:  swan.FromNative,
	Kwai:  kwai.FromNative,
}
