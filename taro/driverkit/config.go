// Config helpers: this file holds what the drivers' Config types share: validation
// and formatting that never shows the secret.

package driverkit

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tarogo/adapter/taro/driver"
)

// Base validates a driver config and returns the base URL to use: base, or
// def when base is empty.
func ConfigBase(pkg, appID, secret, base, def string) (string, error) {
	if appID == "" || secret == "" {
		return "", driver.Errorf(driver.CodeInvalidArgument, "%s: Config.AppID and Config.Secret are required", pkg)
	}
	if base == "" {
		return def, nil
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", driver.Errorf(driver.CodeInvalidArgument, "%s: Config.BaseURL must be an absolute http(s) URL without a query", pkg)
	}
	return base, nil
}

// String formats a config with the secret (and any password in the base
// URL) redacted.
func ConfigString(pkg, appID, secret, base string) string {
	if pkg != "" {
		pkg += "."
	}
	return pkg + "Config{AppID:" + strconv.Quote(appID) + " Secret:" + strconv.Quote(driver.Secret(secret).String()) + " BaseURL:" + strconv.Quote(SafeURL(base)) + "}"
}

// LogValue is a config's slog value with the secret redacted.
func ConfigLogValue(appID, secret, base string) slog.Value {
	return slog.GroupValue(slog.String("appid", appID), slog.String("secret", RedactedMark(secret)), slog.String("base_url", SafeURL(base)))
}

