package taro

import "github.com/tarogo/adapter/taro/driver"

// Platform names a mini-program host or Taro build target.
type Platform = driver.Platform

// The platforms Taro builds for (the names its platform plugins register).
// All but the last three have drivers in github.com/tarogo/adapter/platforms;
// H5, RN and Harmony have no session APIs and are answered with
// ErrNotSupported by every client.
const (
	Weapp  Platform = "weapp"  // WeChat
	Swan   Platform = "swan"   // Baidu
	TT     Platform = "tt"     // Douyin / Toutiao
	QQ     Platform = "qq"     // QQ
	Kwai   Platform = "kwai"   // Kuaishou
	XHS    Platform = "xhs"    // Xiaohongshu
	Alipay Platform = "alipay" // Alipay
	// WeCom (企业微信), Feishu/Lark and DingTalk: the work platforms,
	// whose users belong to a tenant (LoginResult.TenantID).
	WeCom    Platform = "qywx"    // WeCom
	Lark     Platform = "lark"    // Feishu / Lark
	DingTalk Platform = "dd"      // DingTalk
	H5       Platform = "h5"      // web
	RN       Platform = "rn"      // React Native
	Harmony  Platform = "harmony" // HarmonyOS
)

// Driver is the interface a platform driver implements; see package
// github.com/tarogo/adapter/taro/driver for it and its optional capabilities.
type Driver = driver.Driver
