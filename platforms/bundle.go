package platforms

import (
	"github.com/tarogo/adapter/platforms/alipay"
	"github.com/tarogo/adapter/platforms/alipay/alipayfake"
	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/platforms/kwai/kwaifake"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/qq/qqfake"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/swan/swanfake"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/tt/ttfake"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/platforms/weapp/weappfake"
	"github.com/tarogo/adapter/platforms/xhs"
	"github.com/tarogo/adapter/platforms/xhs/xhsfake"
)

// All lists the built-in platforms, one line each: a platform is its
// directory under platforms/ and its line here. The CLI, FromEnv, the
// demo, the sandbox's default fakes, the help texts and the tests that
// enumerate platforms read this list.
var All = []Builtin{
	{weapp.Plugin, fakeOf(weappfake.New)},
	{tt.Plugin, fakeOf(ttfake.New)},
	{qq.Plugin, fakeOf(qqfake.New)},
	{swan.Plugin, fakeOf(swanfake.New)},
	{kwai.Plugin, fakeOf(kwaifake.New)},
	{xhs.Plugin, fakeOf(xhsfake.New)},
	{alipay.Plugin, fakeOf(alipayfake.New)},
}
