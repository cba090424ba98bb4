package alipay

import (
	"context"
	"crypto/aes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// go-pay/gopay's published vector (alipay/client_test.go), re-decrypted
// with openssl: the console key and the ciphertext my.getPhoneNumber
// handed a client.
const (
	vectorKey    = "TDftre9FpItr46e9BVNJcw=="
	vectorCipher = "MkvuiIZsGOC8S038cu/JIpoRKnF+ZFjoIRGf5d/K4+ctYjCtb/eEkwgrdB5TeH/93bxff1Ylb+SE+UGStlpvcg=="
)

func TestGoPayPhoneVector(t *testing.T) {
	k := testKeys(t)
	d, err := New(Config{AppID: "2021000000000001", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, AESKey: vectorKey})
	require.NoError(t, err)
	plain, ok := OpenAES(d.aes, vectorCipher)
	require.True(t, ok)
	assert.Equal(t, `{"code":"10000","msg":"Success","mobile":"13247120685"}`, string(plain))

	// The whole path: the vector's ciphertext in an envelope Alipay
	// signed (no signature vector is published, so the test key signs).
	env := k.envelope(t, vectorCipher)
	ph, err := d.GetPhoneNumber(context.Background(), driver.PhoneRequest{Response: env})
	require.NoError(t, err)
	assert.Equal(t, "13247120685", ph.PurePhoneNumber)

	// Unsigned, signed by another key, or tampered: never a number, and
	// the same answer for every failure after the envelope's shape.
	unsigned, _ := json.Marshal(map[string]string{"response": vectorCipher})
	_, err = d.GetPhoneNumber(context.Background(), driver.PhoneRequest{Response: string(unsigned)})
	assert.Equal(t, driver.CodeInvalidArgument, taro.CodeOf(err))
	other := testKeys(t)
	_, errSig := d.GetPhoneNumber(context.Background(), driver.PhoneRequest{Response: other.envelope(t, vectorCipher)})
	tampered := strings.Replace(env, vectorCipher[:8], "AAAAAAAA", 1)
	_, errCT := d.GetPhoneNumber(context.Background(), driver.PhoneRequest{Response: tampered})
	assert.Equal(t, driver.CodeInvalidArgument, taro.CodeOf(errSig))
	assert.Equal(t, errSig.Error(), errCT.Error(), "one answer for every failure: no oracle")
}

func TestOpenAESPadding(t *testing.T) {
	block, _ := aes.NewCipher(make([]byte, 16))
	for name, ct := range map[string]string{"empty": "", "not base64": "!!", "not whole blocks": "AAAA", "bad padding": "AAAAAAAAAAAAAAAAAAAAAA=="} {
		_, ok := OpenAES(block, ct)
		assert.False(t, ok, name)
	}
}

// The signature covers every parameter but sign, empty ones dropped,
// sorted, raw (Alipay's rule; an independent rendering of it).
func TestSignContent(t *testing.T) {
	v := url.Values{"method": {"alipay.system.oauth.token"}, "app_id": {"2021"}, "sign": {"x"}, "empty": {""},
		"timestamp": {"2026-12-05 14:00:00"}, "code": {"a&b=c"}, "sign_type": {"RSA2"}}
	assert.Equal(t, "app_id=2021&code=a&b=c&method=alipay.system.oauth.token&sign_type=RSA2&timestamp=2026-12-05 14:00:00", SignContent(v))
}

// keys are an app's key (PEM) and an Alipay key pair: the public key
// the driver is configured with, the private one signing answers.
type keys struct {
	appPEM, aliPubPEM string
	aliPEM            string
}

func rsaGenerate() (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
}

func testKeys(t testing.TB) keys {
	app, err1 := rsaKey()
	ali, err2 := rsaKey()
	if err1 != nil || err2 != nil {
		panic("cannot make RSA keys")
	}
	k, _ := driverkit.ParseRSAPrivateKey(ali)
	pub, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return keys{appPEM: app, aliPubPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), aliPEM: ali}
}

var keyPool = struct {
	sync.Mutex
	n    int
	keys []string
}{}

// rsaKey returns one of a few 2048-bit keys, made once.
func rsaKey() (string, error) {
	keyPool.Lock()
	defer keyPool.Unlock()
	if len(keyPool.keys) < 4 {
		k, err := rsaGenerate()
		if err != nil {
			return "", err
		}
		keyPool.keys = append(keyPool.keys, k)
		return k, nil
	}
	keyPool.n++
	return keyPool.keys[keyPool.n%len(keyPool.keys)], nil
}