// ConfigJSON is a config's JSON with the secret redacted and the base
// URL made safe: {"AppID","Secret","BaseURL"} and then extra, pairs of a
// field name and its (non-secret) value, in order.
func ConfigJSON(appID, secret, base string, extra ...any) ([]byte, error) {
	b := []byte(`{"AppID":`)
	b = strconv.AppendQuote(b, appID)
	b = append(b, `,"Secret":`...)
	b = strconv.AppendQuote(b, RedactedMark(secret))
	b = append(b, `,"BaseURL":`...)
	b = strconv.AppendQuote(b, SafeURL(base))
	for i := 0; i+1 < len(extra); i += 2 {
		name, _ := extra[i].(string)
		v, err := json.Marshal(extra[i+1])
		if err != nil {
			return nil, err
		}
		b = append(b, ',')
		b = strconv.AppendQuote(b, name)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// SafeURL returns raw with its user information (user:password@) and query
// replaced by "[redacted]"; an unparsable URL is withheld whole.
func SafeURL(raw string) string { return driver.SafeURL(raw) }

// Format writes s, a value's redacted text, for every fmt verb: %q quotes
// it, %x and %X show it as they show strings (only what s already shows),
// and every other verb prints it as is. Types holding secrets implement
// fmt.Formatter with it so that no verb reaches their fields.
func FormatRedacted(f fmt.State, verb rune, s string) {
	switch verb {
	case 'q':
		_, _ = io.WriteString(f, strconv.Quote(s))
	default:
		_, _ = io.WriteString(f, s)
	}
}

// RedactedMark stands in for a secret: driver.Secret's rule, "[redacted]",
// or "" when it is empty.
func RedactedMark(s string) string { return driver.Secret(s).String() }

// NewFromSettings adapts a driver package's New to driver.Plugin.New:
// config maps the portable settings to the package's Config, and a failed
// New yields a nil driver.Driver (never a typed nil).
func NewFromSettings[C any, D driver.Driver](newDriver func(C) (D, error), config func(driver.Settings) C) func(driver.Settings) (driver.Driver, error) {
	return func(s driver.Settings) (driver.Driver, error) {
		d, err := newDriver(config(s))
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}

// ConfigFromSettings maps the portable settings to an AppConfig: an
// AppConfig driver's plugin says New: NewFromSettings(New,
// ConfigFromSettings).
func ConfigFromSettings(s driver.Settings) AppConfig {
	return AppConfig{AppID: s.AppID, Secret: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient}
}

// Register registers p with the portable layer (driver.RegisterPlugin) and
// returns it, so that a platform package declares and registers its
// plugin in one statement:
//
//	var Plugin = driverkit.Register(driver.Plugin{Platform: Platform, Title: "QQ", New: …})
func Register(p driver.Plugin) driver.Plugin {
	driver.RegisterPlugin(p)
	return p
}

// AppConfig configures a driver that needs only an app's id and secret;
// such a driver package declares `type Config = driverkit.AppConfig`.
// Formatting it (every fmt verb, slog, JSON) redacts the secret and any
// password or query in BaseURL.
type AppConfig struct {
	AppID  string
	Secret string
	// BaseURL replaces the platform's API host (for the sandbox or a
	// proxy).
	BaseURL string
	// HTTPClient sends the requests; nil means DefaultClient (a 15s
	// timeout). It is used through a copy that refuses redirects.
	HTTPClient *http.Client
}

// MarshalJSON writes the config with its secret redacted (slog's JSON
// handler too).
func (c AppConfig) MarshalJSON() ([]byte, error) { return ConfigJSON(c.AppID, c.Secret, c.BaseURL) }

// Format implements fmt.Formatter: every verb (and slog's text handler)
// prints Config{AppID:… Secret:"[redacted]" BaseURL:…}.
func (c AppConfig) Format(f fmt.State, verb rune) {
	FormatRedacted(f, verb, ConfigString("", c.AppID, c.Secret, c.BaseURL))
}

// Base validates the config for platform pkg and returns the base URL to
// use: BaseURL, or def when it is empty.
func (c AppConfig) Base(pkg, def string) (string, error) {
	return ConfigBase(pkg, c.AppID, c.Secret, c.BaseURL, def)
}

// Site is where a platform's app API lives, described as data (as
// x/oauth2/endpoints describes OAuth providers): the platform, its
// default host and the paths of its code exchange and of the app's
// access token. A driver package declares one and builds its drivers on
// it with New or Build.
type Site struct {
	Platform driver.Platform
	BaseURL  string // the default host; AppConfig.BaseURL replaces it
	Login    string // the code exchange's path
	Token    string // the app access token's path
	// TokenLogin: the code exchange takes the app's access token (the
	// AppDriver reports it as a driver.TokenLogin).
	TokenLogin bool
	// Keyless: the platform has no session key (a driver.KeylessLogin).
	Keyless bool
	// Native normalises the platform's client results (the package's
	// FromNative); nil when it has none, and then the AppDriver does not
	// offer driver.CapNativeNormalizer.
	Native func(api string, raw []byte) (driver.NativeResult, error)
}

// AppDriver is what a driver configured by an AppConfig holds: its
// platform, its app id and secret (a driver.Secret: redacted wherever it
// is printed), its HTTP client (refusing redirects) and its site's URLs,
// joined once. A driver embeds it for Platform, AppID and Format, and
// builds its requests with Secret, Client, LoginURL, TokenURL and URL.
type AppDriver struct {
	site   Site // the platform as data
	appID  string
	secret driver.Secret
	shown  string // the config as Format prints it
	hc     *http.Client
	base   string
	login  string
	token  string
}

// NewAppDriver validates cfg for site (AppID and Secret required;
// BaseURL, when set, an absolute http(s) URL) and returns its AppDriver,
// at site.BaseURL unless cfg.BaseURL says otherwise.
func NewAppDriver(site Site, cfg AppConfig) (AppDriver, error) {
	p := site.Platform
	base, err := cfg.Base(string(p), site.BaseURL)
	if err != nil {
		return AppDriver{}, err
	}
	return AppDriver{site: site, appID: cfg.AppID, secret: driver.Secret(cfg.Secret), hc: NoRedirect(cfg.HTTPClient), base: base,
		login: JoinURL(base, site.Login), token: JoinURL(base, site.Token),
		shown: string(p) + ".Driver{" + ConfigString("", cfg.AppID, cfg.Secret, cfg.BaseURL) + "}"}, nil
}

// Platform implements driver.Driver.
func (a *AppDriver) Platform() driver.Platform { return a.site.Platform }

// AppID implements driver.Driver.
func (a *AppDriver) AppID() string { return a.appID }

// Secret is the app's secret, for the requests that carry it (and their
// Request.Secrets).
func (a *AppDriver) Secret() driver.Secret { return a.secret }

// Client is the HTTP client the driver sends with.
func (a *AppDriver) Client() *http.Client { return a.hc }

// LoginURL is the site's code exchange on the driver's base URL.
func (a *AppDriver) LoginURL() string { return a.login }

// TokenURL is the site's app-token endpoint on the driver's base URL.
func (a *AppDriver) TokenURL() string { return a.token }

// URL is any other path on the driver's base URL.
func (a *AppDriver) URL(path string) string { return JoinURL(a.base, path) }

// CheckLogin is the site's rule for a code exchange's request, for a
// driver to apply before any I/O: a Code (these platforms have no
// anonymous login) and, when the exchange takes the app's access token
// (Site.TokenLogin), that token.
func (a *AppDriver) CheckLogin(req driver.LoginRequest) error {
	if req.Code == "" {
		return driver.Errorf(driver.CodeInvalidArgument, "%s has no anonymous login: Code is required", a.site.Platform)
	}
	if a.site.TokenLogin && req.AccessToken == "" {
		return driver.Errorf(driver.CodeInvalidArgument, "%s's code exchange needs the app's access token", a.site.Platform)
	}
	return nil
}

// LoginNeedsToken implements driver.TokenLogin with Site.TokenLogin.
func (a *AppDriver) LoginNeedsToken() bool { return a.site.TokenLogin }

// KeylessLogin implements driver.KeylessLogin with Site.Keyless.
func (a *AppDriver) KeylessLogin() bool { return a.site.Keyless }

// FromNative implements driver.NativeNormalizer with Site.Native.
func (a *AppDriver) FromNative(api string, raw []byte) (driver.NativeResult, error) {
	if a.site.Native == nil {
		return driver.NativeResult{}, driver.Errorf(driver.CodeNotSupported, "%s has no client results to normalise", a.site.Platform)
	}
	return a.site.Native(api, raw)
}

// Supports implements driver.CapabilityLimiter: the native normaliser is
// offered only when the site has one.
func (a *AppDriver) Supports(c driver.Capability) bool {
	return c != driver.CapNativeNormalizer || a.site.Native != nil
}

// Format implements fmt.Formatter: every verb prints the driver with its
// secret redacted.
func (a *AppDriver) Format(f fmt.State, verb rune) { FormatRedacted(f, verb, a.shown) }

// What an AppDriver reports from its Site.
var _ interface {
	driver.TokenLogin
	driver.KeylessLogin
	driver.NativeNormalizer
	driver.CapabilityLimiter
} = (*AppDriver)(nil)

// New validates cfg for site (NewAppDriver) and returns the package's
// driver D, a struct of the AppDriver alone: a driver package's New is
// `return driverkit.New[Driver](site, cfg)`.
func New[D ~struct{ AppDriver }](site Site, cfg AppConfig) (*D, error) {
	a, err := NewAppDriver(site, cfg)
	if err != nil {
		return nil, err
	}
	d := D(struct{ AppDriver }{a})
	return &d, nil
}

// Build is New for a driver that holds more than the AppDriver: wrap
// makes it.
func Build[D any](site Site, cfg AppConfig, wrap func(AppDriver) *D) (*D, error) {
	a, err := NewAppDriver(site, cfg)
	if err != nil {
		return nil, err
	}
	return wrap(a), nil
}
