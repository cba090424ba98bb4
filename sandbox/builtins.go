package sandbox

import (
	"net/http"
	"strings"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/alipay/alipayfake"
	"github.com/tarogo/adapter/platforms/dd/ddfake"
	"github.com/tarogo/adapter/platforms/kwai/kwaifake"
	"github.com/tarogo/adapter/platforms/lark/larkfake"
	"github.com/tarogo/adapter/platforms/qq/qqfake"
	"github.com/tarogo/adapter/platforms/qywx/qywxfake"
	"github.com/tarogo/adapter/platforms/swan/swanfake"
	"github.com/tarogo/adapter/platforms/tt/ttfake"
	"github.com/tarogo/adapter/platforms/weapp/weappfake"
	"github.com/tarogo/adapter/platforms/xhs/xhsfake"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
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
	func() fake.Platform { return qywxfake.New() },
	func() fake.Platform { return larkfake.New() },
	func() fake.Platform { return ddfake.New() },
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

// keys are a sandbox app's keys under their one name, the Options key the
// plugins read ("PrivateKey", "AlipayPublicKey", "AESKey",
// "AppCertificate", "AlipayCertificate", "AlipayRootCertificate").
func keys(app App) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"PrivateKey": app.PrivateKey, "AlipayPublicKey": app.AlipayPublicKey, "AESKey": app.AESKey,
		"AppCertificate": app.AppCertificate, "AlipayCertificate": app.AlipayCertificate, "AlipayRootCertificate": app.AlipayRootCertificate} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// driverKeys are keys(app) for configuring a driver: an app that lists
// both a platform public key and certificates (the sandbox's Alipay app)
// is given the public key; its certificate mode is chosen by configuring
// the certificates alone.
func driverKeys(app App) map[string]string {
	k := keys(app)
	if app.AlipayPublicKey != "" {
		delete(k, "AppCertificate")
		delete(k, "AlipayCertificate")
		delete(k, "AlipayRootCertificate")
	}
	return k
}

// secretOf is the credential the shared settings' Secret carries: the
// app's secret, or its private key on a platform without one (Alipay).
func secretOf(app App) string {
	if app.Secret != "" {
		return app.Secret
	}
	return app.PrivateKey
}

// AppSettings are the platforms.Settings of a sandbox app: its id and
// secret, baseURL and hc, and its keys under their one name (driverKeys),
// so that code walking the bundle needs no platform's own names.
func AppSettings(app App, baseURL string, hc *http.Client) platforms.Settings {
	s := platforms.Settings{AppID: app.ID, Secret: app.Secret, BaseURL: baseURL, HTTPClient: hc}
	if k := driverKeys(app); len(k) > 0 {
		s.Options = k
	}
	return s
}

// Settings are the platforms.Settings of the default app of every
// platform sb serves (AppSettings, through sb's HTTP client), with Douyin
// as a mini-game, whose session check and key reset the sandbox serves
// too: what platforms.New takes to serve the whole sandbox.
func Settings(sb *Sandbox) map[taro.Platform]platforms.Settings {
	out := map[taro.Platform]platforms.Settings{}
	for _, p := range sb.Platforms() {
		s := AppSettings(sb.App(p), sb.BaseURL(p), sb.HTTPClient())
		if p == taro.TT {
			s = s.With("MiniGame", "1")
		}
		out[p] = s
	}
	return out
}

// Credentials names the credentials of a sandbox app of p by their one
// name, in camel case, as GET /admin/apps lists them: the secret under
// platforms.SecretName (secret, or Alipay's privateKey), and each of the
// platform's own keys under its Options name (alipayPublicKey, aesKey,
// phonePrivateKey, …), certificates included.
func Credentials(p taro.Platform, app App) map[string]string { return named(p, app, keys(app)) }

// named is the secret and k, the app's keys, under the names p's plugin
// reads, in camel case.
func named(p taro.Platform, app App, k map[string]string) map[string]string {
	secret := secretOf(app)
	out := map[string]string{lowerFirst(platforms.SecretName(p)): secret}
	pl, _ := driver.LookupPlugin(p)
	for _, v := range pl.Env {
		if val := k[v.Setting]; val != "" {
			out[lowerFirst(v.Setting)] = val
		} else if strings.HasSuffix(v.Setting, "PrivateKey") && app.PrivateKey != secret {
			// The app's private key, under the platform's name for it
			// (Douyin's PhonePrivateKey).
			out[lowerFirst(v.Setting)] = app.PrivateKey
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
// platform whose app has a private key instead) and _BASE_URL, and each
// of the platform's own variables that AppSettings would set.
func AppEnv(p taro.Platform, app App, baseURL string) map[string]string {
	idVar, secretVar, baseVar := platforms.EnvNames(p)
	env := map[string]string{idVar: app.ID, secretVar: secretOf(app), baseVar: baseURL}
	creds := named(p, app, driverKeys(app))
	prefix := strings.TrimSuffix(idVar, "APPID")
	pl, _ := driver.LookupPlugin(p)
	for _, v := range pl.Env {
		if val := creds[lowerFirst(v.Setting)]; val != "" {
			env[prefix+v.Suffix] = val
		}
	}
	return env
}