func (k keys) sign(t testing.TB, content string) string {
	key, err := driverkit.ParseRSAPrivateKey(k.aliPEM)
	require.NoError(t, err)
	sig, err := driverkit.SignRSA2(key, []byte(content))
	require.NoError(t, err)
	return sig
}

func (k keys) envelope(t testing.TB, ct string) string {
	b, _ := json.Marshal(map[string]string{"response": ct, "sign": k.sign(t, `"`+ct+`"`), "sign_type": "RSA2", "charset": "UTF-8"})
	return string(b)
}

// gateway serves answer for each request and records the form.
type gateway struct {
	srv    *httptest.Server
	mu     sync.Mutex
	forms  []url.Values
	answer func(url.Values) string
}

func newGateway(t *testing.T, answer func(url.Values) string) *gateway {
	g := &gateway{answer: answer}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		g.mu.Lock()
		g.forms = append(g.forms, r.Form)
		g.mu.Unlock()
		_, _ = io.WriteString(w, g.answer(r.Form))
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func signedAnswer(t testing.TB, k keys, member string) string {
	return `{"alipay_system_oauth_token_response":` + member + `,"sign":"` + k.sign(t, member) + `"}`
}

const goodMember = `{"user_id":"","open_id":"074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5","union_id":"U1","access_token":"authusrB8f2","expires_in":"1296000","refresh_token":"authusrR9","re_expires_in":2592000,"auth_start":"2026-12-05 14:00:00"}`

func TestAnswersAreTrustedOnlyWhenSigned(t *testing.T) {
	k := testKeys(t)
	other := testKeys(t)
	cases := map[string]struct {
		answer string
		want   driver.Code
	}{
		"signed":                        {signedAnswer(t, k, goodMember), driver.CodeOK},
		"signed, with spaces kept":      {signedAnswer(t, k, strings.ReplaceAll(goodMember, ",", " , ")), driver.CodeOK},
		"unsigned":                      {`{"alipay_system_oauth_token_response":` + goodMember + `}`, driver.CodeUnavailable},
		"signed by another key":         {signedAnswer(t, other, goodMember), driver.CodeCredentials},
		"tampered after signing":        {strings.Replace(signedAnswer(t, k, goodMember), "074a1", "074a2", 1), driver.CodeCredentials},
		"signature over other text":     {`{"alipay_system_oauth_token_response":` + goodMember + `,"sign":"` + k.sign(t, goodMember+" ") + `"}`, driver.CodeCredentials},
		"sign is not base64":            {`{"alipay_system_oauth_token_response":` + goodMember + `,"sign":"%%%"}`, driver.CodeCredentials},
		"signed, but no id":             {signedAnswer(t, k, `{"access_token":"x"}`), driver.CodeUnavailable},
		"signed, with a failure code":   {signedAnswer(t, k, `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","open_id":"x"}`), driver.CodeInvalidCode},
		"member is a string":            {`{"alipay_system_oauth_token_response":"x","sign":"` + k.sign(t, `"x"`) + `"}`, driver.CodeUnavailable},
		"not JSON":                      {`<html>busy</html>`, driver.CodeUnavailable},
		"case-folded member name":       {strings.Replace(signedAnswer(t, k, goodMember), "alipay_system_oauth_token_response", "Alipay_system_oauth_token_response", 1), driver.CodeUnavailable},
		"error_response, unsigned":      {`{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"bad"}}`, driver.CodeInvalidCode},
		"error_response without a code": {`{"error_response":{}}`, driver.CodeUnavailable},
		// The signature covers a member's text, not which API answered:
		// only the shape of oauth.token's success is a login.
		"another API's signed success":    {signedAnswer(t, k, `{"code":"10000","msg":"Success","user_id":"2088102150477652","nick_name":"x"}`), driver.CodeUnavailable},
		"signed, code 10000 with a token": {signedAnswer(t, k, `{"code":"10000","msg":"Success","user_id":"2088102150477652","access_token":"a","expires_in":1}`), driver.CodeUnavailable},
		"signed, no token":                {signedAnswer(t, k, `{"open_id":"x","expires_in":1296000}`), driver.CodeUnavailable},
		"signed, empty token":             {signedAnswer(t, k, `{"open_id":"x","access_token":"","expires_in":1296000}`), driver.CodeUnavailable},
		"signed, no lifetime":             {signedAnswer(t, k, `{"open_id":"x","access_token":"a"}`), driver.CodeUnavailable},
		"signed, zero lifetime":           {signedAnswer(t, k, `{"open_id":"x","access_token":"a","expires_in":0}`), driver.CodeUnavailable},
		"signed, empty ids":               {signedAnswer(t, k, `{"open_id":"","user_id":"","access_token":"a","expires_in":5}`), driver.CodeUnavailable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			g := newGateway(t, func(url.Values) string { return tc.answer })
			d, err := New(Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, BaseURL: g.srv.URL})
			require.NoError(t, err)
			grant, err := d.Exchange(context.Background(), "code-1")
			assert.Equal(t, tc.want, taro.CodeOf(err), "%v", err)
			if tc.want == driver.CodeOK {
				assert.Equal(t, "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", grant.OpenID)
				assert.Equal(t, "open_id", grant.IDField)
				assert.Equal(t, "U1", grant.UnionID)
				assert.Equal(t, 1296000*time.Second, grant.ExpiresIn, "a string lifetime")
				assert.Equal(t, 2592000*time.Second, grant.ReExpiresIn, "a number lifetime")
				assert.Equal(t, "authusrB8f2", string(grant.AccessToken))
				for _, s := range []string{fmt.Sprint(grant), fmt.Sprintf("%+v %#v", grant, grant), jsonText(grant), slogText(grant)} {
					assert.NotContains(t, s, "authusrB8f2")
					assert.NotContains(t, s, "authusrR9")
				}
			}
		})
	}
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

