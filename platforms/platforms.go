// Package platforms is the bundle of built-in platforms: it lists them (All,
// one line each, a driver plugin) and builds their drivers from
// settings or from the environment, so that no program writes its own
// switch over platforms.
//
//	ds, err := platforms.FromEnv(os.Getenv)
//	client, err := taro.New(taro.Config{Drivers: ds})
//
// Importing this package registers every built-in platform's plugin with
// the portable layer (driver.RegisterPlugin), so taro.FromNative
// understands each platform's client results with no driver.
//
// Several apps of one platform: NewApps takes a list of settings per
// platform, and FromEnv reads comma-separated lists from TARO_<P>_APPID,
// TARO_<P>_SECRET and TARO_<P>_BASE_URL (the n-th secret goes with the n-th
// app id).
package platforms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// Settings configure one app's driver (driver.Settings, the one settings
// type): the fields every platform shares, and a platform's own settings
// by name in Options (With sets one; each plugin's Env names them).
// Formatting or marshalling Settings redacts the secret and the base
// URL's credentials.
type Settings = driver.Settings

// lookup returns the built-in platform p.
func lookup(p taro.Platform) (driver.Plugin, bool) {
	for _, b := range All {
		if b.Platform == p {
			return b, true
		}
	}
	return driver.Plugin{}, false
}

// Names lists the built-in platforms, sorted.
func Names() []taro.Platform {
	out := make([]taro.Platform, 0, len(All))
	for _, b := range All {
		out = append(out, b.Platform)
	}
	slices.Sort(out)
	return out
}

// Driver builds p's driver from s. An unknown platform or incomplete
// settings are taro.ErrInvalidArgument.
func Driver(p taro.Platform, s Settings) (taro.Driver, error) {
	b, ok := lookup(p)
	if !ok {
		return nil, &taro.Error{Platform: p, API: "platforms", Code: taro.CodeInvalidArgument,
			Detail: fmt.Sprintf("unknown platform %q; known: %s", p, list())}
	}
	return b.New(s)
}

// New builds a driver for each platform in cfg, in Names order.
func New(cfg map[taro.Platform]Settings) ([]taro.Driver, error) {
	apps := make(map[taro.Platform][]Settings, len(cfg))
	for p, s := range cfg {
		apps[p] = []Settings{s}
	}
	return NewApps(apps)
}

