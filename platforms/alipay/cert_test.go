package alipay

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// issued is a certificate and its key.
type issued struct {
	cert *x509.Certificate
	der  []byte
	key  *rsa.PrivateKey
	pem  string // the key, PEM
}

func (c issued) certPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}))
}

// issue makes a certificate for cn valid from nb to na, signed by parent
// (nil: self-signed).
func issue(t *testing.T, serial int64, cn string, ca bool, nb, na time.Time, parent *issued) issued {
	t.Helper()
	kp, err := rsaKey()
	require.NoError(t, err)
	k, err := driverkit.ParseRSAPrivateKey(kp)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Country: []string{"CN"}},
		NotBefore: nb, NotAfter: na, IsCA: ca, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	signer, signerKey := tmpl, k
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &k.PublicKey, signerKey)
	require.NoError(t, err)
	c, _ := x509.ParseCertificate(der)
	return issued{cert: c, der: der, key: k, pem: kp}
}

// Certificate mode verifies the Alipay certificate against the root
// bundle and checks the dates of the app's and Alipay's certificates, in
// New (naming the field) and for every answer (a certificate that expires
// while the process runs is refused from then on).
func TestCertificatesVerified(t *testing.T) {
	now := time.Now()
	hour := time.Hour
	root := issue(t, 1, "Root", true, now.Add(-hour), now.Add(48*hour), nil)
	foreign := issue(t, 2, "Foreign Root", true, now.Add(-hour), now.Add(48*hour), nil)
	app := issue(t, 10, "app", false, now.Add(-hour), now.Add(24*hour), &root)
	ali := issue(t, 20, "alipay", false, now.Add(-hour), now.Add(2*hour), &root)
	aliForeign := issue(t, 21, "alipay", false, now.Add(-hour), now.Add(2*hour), &foreign)
	aliExpired := issue(t, 22, "alipay", false, now.Add(-3*hour), now.Add(-hour), &root)
	aliFuture := issue(t, 23, "alipay", false, now.Add(hour), now.Add(3*hour), &root)
	appExpired := issue(t, 11, "app", false, now.Add(-3*hour), now.Add(-hour), &root)
	// An intermediate, as Alipay's certificate file carries one.
	inter := issue(t, 30, "Class 2", true, now.Add(-hour), now.Add(24*hour), &root)
	aliViaInter := issue(t, 31, "alipay", false, now.Add(-hour), now.Add(2*hour), &inter)

	cfg := func(appC issued, aliPEM string) Config {
		return Config{AppID: "2021", PrivateKey: appC.pem, AppCertificate: appC.certPEM(), AlipayCertificate: aliPEM,
			AlipayRootCertificate: root.certPEM(), BaseURL: "http://127.0.0.1:1"}
	}
	refused := map[string]struct {
		cfg  Config
		want string
	}{
		"a foreign root":          {cfg(app, aliForeign.certPEM()), "Config.AlipayCertificate does not chain to Config.AlipayRootCertificate"},
		"an expired Alipay cert":  {cfg(app, aliExpired.certPEM()), "Config.AlipayCertificate expired at"},
		"a future Alipay cert":    {cfg(app, aliFuture.certPEM()), "Config.AlipayCertificate is not valid before"},
		"an expired app cert":     {Config{AppID: "2021", PrivateKey: appExpired.pem, AppCertificate: appExpired.certPEM(), AlipayCertificate: ali.certPEM(), AlipayRootCertificate: root.certPEM()}, "Config.AppCertificate expired at"},
		"a missing intermediate":  {cfg(app, aliViaInter.certPEM()), "does not chain"},
		"the root is the foreign": {func() Config { c := cfg(app, ali.certPEM()); c.AlipayRootCertificate = foreign.certPEM(); return c }(), "does not chain"},
	}
	for name, tc := range refused {
		_, err := New(tc.cfg)
		assert.ErrorIs(t, err, taro.ErrInvalidArgument, name)
		assert.ErrorContains(t, err, tc.want, name)
	}
	_, err := New(cfg(app, aliViaInter.certPEM()+inter.certPEM()))
	require.NoError(t, err, "the Alipay certificate with its intermediate")

	// Answers: verified with a certificate that passed, while it is valid.
	signer := keys{aliPEM: ali.pem}
	member := goodMember
	sn := CertSN(ali.cert)
	answer := `{"alipay_system_oauth_token_response":` + member + `,"alipay_cert_sn":"` + sn + `","sign":"` + signer.sign(t, member) + `"}`
	g := newGateway(t, func(url.Values) string { return answer })
	c := cfg(app, ali.certPEM()+aliForeign.certPEM())
	c.BaseURL = g.srv.URL
	d, err := New(c)
	require.NoError(t, err)
	_, err = d.Exchange(context.Background(), "c")
	require.NoError(t, err)

	// A second certificate of the file that does not chain is not used.
	fsigner := keys{aliPEM: aliForeign.pem}
	answer = `{"alipay_system_oauth_token_response":` + member + `,"alipay_cert_sn":"` + CertSN(aliForeign.cert) + `","sign":"` + fsigner.sign(t, member) + `"}`
	_, err = d.Exchange(context.Background(), "c")
	assert.Equal(t, driver.CodeCredentials, taro.CodeOf(err), "a certificate that did not chain")

	// The Alipay certificate expires while the process runs.
	answer = `{"alipay_system_oauth_token_response":` + member + `,"alipay_cert_sn":"` + sn + `","sign":"` + signer.sign(t, member) + `"}`
	d.now = func() time.Time { return now.Add(3 * hour) }
	_, err = d.Exchange(context.Background(), "c")
	assert.Equal(t, driver.CodeCredentials, taro.CodeOf(err))
	assert.ErrorContains(t, err, "outside its validity")
	_, err = d.OpenPhoneResponse(signer.envelope(t, vectorCipher))
	assert.ErrorContains(t, err, "outside its validity", "the phone envelope too")
}