func slogText(v any) string {
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "v", v)
	return b.String()
}

// An app that has not migrated to openids gets user_id.
func TestUserIDFallback(t *testing.T) {
	k := testKeys(t)
	g := newGateway(t, func(url.Values) string {
		return signedAnswer(t, k, `{"user_id":"2088102150477652","access_token":"a","expires_in":1296000}`)
	})
	d, err := New(Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, BaseURL: g.srv.URL})
	require.NoError(t, err)
	grant, err := d.Exchange(context.Background(), "c")
	require.NoError(t, err)
	assert.Equal(t, "2088102150477652", grant.OpenID)
	assert.Equal(t, "user_id", grant.IDField)
	r, err := d.Code2Session(context.Background(), driver.LoginRequest{Code: "c"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "2088102150477652"}, r, "no session key, no tokens")
}

// The request: the documented common parameters, an RSA2 signature the
// app's public key verifies, and the timestamp in China time whatever the
// server's zone.
func TestRequestShape(t *testing.T) {
	k := testKeys(t)
	g := newGateway(t, func(url.Values) string { return signedAnswer(t, k, goodMember) })
	d, err := New(Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, BaseURL: g.srv.URL})
	require.NoError(t, err)
	d.now = func() time.Time { return time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC) }
	_, err = d.Exchange(context.Background(), "auth-code-1")
	require.NoError(t, err)
	f := g.forms[0]
	for k, want := range map[string]string{"app_id": "2021", "method": "alipay.system.oauth.token", "format": "JSON", "charset": "utf-8",
		"sign_type": "RSA2", "version": "1.0", "grant_type": "authorization_code", "code": "auth-code-1", "timestamp": "2026-12-06 07:30:00"} {
		assert.Equal(t, want, f.Get(k), k)
	}
	assert.Empty(t, f.Get("app_cert_sn"), "public-key mode sends no SN")
	key, _ := driverkit.ParseRSAPrivateKey(k.appPEM)
	assert.True(t, driverkit.VerifyRSA2(&key.PublicKey, []byte(SignContent(f)), f.Get("sign")))
}

func TestErrorTable(t *testing.T) {
	for _, tc := range []struct {
		code, sub string
		want      driver.Code
	}{
		{"40002", "isv.code-invalid", driver.CodeInvalidCode},
		{"40002", "isv.refresh-token-invalid", driver.CodeInvalidCode},
		{"40002", "isv.refreshed-token-invalid", driver.CodeInvalidCode},
		{"40002", "isv.invalid-signature", driver.CodeCredentials},
		{"40002", "isv.invalid-app-id", driver.CodeCredentials},
		{"40001", "isv.missing-app-id", driver.CodeInvalidArgument},
		{"40006", "isv.insufficient-isv-permissions", driver.CodePermissionDenied},
		{"20000", "isp.unknow-error", driver.CodeUnavailable},
		{"20000", "aop.unknow-error", driver.CodeUnavailable},
		{"20001", "aop.invalid-auth-token", driver.CodeCredentials},
		{"40005", "", driver.CodeRateLimited},
		{"40004", "isv.app-call-limited-frequency", driver.CodeRateLimited},
		{"40004", "some.business-failure", driver.CodeUnknown},
		{"40002", "isv.unmatched-app-id", driver.CodeInvalidCode},
		{"40002", "isv.grant-type-invalid", driver.CodeInvalidArgument},
		{"99999", "", driver.CodeUnknown},
	} {
		assert.Equal(t, tc.want, classify(tc.code, tc.sub), "%s %s", tc.code, tc.sub)
	}
}

