// Package platforms builds the built-in drivers from settings or from the
// environment, so that no program writes its own switch over platforms.
//
//	ds, err := platforms.FromEnv(os.Getenv)
//	client, err := taro.New(taro.Config{Drivers: ds})
package platforms

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Settings configure one platform's driver; the fields a platform does not
// know are ignored.
type Settings struct {
	AppID   string
	Secret  string
	BaseURL string
	// HTTPClient sends the requests; nil means the drivers' default.
	HTTPClient *http.Client
	// MiniGame selects Douyin's mini-game mode (tt).
	MiniGame bool
	// LegacyLogin selects Baidu's legacy mini-game login (swan).
	LegacyLogin bool
}

// String describes the settings without the secret.
func (s Settings) String() string {
	return fmt.Sprintf("{AppID:%q Secret:%s BaseURL:%q MiniGame:%t LegacyLogin:%t}", s.AppID, driverkit.RedactedMark(s.Secret), driverkit.SafeURL(s.BaseURL), s.MiniGame, s.LegacyLogin)
}

// GoString is String, for %#v.
func (s Settings) GoString() string { return "platforms.Settings" + s.String() }

// MarshalJSON writes the settings with the secret redacted and the base
// URL's user information and query withheld.
func (s Settings) MarshalJSON() ([]byte, error) {
	return driverkit.ConfigJSON(s.AppID, s.Secret, s.BaseURL, "MiniGame", s.MiniGame, "LegacyLogin", s.LegacyLogin)
}

// LogValue implements slog.LogValuer with the secret redacted.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appid", s.AppID), slog.String("secret", driverkit.RedactedMark(s.Secret)),
		slog.String("base_url", driverkit.SafeURL(s.BaseURL)), slog.Bool("mini_game", s.MiniGame), slog.Bool("legacy_login", s.LegacyLogin))
}

// Format implements fmt.Formatter: every verb prints String.
func (s Settings) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(s.String())) }

// builtin lists the platforms this package builds, and how.
var builtin = map[taro.Platform]func(Settings) (taro.Driver, error){
	taro.Weapp: func(s Settings) (taro.Driver, error) {
		return weapp.New(weapp.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	},
	taro.TT: func(s Settings) (taro.Driver, error) {
		return tt.New(tt.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, MiniGame: s.MiniGame})
	},
	taro.QQ: func(s Settings) (taro.Driver, error) {
		return qq.New(qq.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	},
	taro.Kwai: func(s Settings) (taro.Driver, error) {
		return kwai.New(kwai.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient})
	},
	taro.Swan: func(s Settings) (taro.Driver, error) {
		return swan.New(swan.Config{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, LegacyLogin: s.LegacyLogin})
	},
}

// Names lists the platforms this package builds, sorted.
func Names() []taro.Platform {
	out := make([]taro.Platform, 0, len(builtin))
	for p := range builtin {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Driver builds p's driver from s. An unknown platform or incomplete
// settings are taro.ErrInvalidArgument.
func Driver(p taro.Platform, s Settings) (taro.Driver, error) {
	mk, ok := builtin[p]
	if !ok {
		return nil, &taro.Error{Platform: p, API: "platforms", Code: taro.CodeInvalidArgument,
			Detail: fmt.Sprintf("unknown platform %q; known: %s", p, list())}
	}
	return mk(s)
}

// New builds a driver for each platform in cfg, in Names order.
func New(cfg map[taro.Platform]Settings) ([]taro.Driver, error) {
	var ds []taro.Driver
	for _, p := range Names() {
		s, ok := cfg[p]
		if !ok {
			continue
		}
		d, err := Driver(p, s)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	for p := range cfg {
		if _, ok := builtin[p]; !ok {
			_, err := Driver(p, Settings{})
			return nil, err
		}
	}
	return ds, nil
}

// EnvNames returns the variables FromEnv reads for p.
func EnvNames(p taro.Platform) (appID, secret, baseURL string) {
	up := "TARO_" + strings.ToUpper(string(p)) + "_"
	return up + "APPID", up + "SECRET", up + "BASE_URL"
}

// FromEnv builds a driver for every platform whose TARO_<PLATFORM>_APPID
// is set, with TARO_<PLATFORM>_SECRET (required with it) and, optionally,
// TARO_<PLATFORM>_BASE_URL; TARO_TT_MINIGAME=1 selects Douyin's mini-game
// mode and TARO_SWAN_LEGACY_LOGIN=1 Baidu's legacy login. It fails, naming
// the variable, when an app id comes without its secret, and when no
// platform is configured at all.
func FromEnv(env func(string) string) ([]taro.Driver, error) {
	cfg := map[taro.Platform]Settings{}
	for _, p := range Names() {
		idVar, secretVar, baseVar := EnvNames(p)
		id, secret := env(idVar), env(secretVar)
		switch {
		case id == "" && secret == "":
			continue
		case id == "" || secret == "":
			missing := idVar
			if id != "" {
				missing = secretVar
			}
			return nil, &taro.Error{Platform: p, API: "platforms", Code: taro.CodeInvalidArgument, Detail: missing + " is not set"}
		}
		cfg[p] = Settings{AppID: id, Secret: secret, BaseURL: env(baseVar),
			MiniGame: env("TARO_TT_MINIGAME") == "1", LegacyLogin: env("TARO_SWAN_LEGACY_LOGIN") == "1"}
	}
	if len(cfg) == 0 {
		return nil, &taro.Error{API: "platforms", Code: taro.CodeInvalidArgument,
			Detail: "no platform is configured: set TARO_<PLATFORM>_APPID and TARO_<PLATFORM>_SECRET for one of " + list()}
	}
	return New(cfg)
}

func list() string {
	names := make([]string, 0, len(builtin))
	for _, p := range Names() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}
