// Package alipayfake is the fake of Alipay's open-platform gateway for
// package sandbox: alipay.system.oauth.token over POST /gateway.do, as
// Alipay's SDKs send it (common parameters in the form body or the query;
// RSA2 signatures), and the envelopes my.getPhoneNumber hands the client.
//
// It checks what Alipay checks: the app id, the RSA2 signature of the
// request with the app's public key (isv.invalid-signature when it does
// not verify), the timestamp in China time (within 15 minutes of the real
// clock: the sandbox's clock is for codes and tokens), and in certificate
// mode the app_cert_sn and alipay_root_cert_sn. It signs every answer with
// its own Alipay key, adding alipay_cert_sn when the request was in
// certificate mode. Codes are single-use. The fake makes its own keys and
// certificates (a root, the app's and Alipay's), once per process, and
// lists them in its App, so that an SDK in any language can be configured
// against it from the admin API. Refresh tokens are not kept: a
// refresh_token grant answers isv.refresh-token-invalid. It imports only
// public packages, as a fake written outside this module would.
package alipayfake

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Keys are the fake's key material: the app's key pair, Alipay's, the AES
// key and the three certificates, all PEM (the AES key base64).
type Keys struct {
	AppPrivateKey     string
	AlipayPrivateKey  string // for tests that sign answers of their own
	AlipayPublicKey   string
	AESKey            string
	AppCertificate    string
	AlipayCertificate string
	RootCertificate   string

	appKey, alipayKey *rsa.PrivateKey
	appCertSN         string
	alipayCertSN      string
	rootCertSN        string
}

// keys are made once per process: RSA key generation is slow, and every
// sandbox makes a fake.
var keys = sync.OnceValue(func() *Keys {
	k, err := NewKeys()
	if err != nil {
		panic("alipayfake: " + err.Error())
	}
	return k
})

// NewKeys makes fresh key material: 2048-bit RSA keys, a self-signed root,
// and the app's and Alipay's certificates issued by it.
func NewKeys() (*Keys, error) {
	appKey, err1 := rsa.GenerateKey(rand.Reader, 2048)
	aliKey, err2 := rsa.GenerateKey(rand.Reader, 2048)
	rootKey, err3 := rsa.GenerateKey(rand.Reader, 2048)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := func(serial int64, cn string, ca bool) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{Country: []string{"CN"}, Organization: []string{"Sandbox"}, CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: ca, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	}
	rootT := tmpl(1, "Sandbox Alipay Root", true)
	rootDER, err := x509.CreateCertificate(rand.Reader, rootT, rootT, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	root, _ := x509.ParseCertificate(rootDER)
	appDER, err1 := x509.CreateCertificate(rand.Reader, tmpl(4242, "sandbox app", false), root, &appKey.PublicKey, rootKey)
	aliDER, err2 := x509.CreateCertificate(rand.Reader, tmpl(2088, "Sandbox Alipay", false), root, &aliKey.PublicKey, rootKey)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	appCert, _ := x509.ParseCertificate(appDER)
	aliCert, _ := x509.ParseCertificate(aliDER)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(appKey)
	aliPub, _ := x509.MarshalPKIXPublicKey(&aliKey.PublicKey)
	certPEM := func(der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	aes := make([]byte, 16)
	_, _ = rand.Read(aes)
	return &Keys{
		AppPrivateKey:     string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		AlipayPrivateKey:  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(aliKey)})),
		AlipayPublicKey:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: aliPub})),
		AESKey:            base64.StdEncoding.EncodeToString(aes),
		AppCertificate:    certPEM(appDER),
		AlipayCertificate: certPEM(aliDER),
		RootCertificate:   certPEM(rootDER),
		appKey:            appKey, alipayKey: aliKey,
		appCertSN: certSN(appCert), alipayCertSN: certSN(aliCert), rootCertSN: certSN(root),
	}, nil
}

// Fake is the fake; it implements fake.Platform and fake.PhoneMinter.
// Auth codes live three minutes (the low end of Alipay's documented
// three minutes to a day).
type Fake struct {
	fake.Spec
	keys *Keys
}

// New returns the fake with the process's shared keys.
func New() *Fake { return WithKeys(keys()) }