func TestNewNamesTheBadField(t *testing.T) {
	k := testKeys(t)
	c := certSet(t)
	base := Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM}
	for name, tc := range map[string]struct {
		mutate func(*Config)
		want   string
	}{
		"no app id":       {func(c *Config) { c.AppID = "" }, "Config.AppID"},
		"no private key":  {func(c *Config) { c.PrivateKey = "" }, "Config.PrivateKey"},
		"bad private key": {func(c *Config) { c.PrivateKey = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }, "Config.PrivateKey"},
		"no Alipay key":   {func(c *Config) { c.AlipayPublicKey = "" }, "Config.AlipayPublicKey"},
		"bad Alipay key":  {func(c *Config) { c.AlipayPublicKey = "nope" }, "Config.AlipayPublicKey"},
		"both modes":      {func(c *Config) { c.AppCertificate = "x" }, "not both"},
		"bad AES key":     {func(c *Config) { c.AESKey = "c2hvcnQ=" }, "Config.AESKey"},
		"bad base URL":    {func(c *Config) { c.BaseURL = "ftp://x" }, "Config.BaseURL"},
		"one certificate": {func(cf *Config) { cf.AlipayPublicKey, cf.AppCertificate = "", c.app }, "Config.AlipayCertificate"},
		"another app's certs": {func(cf *Config) {
			cf.PrivateKey, cf.AlipayPublicKey, cf.AppCertificate, cf.AlipayCertificate, cf.AlipayRootCertificate = c.appKey, "", c.ali, c.ali, c.root
		}, "not the certificate of Config.PrivateKey"},
	} {
		cfg := base
		tc.mutate(&cfg)
		_, err := New(cfg)
		assert.ErrorContains(t, err, tc.want, name)
		assert.Equal(t, driver.CodeInvalidArgument, taro.CodeOf(err), name)
		if err != nil {
			assert.NotContains(t, err.Error(), "PRIVATE KEY", "no key material in errors")
		}
	}
	// The bare base64 of the console is accepted for Alipay's key.
	bare := strings.Join(strings.Split(strings.TrimSpace(k.aliPubPEM), "\n")[1:], "")
	bare = strings.TrimSuffix(bare, "-----END PUBLIC KEY-----")
	cfg := base
	cfg.AlipayPublicKey = bare
	_, err := New(cfg)
	assert.NoError(t, err)
}

type certs struct{ appKey, app, ali, root, sm2Root string }

// certSet makes a root, an app and an Alipay certificate, and an ECDSA-
// signed root (as the SM2 roots of Alipay's bundle stand for: not
// RSA-signed, left out of the root SN).
func certSet(t testing.TB) certs {
	appPEM, _ := rsaKey()
	rootPEM, _ := rsaKey()
	aliPEM, _ := rsaKey()
	appKey, _ := driverkit.ParseRSAPrivateKey(appPEM)
	rootKey, _ := driverkit.ParseRSAPrivateKey(rootPEM)
	aliKey, _ := driverkit.ParseRSAPrivateKey(aliPEM)
	tmpl := func(n int64, cn string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: cn, Organization: []string{"Test"}, Country: []string{"CN"}},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	}
	rt := tmpl(1, "Root")
	rootDER, err := x509.CreateCertificate(rand.Reader, rt, rt, &rootKey.PublicKey, rootKey)
	require.NoError(t, err)
	root, _ := x509.ParseCertificate(rootDER)
	appDER, _ := x509.CreateCertificate(rand.Reader, tmpl(77, "app"), root, &appKey.PublicKey, rootKey)
	aliDER, _ := x509.CreateCertificate(rand.Reader, tmpl(88, "alipay"), root, &aliKey.PublicKey, rootKey)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	et := tmpl(5, "EC Root")
	ecDER, err := x509.CreateCertificate(rand.Reader, et, et, &ec.PublicKey, ec)
	require.NoError(t, err)
	p := func(der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	return certs{appKey: appPEM, app: p(appDER), ali: p(aliDER), root: p(rootDER), sm2Root: p(ecDER)}
}

