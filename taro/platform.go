package taro

import "github.com/tarogo/adapter/taro/driver"

// Platform names a mini-program host or Taro build target.
type Platform = driver.Platform

// The platforms Taro builds for. The first seven have drivers in
// github.com/tarogo/adapter/platforms; the last three have no session APIs
// and are answered with ErrNotSupported by every client.
const (
	Weapp   Platform = "weapp"   // WeChat
	Swan    Platform = "swan"    // Baidu
	TT      Platform = "tt"      // Douyin / Toutiao
	QQ      Platform = "qq"      // QQ
	Kwai    Platform = "kwai"    // Kuaishou
	XHS     Platform = "xhs"     // Xiaohongshu
	Alipay  Platform = "alipay"  // Alipay
	H5      Platform = "h5"      // web
	RN      Platform = "rn"      // React Native
	Harmony Platform = "harmony" // HarmonyOS
)

// Driver is the interface a platform driver implements; see package
// github.com/tarogo/adapter/taro/driver for it and its optional capabilities.
type Driver = driver.Driver