// WithKeys returns the fake with the given keys.
func WithKeys(k *Keys) *Fake {
	app := fake.App{ID: "2021000000000001", PrivateKey: k.AppPrivateKey, AlipayPublicKey: k.AlipayPublicKey, AESKey: k.AESKey,
		AppCertificate: k.AppCertificate, AlipayCertificate: k.AlipayCertificate, AlipayRootCertificate: k.RootCertificate}
	f := &Fake{Spec: fake.Spec{Platform: "alipay", AppFields: []string{"app_id"}, App: app, CodeLife: 3 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session}, TakesToken: []fake.Endpoint{}, Seal: noClientData, Markers: map[fake.Endpoint]string{fake.Code2Session: "sign"}}, keys: k}
	f.Paths = []fake.Route{{Endpoint: fake.Code2Session, Pattern: "POST /gateway.do", Handler: f.gateway}}
	return f
}

var (
	_ fake.Platform    = (*Fake)(nil)
	_ fake.PhoneMinter = (*Fake)(nil)
)

func noClientData(string, string, []byte, time.Time) (string, string, error) {
	return "", "", errors.New("alipay encrypts no client data with a session key (it has none)")
}

// errorBody is Alipay's error_response.
type errorBody struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code,omitempty"`
	SubMsg  string `json:"sub_msg,omitempty"`
}

// FaultBody implements fake.Platform: a busy gateway is 20000
// isp.unknow-error and a rate limit 40005 (Alipay's frequency code as the
// SDKs know it). The gateway takes no access token.
// Like every answer of the gateway's, it is signed (as in public-key mode:
// a fault does not know the request's mode).
func (f *Fake) FaultBody(_ fake.Endpoint, kind fake.FaultKind) any {
	e := errorBody{"20000", "Service Currently Unavailable", "isp.unknow-error", "system busy"}
	if kind == fake.RateLimit {
		e = errorBody{"40005", "Call Limited", "isv.app-call-limited", "call frequency exceeded"}
	}
	body, _ := json.Marshal(e)
	return json.RawMessage(f.signed("error_response", body, false))
}

// fail answers an error_response signed as Alipay signs every answer:
// sign over the member's exact text, and alipay_cert_sn in certificate
// mode.
func (f *Fake) fail(w http.ResponseWriter, certMode bool, e errorBody) {
	body, _ := json.Marshal(e)
	f.writeSigned(w, "error_response", body, certMode)
}

