package alipay_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/alipay"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// The sandbox signs its error answers as Alipay does (sign over the exact
// member, alipay_cert_sn in certificate mode), so an SDK that verifies
// error answers accepts them; the driver verifies them too and keeps
// their class; the success answer leaves user_id out for an app on
// openids.
func TestSignedErrorAnswers(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Alipay)
	key, err := driverkit.ParseRSAPrivateKey(app.PrivateKey)
	require.NoError(t, err)
	pub, err := driverkit.ParseRSAPublicKey(app.AlipayPublicKey)
	require.NoError(t, err)
	gateway := sb.BaseURL(taro.Alipay) + "/gateway.do"
	post := func(form url.Values) string {
		sig, err := driverkit.SignRSA2(key, []byte(alipay.SignContent(form)))
		require.NoError(t, err)
		form.Set("sign", sig)
		resp, err := http.Post(gateway, "application/x-www-form-urlencoded;charset=utf-8", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// verify reads the answer as gopay does: between `_response":` and
	// `,"alipay_cert_sn"` or `,"sign"`.
	verify := func(text, member string, certMode bool) {
		t.Helper()
		start := strings.Index(text, member+`":`) + len(member+`":`)
		endMark := `,"sign"`
		if certMode {
			endMark = `,"alipay_cert_sn"`
		}
		end := strings.LastIndex(text, endMark)
		require.True(t, end > start, text)
		o := driverkit.ParseObject([]byte(text))
		sig, _ := o.String("sign")
		assert.True(t, driverkit.VerifyRSA2(pub, []byte(text[start:end]), sig), "signed: %s", text)
		sn, hasSN := o.String("alipay_cert_sn")
		assert.Equal(t, certMode, hasSN, "alipay_cert_sn in certificate mode only: %s", text)
		if certMode {
			assert.Len(t, sn, 32)
		}
	}
	common := func(extra url.Values) url.Values {
		f := url.Values{"app_id": {app.ID}, "method": {"alipay.system.oauth.token"}, "format": {"JSON"}, "charset": {"utf-8"},
			"sign_type": {"RSA2"}, "timestamp": {time.Now().In(alipay.China).Format("2006-01-02 15:04:05")}, "version": {"1.0"}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	for _, certMode := range []bool{false, true} {
		extra := url.Values{"grant_type": {"authorization_code"}, "code": {"no-such-code"}}
		if certMode {
			extra.Set("app_cert_sn", certSNOf(t, app.AppCertificate))
			extra.Set("alipay_root_cert_sn", rootSNOf(t, app.AlipayRootCertificate))
		}
		text := post(common(extra))
		assert.Contains(t, text, `"sub_code":"isv.code-invalid"`)
		verify(text, "error_response", certMode)
		extra.Set("grant_type", "bogus")
		text = post(common(extra))
		assert.Contains(t, text, `"sub_code":"isv.grant-type-invalid"`)
		verify(text, "error_response", certMode)

		code, err := sb.Login(taro.Alipay, "no-user-id")
		require.NoError(t, err)
		extra.Set("grant_type", "authorization_code")
		extra.Set("code", code)
		text = post(common(extra))
		verify(text, "alipay_system_oauth_token_response", certMode)
		assert.NotContains(t, text, `"user_id"`, "an app on openids gets no user_id member")
	}

	// The driver: a signed error keeps its class; so does an unsigned
	// one, which says it was not signed.
	d, err := alipay.New(alipay.Config{AppID: app.ID, PrivateKey: app.PrivateKey, AlipayPublicKey: app.AlipayPublicKey, BaseURL: sb.BaseURL(taro.Alipay)})
	require.NoError(t, err)
	c, err := taro.NewClient(d)
	require.NoError(t, err)
	_, err = c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.Alipay, Code: "no-such-code"})
	assert.ErrorIs(t, err, taro.ErrInvalidCode)
	assert.NotContains(t, err.Error(), "not signed")
	require.NoError(t, sb.Inject(taro.Alipay, sandbox.Code2Session, sandbox.RateLimit, 1))
	_, err = c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.Alipay, Code: "x"})
	assert.ErrorIs(t, err, taro.ErrRateLimited, "a signed fault answer")
}

// certSNOf is Alipay's SN of the first certificate of a PEM text.
func certSNOf(t *testing.T, text string) string {
	t.Helper()
	b, _ := pem.Decode([]byte(text))
	require.NotNil(t, b)
	c, err := x509.ParseCertificate(b.Bytes)
	require.NoError(t, err)
	return alipay.CertSN(c)
}

// rootSNOf is the root SN of a bundle of RSA-signed roots.
func rootSNOf(t *testing.T, text string) string {
	t.Helper()
	var sns []string
	rest := []byte(text)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		require.NoError(t, err)
		sns = append(sns, alipay.CertSN(c))
	}
	return strings.Join(sns, "_")
}
