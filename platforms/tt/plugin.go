package tt

import (
	"cmp"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves.
const Platform driver.Platform = "tt"

// Douyin's two API hosts. A non-empty Config.BaseURL replaces both.
const (
	DefaultAppsBaseURL     = "https://developer.toutiao.com"
	DefaultMinigameBaseURL = "https://minigame.zijieapi.com"
	// DefaultOpenBaseURL is Douyin's open platform, where phone numbers
	// are exchanged.
	DefaultOpenBaseURL = "https://open.douyin.com"
)

// Plugin describes Douyin to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Douyin's client results with no
// driver and no credentials.
var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "Douyin", FromNative: FromNative,
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, MiniGame: s.Flag("MiniGame"),
			PhonePrivateKey: cmp.Or(s.Options["PhonePrivateKey"], s.Options["PrivateKey"])}
	}),
	Env: []driver.EnvVar{
		{Suffix: "MINIGAME", Setting: "MiniGame", Help: "1 selects Douyin's mini-game mode (its checkSession and key reset)"},
		{Suffix: "PHONE_PRIVATE_KEY", Setting: "PhonePrivateKey", Secret: true, Help: "the app's RSA private key (PEM) for phone numbers by code"},
	}})