// Certificate mode: the SNs are sent, the root SN covers only RSA-signed
// roots, and an answer is verified with the certificate its
// alipay_cert_sn names; an unknown SN or none fails closed.
func TestCertificateMode(t *testing.T) {
	c := certSet(t)
	aliKeyPEM := ""
	{
		// The Alipay certificate's key is the third made by certSet's
		// calls to rsaKey; find it by matching the certificate.
		blk, _ := pem.Decode([]byte(c.ali))
		cert, _ := x509.ParseCertificate(blk.Bytes)
		for _, kp := range keyPool.keys {
			k, _ := driverkit.ParseRSAPrivateKey(kp)
			if k.PublicKey.Equal(cert.PublicKey) {
				aliKeyPEM = kp
			}
		}
		require.NotEmpty(t, aliKeyPEM)
	}
	signer := keys{aliPEM: aliKeyPEM}
	blk, _ := pem.Decode([]byte(c.ali))
	aliCert, _ := x509.ParseCertificate(blk.Bytes)
	sn := CertSN(aliCert)
	var answer string
	g := newGateway(t, func(url.Values) string { return answer })
	d, err := New(Config{AppID: "2021", PrivateKey: c.appKey, AppCertificate: c.app, AlipayCertificate: c.ali,
		AlipayRootCertificate: c.root + c.sm2Root, BaseURL: g.srv.URL})
	require.NoError(t, err)
	member := goodMember
	withSN := func(sn string) string {
		return `{"alipay_system_oauth_token_response":` + member + `,"alipay_cert_sn":"` + sn + `","sign":"` + signer.sign(t, member) + `"}`
	}
	answer = withSN(sn)
	_, err = d.Exchange(context.Background(), "c")
	require.NoError(t, err)
	f := g.forms[0]
	blk, _ = pem.Decode([]byte(c.app))
	appCert, _ := x509.ParseCertificate(blk.Bytes)
	blk, _ = pem.Decode([]byte(c.root))
	rootCert, _ := x509.ParseCertificate(blk.Bytes)
	assert.Equal(t, CertSN(appCert), f.Get("app_cert_sn"))
	assert.Equal(t, CertSN(rootCert), f.Get("alipay_root_cert_sn"), "the EC-signed root is left out")
	assert.Len(t, f.Get("app_cert_sn"), 32, "lowercase hex MD5")

	answer = withSN("0123456789abcdef0123456789abcdef")
	_, err = d.Exchange(context.Background(), "c")
	assert.Equal(t, driver.CodeCredentials, taro.CodeOf(err), "an answer signed by a certificate not configured")
	answer = signedAnswer(t, signer, member)
	_, err = d.Exchange(context.Background(), "c")
	assert.Equal(t, driver.CodeUnavailable, taro.CodeOf(err), "no alipay_cert_sn in certificate mode")
}

// Nothing prints a key.
func TestConfigRedacts(t *testing.T) {
	k := testKeys(t)
	cfg := Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, AESKey: vectorKey, BaseURL: "https://u:pw@example.test"}
	d, err := New(cfg)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v %#v %v %s %q %x", cfg, cfg, d, d, d, d), jsonText(cfg), jsonText(d), slogText(cfg), slogText(d)} {
		assert.NotContains(t, s, "PRIVATE KEY")
		assert.NotContains(t, s, vectorKey)
		assert.NotContains(t, s, "pw@")
	}
}

// No redirect is followed (a 307 would re-POST the signed form elsewhere),
// with a nil, the caller's or a zero-value client, and the caller's client
// is left as it was.
func TestRefusesRedirects(t *testing.T) {
	k := testKeys(t)
	var reached int
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	defer evil.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, evil.URL+r.URL.Path, status)
		}))
		callers := front.Client()
		for _, hc := range []*http.Client{nil, callers, {}} {
			d, err := New(Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, BaseURL: front.URL, HTTPClient: hc})
			require.NoError(t, err)
			_, err = d.Exchange(context.Background(), "c")
			assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err), "%d: %v", status, err)
		}
		assert.Nil(t, callers.CheckRedirect, "the caller's client is not modified")
		front.Close()
	}
	assert.Zero(t, reached, "the redirect target received requests")
}
