package tt

import "github.com/tarogo/adapter/taro/driver"

// Plugin describes Douyin to the portable layer and the bundle of
// built-in platforms (package platforms). Importing this package registers
// it, so that taro.FromNative understands Douyin's client results with no
// driver and no credentials.
var Plugin = driver.Plugin{
	Platform:   Platform,
	Title:      "Douyin",
	New:        newFromSettings,
	FromNative: FromNative,
	Env:        []driver.EnvVar{{Suffix: "MINIGAME", Setting: "MiniGame", Help: "1 selects Douyin's mini-game mode (its checkSession and key reset)"}},
}

func newFromSettings(s driver.Settings) (driver.Driver, error) {
	d, err := New(Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, MiniGame: s.MiniGame})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func init() { driver.RegisterPlugin(Plugin) }
