package platforms

import (
	"github.com/tarogo/adapter/platforms/alipay"
	"github.com/tarogo/adapter/platforms/dd"
	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/platforms/lark"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/qywx"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/platforms/xhs"
	"github.com/tarogo/adapter/taro/driver"
)

// All lists the built-in platforms' plugins, one line each: a platform is
// its directory under platforms/ and its line here. The CLI, FromEnv, the
// demo, the help texts and the tests that enumerate platforms read this
// list; package sandbox lists the platforms' fakes beside it (no fake is
// linked into a program that imports this package).
var All = []driver.Plugin{
	weapp.Plugin,
	tt.Plugin,
	qq.Plugin,
	swan.Plugin,
	kwai.Plugin,
	xhs.Plugin,
	alipay.Plugin,
	qywx.Plugin,
	lark.Plugin,
	dd.Plugin,
}
