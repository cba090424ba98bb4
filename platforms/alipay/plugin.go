package alipay

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Plugin describes Alipay to the portable layer and the bundle of
// built-in platforms (package platforms). The shared settings' Secret is
// the app's private key (TARO_ALIPAY_SECRET: Alipay has no app secret);
// the other keys are Alipay's own variables, under the Options names
// sandbox.AppSettings gives a sandbox app's keys. Alipay's client callbacks
// carry no errMsg, so there is no FromNative.
var Plugin = driver.Plugin{
	Keyless:  true,
	Platform: Platform,
	Title:    "Alipay",
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		key := s.Secret
		if key == "" {
			key = s.Options["PrivateKey"]
		}
		return Config{AppID: s.AppID, PrivateKey: key, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient,
			AlipayPublicKey: s.Options["PlatformPublicKey"], AppCertificate: s.Options["AppCertificate"],
			AlipayCertificate: s.Options["PlatformCertificate"], AlipayRootCertificate: s.Options["RootCertificate"],
			AESKey: s.Options["AESKey"]}
	}),
	Env: []driver.EnvVar{
		{Suffix: "PUBLIC_KEY", Setting: "PlatformPublicKey", Help: "Alipay's public key (PEM or base64), public-key mode; TARO_ALIPAY_SECRET is the app's private key (PEM)"},
		{Suffix: "APP_CERT", Setting: "AppCertificate", Help: "the app's certificate (PEM), certificate mode"},
		{Suffix: "CERT", Setting: "PlatformCertificate", Help: "Alipay's certificate (PEM), certificate mode"},
		{Suffix: "ROOT_CERT", Setting: "RootCertificate", Help: "Alipay's root certificate bundle (PEM), certificate mode"},
		{Suffix: "AES_KEY", Setting: "AESKey", Secret: true, Help: "the app's AES key (base64), for phone numbers"},
	},
}

func init() { driver.RegisterPlugin(Plugin) }