// NewApps builds a driver for each app of each platform in cfg, in Names
// order and then in the order of each platform's list. A taro.Client
// serves several apps of one platform; callers choose one with the
// options' AppID.
func NewApps(cfg map[taro.Platform][]Settings) ([]taro.Driver, error) {
	for p := range cfg {
		if _, ok := lookup(p); !ok {
			_, err := Driver(p, Settings{})
			return nil, err
		}
	}
	var ds []taro.Driver
	for _, p := range Names() {
		for _, s := range cfg[p] {
			d, err := Driver(p, s)
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
	}
	return ds, nil
}

// EnvNames returns the three variables FromEnv reads for every platform p:
// TARO_<P>_APPID, the secret (TARO_<P>_SECRET, or the variable of the
// credential the platform has instead: TARO_ALIPAY_PRIVATE_KEY) and
// TARO_<P>_BASE_URL.
func EnvNames(p taro.Platform) (appID, secret, baseURL string) {
	up := envPrefix(p)
	return up + "APPID", up + upperSnake(SecretName(p)), up + "BASE_URL"
}

// SecretName is the name of the credential p's Settings.Secret carries:
// "Secret", or the platform's own (Alipay's "PrivateKey"). The variable is
// that name in upper snake case, the sandbox's admin JSON member the name
// in camel case.
func SecretName(p taro.Platform) string {
	if b, ok := lookup(p); ok && b.SecretName != "" {
		return b.SecretName
	}
	return "Secret"
}

// upperSnake spells a Go field name as a variable's: AlipayPublicKey is
// ALIPAY_PUBLIC_KEY and AESKey AES_KEY.
func upperSnake(name string) string {
	var b strings.Builder
	r := []rune(name)
	for i, c := range r {
		upper := c >= 'A' && c <= 'Z'
		if i > 0 && upper && (r[i-1] < 'A' || r[i-1] > 'Z' || (i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z')) {
			b.WriteByte('_')
		}
		b.WriteString(strings.ToUpper(string(c)))
	}
	return b.String()
}

func envPrefix(p taro.Platform) string { return "TARO_" + strings.ToUpper(string(p)) + "_" }

// EnvHelp lists every variable FromEnv reads, one line each, for help
// texts.
func EnvHelp() []string {
	var out []string
	for _, p := range Names() {
		b, _ := lookup(p)
		id, secret, base := EnvNames(p)
		out = append(out, fmt.Sprintf("%s, %s (%s; comma-separated for several apps), %s (optional)", id, secret, b.Title, base))
		for _, v := range b.Env {
			out = append(out, fmt.Sprintf("  %s%s: %s", envPrefix(p), v.Suffix, v.Help))
		}
		if b.SecretName != "" {
			out = append(out, fmt.Sprintf("  %s: the app's %s (%sSECRET is read when it is unset)", secret, b.SecretName, envPrefix(p)))
		}
	}
	return out
}

// FromEnv builds a driver for every app of every platform whose
// TARO_<PLATFORM>_APPID is set, with TARO_<PLATFORM>_SECRET (required with
// it; EnvNames gives a platform with a private key instead its own) and, optionally, TARO_<PLATFORM>_BASE_URL, plus each platform's own
// variables (TARO_TT_MINIGAME=1 selects Douyin's mini-game mode and
// TARO_SWAN_LEGACY_LOGIN=1 Baidu's legacy login; EnvHelp lists them all).
// Several apps of one platform are comma-separated lists of app ids and
// secrets, in the same order; the base URL is one for all of them or a
// list of one per app, and the platform's own variables apply to all. It fails, naming the variable, when an
// app id comes without its secret, and when no platform is configured at
// all.
func FromEnv(env func(string) string) ([]taro.Driver, error) {
	cfg := map[taro.Platform][]Settings{}
	for _, p := range Names() {
		idVar, secretVar, baseVar := EnvNames(p)
		idList, secretList := env(idVar), env(secretVar)
		if old := envPrefix(p) + "SECRET"; secretList == "" && old != secretVar && env(old) != "" {
			// The name of earlier releases.
			secretVar, secretList = old, env(old)
		}
		if idList == "" && secretList == "" {
			continue
		}
		ids, secrets := splitList(idList), splitList(secretList)
		if len(ids) != len(secrets) || idList == "" || secretList == "" {
			detail := secretVar + " is not set"
			switch {
			case idList == "":
				detail = idVar + " is not set"
			case secretList != "":
				detail = fmt.Sprintf("%s lists %d app ids and %s %d secrets: give one secret per app id, in the same order", idVar, len(ids), secretVar, len(secrets))
			}
			return nil, &taro.Error{Platform: p, API: "platforms", Code: taro.CodeInvalidArgument, Detail: detail}
		}
		var bases []string
		if v := env(baseVar); v != "" {
			bases = splitList(v)
			if len(bases) != 1 && len(bases) != len(ids) {
				return nil, &taro.Error{Platform: p, API: "platforms", Code: taro.CodeInvalidArgument,
					Detail: fmt.Sprintf("%s lists %d base URLs for %d apps: give one for all, or one per app id in the same order", baseVar, len(bases), len(ids))}
			}
		}
		base := EnvSettings(p, env)
		for i := range ids {
			s := base
			s.AppID, s.Secret = ids[i], secrets[i]
			switch len(bases) {
			case 1:
				s.BaseURL = bases[0]
			case len(ids):
				s.BaseURL = bases[i]
			}
			cfg[p] = append(cfg[p], s)
		}
	}
	if len(cfg) == 0 {
		return nil, &taro.Error{API: "platforms", Code: taro.CodeInvalidArgument,
			Detail: "no platform is configured: set TARO_<PLATFORM>_APPID and TARO_<PLATFORM>_SECRET for one of " + list()}
	}
	return NewApps(cfg)
}

// EnvSettings reads p's own variables (its plugin's Env: TARO_TT_MINIGAME,
// TARO_ALIPAY_PUBLIC_KEY, …) into Settings, as FromEnv does; the app id,
// secret and base URL are left to the caller.
func EnvSettings(p taro.Platform, env func(string) string) Settings {
	var base Settings
	b, _ := lookup(p)
	for _, v := range b.Env {
		val := env(envPrefix(p) + v.Suffix)
		if val == "" && v.Deprecated != "" {
			val = env(envPrefix(p) + v.Deprecated)
		}
		if val != "" {
			base = base.With(v.Setting, val)
		}
	}
	return base
}

// splitList splits a comma-separated list, trimming spaces.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func list() string {
	names := make([]string, 0, len(All))
	for _, p := range Names() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}
