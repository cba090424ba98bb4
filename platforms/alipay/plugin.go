package alipay

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Plugin describes Alipay to the portable layer and the bundle of
// built-in platforms (package platforms). The shared settings' Secret is
// the app's private key (TARO_ALIPAY_SECRET: Alipay has no app secret);
// the other keys are Alipay's own variables. Alipay's client callbacks
// carry no errMsg, so there is no FromNative.
var Plugin = driver.Plugin{
	Platform: Platform,
	Title:    "Alipay",
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		return Config{AppID: s.AppID, PrivateKey: s.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient,
			AlipayPublicKey: s.Options["AlipayPublicKey"], AppCertificate: s.Options["AppCertificate"],
			AlipayCertificate: s.Options["AlipayCertificate"], AlipayRootCertificate: s.Options["AlipayRootCertificate"],
			AESKey: s.Options["AESKey"]}
	}),
	Env: []driver.EnvVar{
		{Suffix: "PUBLIC_KEY", Setting: "AlipayPublicKey", Help: "Alipay's public key (PEM or base64), public-key mode; TARO_ALIPAY_SECRET is the app's private key (PEM)"},
		{Suffix: "APP_CERT", Setting: "AppCertificate", Help: "the app's certificate (PEM), certificate mode"},
		{Suffix: "CERT", Setting: "AlipayCertificate", Help: "Alipay's certificate (PEM), certificate mode"},
		{Suffix: "ROOT_CERT", Setting: "AlipayRootCertificate", Help: "Alipay's root certificate bundle (PEM), certificate mode"},
		{Suffix: "AES_KEY", Setting: "AESKey", Secret: true, Help: "the app's AES key (base64), for phone numbers"},
	},
}

func init() { driver.RegisterPlugin(Plugin) }
