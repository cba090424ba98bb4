package alipay_test

import (
	"testing"

	"github.com/tarogo/adapter/platforms/alipay"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

func configDriver(sb *sandbox.Sandbox, app sandbox.App) any {
	return alipay.Config{AppID: app.ID, PrivateKey: app.PrivateKey, AlipayPublicKey: app.AlipayPublicKey, AESKey: app.AESKey,
		BaseURL: sb.BaseURL(taro.Alipay), HTTPClient: sb.HTTPClient()}
}

func makeDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return alipay.New(configDriver(sb, app).(alipay.Config))
}

func certConfig(sb *sandbox.Sandbox, app sandbox.App) any {
	return alipay.Config{AppID: app.ID, PrivateKey: app.PrivateKey, AppCertificate: app.AppCertificate, AlipayCertificate: app.AlipayCertificate,
		AlipayRootCertificate: app.AlipayRootCertificate, AESKey: app.AESKey, BaseURL: sb.BaseURL(taro.Alipay), HTTPClient: sb.HTTPClient()}
}

func makeCertDriver(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return alipay.New(certConfig(sb, app).(alipay.Config))
}

func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.Alipay, makeDriver, configDriver))
}

func TestConformanceCertificateMode(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.NewWithConfig(taro.Alipay, makeCertDriver, certConfig))
}
