package alipay

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: Taro's target name.
const Platform driver.Platform = "alipay"

// DefaultBaseURL is Alipay's open-platform gateway host; requests go to
// BaseURL + "/gateway.do".
const DefaultBaseURL = "https://openapi.alipay.com"

// Plugin describes Alipay to the portable layer and the bundle of
// built-in platforms (package platforms). The shared settings' Secret is
// the app's private key (TARO_ALIPAY_PRIVATE_KEY: Alipay has no app
// secret); the other keys are Alipay's own variables. Every key has one
// name, Config's field name: the Options key, the variable
// (TARO_ALIPAY_ + the name in upper snake case) and the sandbox's admin
// JSON member (the name in camel case). The names of earlier releases
// (TARO_ALIPAY_SECRET, TARO_ALIPAY_PUBLIC_KEY, _APP_CERT, _CERT,
// _ROOT_CERT; the Options keys PlatformPublicKey, PlatformCertificate and
// RootCertificate) are still read when the new ones are unset. Alipay's
// client callbacks carry no errMsg, so there is no FromNative.
var Plugin = driverkit.Register(driver.Plugin{Keyless: true, Platform: Platform, Title: "Alipay", SecretName: "PrivateKey",
	New: driverkit.NewFromSettings(New, func(s driver.Settings) Config {
		key := s.Secret
		if key == "" {
			key = s.Options["PrivateKey"]
		}
		opt := func(name, old string) string {
			if v := s.Options[name]; v != "" {
				return v
			}
			return s.Options[old]
		}
		return Config{AppID: s.AppID, PrivateKey: key, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient,
			AlipayPublicKey: opt("AlipayPublicKey", "PlatformPublicKey"), AppCertificate: s.Options["AppCertificate"],
			AlipayCertificate: opt("AlipayCertificate", "PlatformCertificate"), AlipayRootCertificate: opt("AlipayRootCertificate", "RootCertificate"),
			AESKey: s.Options["AESKey"]}
	}),
	Env: []driver.EnvVar{
		{Suffix: "ALIPAY_PUBLIC_KEY", Setting: "AlipayPublicKey", Deprecated: "PUBLIC_KEY", Help: "Alipay's public key (PEM or base64), public-key mode"},
		{Suffix: "APP_CERTIFICATE", Setting: "AppCertificate", Deprecated: "APP_CERT", Help: "the app's certificate (PEM), certificate mode"},
		{Suffix: "ALIPAY_CERTIFICATE", Setting: "AlipayCertificate", Deprecated: "CERT", Help: "Alipay's certificate (PEM), certificate mode"},
		{Suffix: "ALIPAY_ROOT_CERTIFICATE", Setting: "AlipayRootCertificate", Deprecated: "ROOT_CERT", Help: "Alipay's root certificate bundle (PEM), certificate mode"},
		{Suffix: "AES_KEY", Setting: "AESKey", Secret: true, Help: "the app's AES key (base64), for phone numbers"},
	}})
