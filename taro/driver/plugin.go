package driver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Settings configure one app's driver, whatever its platform: the fields
// every platform shares, and a platform's own settings by name in Options.
// Each platform reads the fields it knows and ignores the others.
type Settings struct {
	AppID   string
	Secret  string
	BaseURL string
	// HTTPClient sends the requests; nil means the drivers' default.
	HTTPClient *http.Client
	// Options holds a platform's own settings, by the names its Plugin's
	// Env lists (the Setting of each EnvVar): Douyin's "MiniGame" and
	// Baidu's "LegacyLogin" ("1" means on), Alipay's keys, and so on.
	Options map[string]string
}

// Flag reports whether the platform's own setting name is "1" (on).
func (s Settings) Flag(name string) bool { return s.Options[name] == "1" }

// With returns s with its platform's own setting name set to value (a
// copy: s's Options are not changed), e.g. s.With("MiniGame", "1").
func (s Settings) With(name, value string) Settings {
	opts := make(map[string]string, len(s.Options)+1)
	for k, v := range s.Options {
		opts[k] = v
	}
	opts[name] = value
	s.Options = opts
	return s
}

// describe is the settings with the secret redacted and the base URL's
// user information and query withheld; the options are counted, not
// shown (some are keys).
func (s Settings) describe() string {
	return fmt.Sprintf("{AppID:%q Secret:%#v BaseURL:%q Options:%d}", s.AppID, Secret(s.Secret), SafeURL(s.BaseURL), len(s.Options))
}

// MarshalJSON writes the settings as describe does.
func (s Settings) MarshalJSON() ([]byte, error) {
	return []byte(`{"AppID":` + strconv.Quote(s.AppID) + `,"Secret":` + strconv.Quote(Secret(s.Secret).String()) +
		`,"BaseURL":` + strconv.Quote(SafeURL(s.BaseURL)) + `,"Options":` + strconv.Itoa(len(s.Options)) + `}`), nil
}

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (s Settings) Format(f fmt.State, verb rune) {
	t := s.describe()
	if verb == 'q' {
		t = strconv.Quote(t)
	}
	_, _ = f.Write([]byte(t))
}

// SafeURL returns raw with its user information (user:password@) and query
// replaced by "[redacted]"; an unparsable URL is withheld whole.
func SafeURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	if u.User != nil {
		u.User = url.User("[redacted]")
	}
	if u.RawQuery != "" {
		u.RawQuery = "[redacted]"
	}
	u.Fragment, u.RawFragment = "", ""
	return strings.Replace(u.String(), "%5Bredacted%5D", "[redacted]", -1)
}

// EnvVar is a variable of a platform's own, beyond the three every
// platform reads (TARO_<PLATFORM>_APPID, the secret and _BASE_URL).
// A credential has one name: its Setting is the field name of the
// platform's Config, its Suffix that name in upper snake case
// (AlipayPublicKey, TARO_ALIPAY_ALIPAY_PUBLIC_KEY), and its member in
// the sandbox's admin JSON the same name in camel case (alipayPublicKey).
type EnvVar struct {
	// Suffix names the variable: TARO_<PLATFORM>_<Suffix>.
	Suffix string
	// Setting is the Settings.Options key the value goes to.
	Setting string
	// Help says what it is, for help texts.
	Help string
	// Secret marks a value never to be printed.
	Secret bool
	// Deprecated is an earlier suffix still read when Suffix is unset.
	Deprecated string
}

// Plugin describes a platform to the portable layer and to the bundle of
// built-in platforms: its name, how to build its driver from settings, its
// pure client-result normaliser and its environment variables. A platform
// package registers its Plugin from init, as database/sql's drivers do,
// so that importing it (or the bundle) is enough.
type Plugin struct {
	// Platform is the platform's name (weapp, tt, …).
	Platform Platform
	// Title is its human name (WeChat, Douyin, …).
	Title string
	// New builds a driver for one app.
	New func(Settings) (Driver, error)
	// FromNative normalises a client API's raw callback object; nil when
	// the platform has none. It needs no credentials.
	FromNative func(api string, raw []byte) (NativeResult, error)
	// Env lists the platform's own variables.
	Env []EnvVar
	// SecretName is the Config field name of the credential the shared
	// Settings.Secret carries, when it is not an app secret (Alipay's
	// "PrivateKey"): its variable is then TARO_<PLATFORM>_PRIVATE_KEY and
	// its admin JSON member privateKey. Empty means "Secret".
	SecretName string
	// Keyless says, before any driver is built, that the platform has no
	// session key (its drivers are KeylessLogins, Alipay's): a command
	// line refuses a session check or a decryption on it before asking
	// for credentials. A test keeps it equal to TraitsOf(driver).Keyless.
	Keyless bool
}

var (
	pluginsMu sync.RWMutex
	plugins   = map[Platform]Plugin{}
)

// RegisterPlugin makes p known to the portable layer (taro.FromNative with
// no driver) and to the bundle's helpers. It panics on an empty name, a
// nil New or a second registration of one platform: those are programming
// errors found at start-up.
func RegisterPlugin(p Plugin) {
	if p.Platform == "" || p.New == nil {
		panic("driver: RegisterPlugin needs a Platform and a New")
	}
	pluginsMu.Lock()
	defer pluginsMu.Unlock()
	if _, dup := plugins[p.Platform]; dup {
		panic(fmt.Sprintf("driver: RegisterPlugin called twice for platform %q", p.Platform))
	}
	plugins[p.Platform] = p
}

// LookupPlugin returns the registered plugin of platform p.
func LookupPlugin(p Platform) (Plugin, bool) {
	pluginsMu.RLock()
	defer pluginsMu.RUnlock()
	pl, ok := plugins[p]
	return pl, ok
}

// Plugins lists the registered plugins, sorted by platform.
func Plugins() []Plugin {
	pluginsMu.RLock()
	defer pluginsMu.RUnlock()
	out := make([]Plugin, 0, len(plugins))
	for _, p := range plugins {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Plugin) int {
		switch {
		case a.Platform < b.Platform:
			return -1
		case a.Platform > b.Platform:
			return 1
		}
		return 0
	})
	return out
}
