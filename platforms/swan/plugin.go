package swan

import "github.com/tarogo/adapter/taro/driver"

// Plugin describes Baidu to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Baidu's client results with no
// driver and no credentials.
var Plugin = driver.Plugin{
	Platform:   Platform,
	Title:      "Baidu",
	New:        newFromSettings,
	FromNative: FromNative,
	Env:        []driver.EnvVar{{Suffix: "LEGACY_LOGIN", Setting: "LegacyLogin", Help: "1 selects Baidu's legacy mini-game login"}},
}

func newFromSettings(s driver.Settings) (driver.Driver, error) {
	d, err := New(Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, LegacyLogin: s.LegacyLogin})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func init() { driver.RegisterPlugin(Plugin) }
