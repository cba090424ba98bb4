package xhs

import "github.com/tarogo/adapter/taro/driver"

// Plugin describes Xiaohongshu to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Xiaohongshu's client results
// with no driver and no credentials.
var Plugin = driver.Plugin{
	Platform:   Platform,
	Title:      "Xiaohongshu",
	New:        newFromSettings,
	FromNative: FromNative,
}

func newFromSettings(s driver.Settings) (driver.Driver, error) {
	d, err := New(Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func init() { driver.RegisterPlugin(Plugin) }
