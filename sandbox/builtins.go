package sandbox

import (
	"net/http"
	"strings"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/alipay/alipayfake"
	"github.com/tarogo/adapter/platforms/kwai/kwaifake"
	"github.com/tarogo/adapter/platforms/qq/qqfake"
	"github.com/tarogo/adapter/platforms/swan/swanfake"
	"github.com/tarogo/adapter/platforms/tt/ttfake"
	"github.com/tarogo/adapter/platforms/weapp/weappfake"
	"github.com/tarogo/adapter/platforms/xhs/xhsfake"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// fakes lists the fake of each built-in platform, one line each, beside
// the bundle's list of plugins (platforms.All): a test checks that the two
// name the same platforms. The fakes live here, on the sandbox's side, so
// that no program that imports the bundle links a fake.
var fakes = []func() fake.Platform{
	func() fake.Platform { return weappfake.New() },
	func() fake.Platform { return ttfake.New() },
	func() fake.Platform { return qqfake.New() },
	func() fake.Platform { return swanfake.New() },
	func() fake.Platform { return kwaifake.New() },
	func() fake.Platform { return xhsfake.New() },
	func() fake.Platform { return alipayfake.New() },
}

// Builtins returns a new fake of every built-in platform, in
// platforms.Names order.
func Builtins() []fake.Platform {
	byName := map[taro.Platform]fake.Platform{}
	for _, mk := range fakes {
		f := mk()
		byName[f.Name()] = f
	}
	out := make([]fake.Platform, 0, len(byName))
	for _, p := range platforms.Names() {
		if f, ok := byName[p]; ok {
			out = append(out, f)
		}
	}
	return out
}

// AppSettings are the platforms.Settings of a sandbox app: its id and
// secret, baseURL and hc, and its keys under their one name, the Options
// key the plugins read ("PrivateKey", "AlipayPublicKey", "AESKey",
// "AppCertificate", "AlipayCertificate", "AlipayRootCertificate"), so that
// code walking the bundle needs no platform's own names. An app that lists
// both a platform public key and certificates (the sandbox's Alipay app)
// is given the public key: its certificate mode is chosen by configuring
// the certificates alone.
func AppSettings(app App, baseURL string, hc *http.Client) platforms.Settings {
	s := platforms.Settings{AppID: app.ID, Secret: app.Secret, BaseURL: baseURL, HTTPClient: hc}
	keys := map[string]string{"PrivateKey": app.PrivateKey, "AlipayPublicKey": app.AlipayPublicKey, "AESKey": app.AESKey}
	if app.AlipayPublicKey == "" {
		keys["AppCertificate"], keys["AlipayCertificate"], keys["AlipayRootCertificate"] = app.AppCertificate, app.AlipayCertificate, app.AlipayRootCertificate
	}
	for k, v := range keys {
		if v != "" {
			if s.Options == nil {
				s.Options = map[string]string{}
			}
			s.Options[k] = v
		}
	}
	return s
}

// Credentials names the credentials of a sandbox app of p by their one
// name, in camel case, as GET /admin/apps lists them: the secret under
// platforms.SecretName (secret, or Alipay's privateKey), and each of the
// platform's own keys under its Options name (alipayPublicKey, aesKey,
// phonePrivateKey, …), certificates included. A key the platform's plugin
// does not name keeps the App's JSON name.
func Credentials(p taro.Platform, app App) map[string]string {
	secret := app.Secret
	if secret == "" {
		secret = app.PrivateKey
	}
	out := map[string]string{lowerFirst(platforms.SecretName(p)): secret}
	all := app
	all.AlipayPublicKey = "" // AppSettings then gives the certificates too
	opts := map[string]string{"AlipayPublicKey": app.AlipayPublicKey}
	for k, v := range AppSettings(all, "", nil).Options {
		opts[k] = v
	}
	for _, b := range platforms.All {
		if b.Platform != p {
			continue
		}
		for _, v := range b.Env {
			if val := opts[v.Setting]; val != "" {
				out[lowerFirst(v.Setting)] = val
			} else if strings.HasSuffix(v.Setting, "PrivateKey") && app.PrivateKey != secret {
				// The app's private key, under the platform's name for it
				// (Douyin's PhonePrivateKey).
				out[lowerFirst(v.Setting)] = app.PrivateKey
			}
		}
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if strings.HasPrefix(s, "AES") {
		return "aes" + s[3:]
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// AppEnv is the environment platforms.FromEnv reads for a sandbox app of p
// at baseURL: TARO_<P>_APPID, the secret (TARO_ALIPAY_PRIVATE_KEY on a
// platform whose app has a private key instead) and _BASE_URL, and each of the platform's own
// variables that AppSettings would set.
func AppEnv(p taro.Platform, app App, baseURL string) map[string]string {
	idVar, secretVar, baseVar := platforms.EnvNames(p)
	secret := app.Secret
	if secret == "" {
		secret = app.PrivateKey
	}
	env := map[string]string{idVar: app.ID, secretVar: secret, baseVar: baseURL}
	creds := Credentials(p, app)
	if app.AlipayPublicKey != "" {
		// Public-key mode: the certificates would choose the other.
		delete(creds, "appCertificate")
		delete(creds, "alipayCertificate")
		delete(creds, "alipayRootCertificate")
	}
	prefix := strings.TrimSuffix(idVar, "APPID")
	for _, b := range platforms.All {
		if b.Platform != p {
			continue
		}
		for _, v := range b.Env {
			if val := creds[lowerFirst(v.Setting)]; val != "" {
				env[prefix+v.Suffix] = val
			}
		}
	}
	return env
}