func (f *Fake) gateway(w http.ResponseWriter, r *http.Request, st *fake.State) {
	if err := r.ParseForm(); err != nil {
		f.fail(w, false, errorBody{"40001", "Missing Required Arguments", "isv.missing-method", "unreadable form"})
		return
	}
	form := r.Form
	certMode := form.Get("app_cert_sn") != "" || form.Get("alipay_root_cert_sn") != ""
	invalid := func(w http.ResponseWriter, sub, msg string) {
		f.fail(w, certMode, errorBody{"40002", "Invalid Arguments", sub, msg})
	}
	for _, p := range []string{"app_id", "method", "sign_type", "sign", "timestamp", "version", "charset"} {
		if form.Get(p) == "" {
			f.fail(w, certMode, errorBody{"40001", "Missing Required Arguments", "isv.missing-" + strings.ReplaceAll(p, "_", "-"), "missing " + p})
			return
		}
	}
	app := st.App()
	switch {
	case form.Get("app_id") != app.ID:
		invalid(w, "isv.invalid-app-id", "app_id not found")
		return
	case form.Get("method") != "alipay.system.oauth.token":
		invalid(w, "isv.invalid-method", "unknown method")
		return
	case form.Get("sign_type") != "RSA2":
		invalid(w, "isv.invalid-signature-type", "sign_type must be RSA2")
		return
	}
	ts, err := time.ParseInLocation("2006-01-02 15:04:05", form.Get("timestamp"), china)
	if err != nil || ts.Sub(time.Now()).Abs() > 15*time.Minute {
		invalid(w, "isv.invalid-timestamp", "timestamp is not China time within 15 minutes")
		return
	}
	appKey, err := driverkit.ParseRSAPrivateKey(app.PrivateKey)
	if err != nil || !rsa2OK(&appKey.PublicKey, signContent(form), form.Get("sign")) {
		invalid(w, "isv.invalid-signature", "signature does not verify")
		return
	}
	if certMode && (form.Get("app_cert_sn") != f.keys.appCertSN || form.Get("alipay_root_cert_sn") != f.keys.rootCertSN) {
		invalid(w, "isv.invalid-cert-sn", "app_cert_sn or alipay_root_cert_sn does not match")
		return
	}
	var openid string
	switch form.Get("grant_type") {
	case "authorization_code":
		var res fake.CodeResult
		if openid, res = st.Redeem(form.Get("code"), false); res != fake.CodeOK {
			invalid(w, "isv.code-invalid", "auth code invalid, used or expired")
			return
		}
	case "refresh_token":
		invalid(w, "isv.refresh-token-invalid", "refresh token invalid")
		return
	default:
		invalid(w, "isv.grant-type-invalid", "grant_type invalid")
		return
	}
	u, _ := st.User(openid)
	now := st.Now().In(china)
	body, _ := json.Marshal(struct {
		UserID       string `json:"user_id,omitempty"` // left out for an app on openids, as Alipay does
		OpenID       string `json:"open_id"`
		UnionID      string `json:"union_id"`
		AccessToken  string `json:"access_token"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		ReExpiresIn  int    `json:"re_expires_in"`
		AuthStart    string `json:"auth_start"`
	}{"", openid, u.UnionID, "authusr" + fake.RandomHex(16), 1296000, "authusr" + fake.RandomHex(16), 2592000, now.Format("2006-01-02 15:04:05")})
	f.writeSigned(w, "alipay_system_oauth_token_response", body, certMode)
}

// writeSigned answers {"<member>":<body>,"alipay_cert_sn":…,"sign":…},
// signing body's exact bytes.
func (f *Fake) writeSigned(w http.ResponseWriter, member string, body []byte, certMode bool) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8") // what the gateway sends
	_, _ = w.Write(f.signed(member, body, certMode))
}

// signed is the answer {"<member>":<body>,"alipay_cert_sn":…,"sign":…}.
func (f *Fake) signed(member string, body []byte, certMode bool) []byte {
	sig, _ := driverkit.SignRSA2(f.keys.alipayKey, body)
	var b bytes.Buffer
	b.WriteString(`{"` + member + `":`)
	b.Write(body)
	if certMode {
		b.WriteString(`,"alipay_cert_sn":"` + f.keys.alipayCertSN + `"`)
	}
	b.WriteString(`,"sign":"` + sig + `"}`)
	return b.Bytes()
}

// MintPhone implements fake.PhoneMinter: the string my.getPhoneNumber
// hands the mini program for phone, {"response":<base64 AES-CBC>,
// "sign":<RSA2 over the quoted response>,"sign_type":"RSA2",
// "encrypt_type":"AES","charset":"UTF-8"}, under the app's AES key.
func (f *Fake) MintPhone(st *fake.State, _ string, phone string) (string, error) {
	plain, _ := json.Marshal(map[string]string{"code": "10000", "msg": "Success", "mobile": phone})
	ct, err := SealAES(st.App().AESKey, plain)
	if err != nil {
		return "", err
	}
	sig, _ := driverkit.SignRSA2(f.keys.alipayKey, []byte(`"`+ct+`"`))
	env, _ := json.Marshal(struct {
		Response    string `json:"response"`
		Sign        string `json:"sign"`
		SignType    string `json:"sign_type"`
		EncryptType string `json:"encrypt_type"`
		Charset     string `json:"charset"`
	}{ct, sig, "RSA2", "AES", "UTF-8"})
	return string(env), nil
}

// SealAES is Alipay's content encryption: base64 of AES-CBC with a zero IV
// and PKCS#5 padding under the base64 key.
func SealAES(key64 string, plain []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(key64)
	if err != nil {
		return "", errors.New("the app's AES key is not base64")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", errors.New("the app's AES key is not 16, 24 or 32 bytes")
	}
	n := aes.BlockSize - len(plain)%aes.BlockSize
	buf := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(n)}, n)...)
	cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize)).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// The fake's own reading of Alipay's rules, written from the docs and not
// taken from the driver, so that it checks the driver rather than
// agreeing with it.

// china is China time (GMT+8), the zone of Alipay's timestamps.
var china = time.FixedZone("GMT+8", 8*60*60)

// signContent is what Alipay's RSA2 signs in a request: every parameter
// but sign, with a non-empty value, sorted by name, joined as k=v with &,
// values raw.
func signContent(form url.Values) string {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if v := form.Get(k); k != "sign" && v != "" {
			pairs = append(pairs, k+"="+v)
		}
	}
	return strings.Join(pairs, "&")
}

// rsa2OK reports whether sig (standard base64) is SHA256withRSA (PKCS#1
// v1.5) of content under key, checked here and not by the driver's code.
func rsa2OK(key *rsa.PublicKey, content, sig string) bool {
	raw, err := base64.StdEncoding.DecodeString(sig)
	sum := sha256.Sum256([]byte(content))
	return err == nil && rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], raw) == nil
}

// certSN is Alipay's serial number of a certificate: lowercase hex MD5 of
// the issuer's distinguished name (RFC 2253) and the serial number in
// decimal.
func certSN(c *x509.Certificate) string {
	sum := md5.Sum([]byte(c.Issuer.String() + c.SerialNumber.String()))
	return hex.EncodeToString(sum[:])
}
