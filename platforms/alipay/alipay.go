// Package alipay is the Alipay mini-program driver (Taro's "alipay"
// target, the host object my).
//
// Alipay works differently from the other platforms, and the driver says
// so in types rather than in conventions:
//
//   - Requests carry no app secret. Every gateway request is signed with
//     the app's RSA private key (RSA2: SHA256withRSA over the sorted
//     parameter string), and every answer is signed by Alipay and verified
//     here before anything in it is believed: an answer whose signature is
//     missing or does not verify is never a success.
//   - There is no session key and no checkSession. Code2Session
//     (alipay.system.oauth.token, grant_type=authorization_code) answers an
//     openid alone; the driver is a driver.KeylessLogin, so the portable
//     layer records the login by its order, package login decides by login
//     order and age, and CheckSession, Decrypt, VerifyRawData,
//     ResetSession and AccessToken answer ErrNotSupported.
//   - Phone numbers come to the client, not by a code: my.getPhoneNumber
//     hands the mini program a JSON envelope {"response","sign",…}; the
//     backend passes it as taro.PhoneOption.Response, and GetPhoneNumber
//     verifies its signature with Alipay's key and opens it (AES-CBC, zero
//     IV, PKCS#5) with Config.AESKey, with no I/O. An unsigned envelope is
//     refused: the ciphertext carries no MAC, and only the signature makes
//     it Alipay's.
//
// Keys. Public-key mode needs Config.AlipayPublicKey. Certificate mode
// needs the three certificates: requests then carry app_cert_sn and
// alipay_root_cert_sn, and an answer is verified with the configured
// Alipay certificate whose serial number (SN) the answer's alipay_cert_sn
// names; an answer naming another certificate fails closed (download the
// new certificate from the console). New verifies the Alipay certificate
// against the root bundle and checks the app's and Alipay's certificates'
// dates; an answer is verified only with a certificate that passed, while
// it is valid. SNs are Alipay's: the lowercase hex
// MD5 of the issuer's distinguished name (RFC 2253, as Go's
// pkix.Name.String writes it) followed by the serial number in decimal;
// the root SN joins the SNs of the bundle's RSA-signed certificates with
// "_".
//
// The user's access_token and refresh_token that the code exchange
// returns are secrets. Code2Session drops them (the portable result has
// no place for them and must not print them); callers of Alipay's user
// APIs use Driver.Exchange, whose Grant holds them as driver.Secret
// values, redacted under every fmt verb, JSON and slog.
//
// What is confirmed, and how. The gateway, the common parameters, the
// signing rule, the answer's shape and its signed content, the openid
// migration (open_id first, then user_id) and the error codes are
// Alipay's open documentation, as mirrored publicly and as the Java SDK,
// smartwalle/alipay and go-pay/gopay implement them; the timestamp is
// China time (GMT+8) as the Java SDK fixes it; the phone envelope and its
// AES scheme are Alipay's my.getPhoneNumber page and its server-side
// decryption sample, with go-pay's published vector asserted in the
// tests. The code classes: 40002 isv.code-invalid and the refresh-token
// sub_codes are InvalidCode; isv.invalid-signature, isv.invalid-app-id and
// 20001 are Credentials; 40001 is InvalidArgument; 40006 is
// PermissionDenied; 40005 (call frequency, SDKs only) is RateLimited;
// 20000 is Unavailable (retried); anything else is Unknown. Peers accept
// an error_response without verifying its signature, and so does the
// driver: an error never becomes a success.
package alipay

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the platform this driver serves: Taro's target name.
const Platform driver.Platform = "alipay"

// DefaultBaseURL is Alipay's open-platform gateway host; requests go to
// BaseURL + "/gateway.do".
const DefaultBaseURL = "https://openapi.alipay.com"

// China is the zone of the gateway's timestamp parameter (GMT+8), whatever
// the server's own zone.
var China = time.FixedZone("GMT+8", 8*60*60)

// Config configures the driver. Formatting a Config redacts the private
// key and the AES key; the public key and certificates are printed only as
// set or not.
type Config struct {
	AppID string
	// PrivateKey is the app's RSA private key, PEM (PKCS#1 or PKCS#8).
	PrivateKey string
	// AlipayPublicKey is Alipay's public key (PEM, or the console's bare
	// base64), for public-key mode.
	AlipayPublicKey string
	// AppCertificate, AlipayCertificate and AlipayRootCertificate are the
	// console's three certificates (PEM), for certificate mode.
	AppCertificate        string
	AlipayCertificate     string
	AlipayRootCertificate string
	// AESKey is the console's content-encryption key (base64), needed to
	// open phone numbers; without it GetPhoneNumber is not supported.
	AESKey string
	// BaseURL replaces DefaultBaseURL (for the sandbox or a proxy).
	BaseURL string
	// HTTPClient sends the requests; nil means driverkit.DefaultClient.
	HTTPClient *http.Client
}

func setMark(s string) string {
	if s == "" {
		return ""
	}
	return "(set)"
}

// String returns the config with its keys redacted.
func (c Config) String() string {
	return fmt.Sprintf("alipay.Config{AppID:%q PrivateKey:%s AlipayPublicKey:%s AppCertificate:%s AlipayCertificate:%s AlipayRootCertificate:%s AESKey:%s BaseURL:%q}",
		c.AppID, driver.Secret(c.PrivateKey), setMark(c.AlipayPublicKey), setMark(c.AppCertificate), setMark(c.AlipayCertificate),
		setMark(c.AlipayRootCertificate), driver.Secret(c.AESKey), driverkit.SafeURL(c.BaseURL))
}

// MarshalJSON writes the config with its keys redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AppID                 string
		PrivateKey            driver.Secret
		AlipayPublicKey       string
		AppCertificate        string
		AlipayCertificate     string
		AlipayRootCertificate string
		AESKey                driver.Secret
		BaseURL               string
	}{c.AppID, driver.Secret(c.PrivateKey), setMark(c.AlipayPublicKey), setMark(c.AppCertificate), setMark(c.AlipayCertificate),
		setMark(c.AlipayRootCertificate), driver.Secret(c.AESKey), driverkit.SafeURL(c.BaseURL)})
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue implements slog.LogValuer with the keys redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appid", c.AppID), slog.String("private_key", driverkit.RedactedMark(c.PrivateKey)),
		slog.Bool("certificate_mode", c.AppCertificate != ""), slog.String("aes_key", driverkit.RedactedMark(c.AESKey)),
		slog.String("base_url", driverkit.SafeURL(c.BaseURL)))
}

// Format implements fmt.Formatter: every verb prints String.
func (c Config) Format(f fmt.State, verb rune) { driverkit.FormatRedacted(f, verb, c.String()) }

// Driver is the Alipay driver. It is safe for concurrent use.
type Driver struct {
	hc      *http.Client
	cfg     Config
	gateway string
	key     *rsa.PrivateKey
	aes     cipher.Block // nil without Config.AESKey
	// Public-key mode: alipayKey. Certificate mode: the SNs and the
	// Alipay certificates' keys by SN (the first one is the default).
	alipayKey  *rsa.PublicKey
	appCertSN  string
	rootCertSN string
	certKeys   map[string]aliCert
	aliSN      string // the SN of the first Alipay certificate (the default)
	now        func() time.Time
}

var (
	_ driver.Authenticator     = (*Driver)(nil)
	_ driver.KeylessLogin      = (*Driver)(nil)
	_ driver.PhoneNumberGetter = (*Driver)(nil)
	_ driver.PhoneFromClient   = (*Driver)(nil)
	_ driver.CapabilityLimiter = (*Driver)(nil)
)

func configError(format string, args ...any) error {
	return driver.Errorf(driver.CodeInvalidArgument, "alipay: "+format, args...)
}

// New returns a driver for cfg. AppID and PrivateKey are required, and
// either AlipayPublicKey or the three certificates; every key and
// certificate is parsed here, and an error names the field.
func New(cfg Config) (*Driver, error) {
	if strings.TrimSpace(cfg.AppID) == "" {
		return nil, configError("Config.AppID is required")
	}
	if cfg.PrivateKey == "" {
		return nil, configError("Config.PrivateKey is required (the app's RSA private key, PEM)")
	}
	key, err := driverkit.ParseRSAPrivateKey(cfg.PrivateKey)
	if err != nil {
		return nil, configError("Config.PrivateKey: %v", err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, configError("Config.BaseURL must be an http or https URL")
	}
	d := &Driver{hc: driverkit.NoRedirect(cfg.HTTPClient), cfg: cfg, key: key, gateway: driverkit.JoinURL(base, "/gateway.do"), now: time.Now}
	certs := cfg.AppCertificate != "" || cfg.AlipayCertificate != "" || cfg.AlipayRootCertificate != ""
	switch {
	case certs && cfg.AlipayPublicKey != "":
		return nil, configError("set Config.AlipayPublicKey (public-key mode) or the three certificates (certificate mode), not both")
	case certs:
		if err := d.loadCertificates(); err != nil {
			return nil, err
		}
	case cfg.AlipayPublicKey == "":
		return nil, configError("Config.AlipayPublicKey is required (or, in certificate mode, AppCertificate, AlipayCertificate and AlipayRootCertificate)")
	default:
		if d.alipayKey, err = driverkit.ParseRSAPublicKey(cfg.AlipayPublicKey); err != nil {
			return nil, configError("Config.AlipayPublicKey: %v", err)
		}
	}
	if cfg.AESKey != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.AESKey))
		if err != nil || (len(raw) != 16 && len(raw) != 24 && len(raw) != 32) {
			return nil, configError("Config.AESKey must be the console's base64 key of 16, 24 or 32 bytes")
		}
		d.aes, _ = aes.NewCipher(raw)
	}
	return d, nil
}

func (d *Driver) loadCertificates() error {
	c := d.cfg
	for _, f := range []struct{ name, v string }{{"AppCertificate", c.AppCertificate}, {"AlipayCertificate", c.AlipayCertificate},
		{"AlipayRootCertificate", c.AlipayRootCertificate}} {
		if f.v == "" {
			return configError("certificate mode needs Config.%s too", f.name)
		}
	}
	app, err := parseCerts(c.AppCertificate)
	if err != nil || len(app) == 0 || app[0].cert == nil {
		return configError("Config.AppCertificate is not a PEM certificate")
	}
	pub, ok := app[0].cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&d.key.PublicKey) {
		return configError("Config.AppCertificate is not the certificate of Config.PrivateKey")
	}
	d.appCertSN = app[0].sn
	ali, err := parseCerts(c.AlipayCertificate)
	if err != nil || len(ali) == 0 {
		return configError("Config.AlipayCertificate is not a PEM certificate")
	}
	if ali[0].cert == nil {
		return configError("Config.AlipayCertificate's first certificate has no RSA key")
	}
	if _, ok := ali[0].cert.PublicKey.(*rsa.PublicKey); !ok {
		return configError("Config.AlipayCertificate's first certificate has no RSA key")
	}
	roots, err := parseCerts(c.AlipayRootCertificate)
	if err != nil {
		return configError("Config.AlipayRootCertificate is not a PEM certificate bundle")
	}
	var sns []string
	pool := x509.NewCertPool()
	for _, r := range roots {
		if r.rsaSigned {
			sns = append(sns, r.sn)
		}
		if r.cert != nil {
			pool.AddCert(r.cert)
		}
	}
	if len(sns) == 0 {
		return configError("Config.AlipayRootCertificate holds no RSA-signed certificate")
	}
	d.rootCertSN = strings.Join(sns, "_")
	now := d.now()
	if err := within(app[0].cert, now); err != nil {
		return configError("Config.AppCertificate %v", err)
	}
	// The Alipay certificates: each that signs answers (an RSA key, not a
	// CA) must chain to the root bundle, with the bundle's other
	// certificates as intermediates, and be valid now. The first one
	// must; any other that does not is left out.
	inter := x509.NewCertPool()
	for _, pc := range ali {
		if pc.cert != nil && pc.cert.IsCA {
			inter.AddCert(pc.cert)
		}
	}
	d.certKeys = map[string]aliCert{}
	for i, pc := range ali {
		if pc.cert == nil || (pc.cert.IsCA && i > 0) {
			continue
		}
		k, ok := pc.cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			continue
		}
		err := within(pc.cert, now)
		if err == nil {
			_, err = pc.cert.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err != nil {
				err = errors.New("does not chain to Config.AlipayRootCertificate")
			}
		}
		if err != nil {
			if i == 0 {
				return configError("Config.AlipayCertificate %v", err)
			}
			continue
		}
		d.certKeys[pc.sn] = aliCert{key: k, notBefore: pc.cert.NotBefore, notAfter: pc.cert.NotAfter}
	}
	d.aliSN = ali[0].sn
	d.alipayKey = d.certKeys[d.aliSN].key
	return nil
}

// aliCert is an Alipay certificate that verified against the root bundle:
// its key and its validity.
type aliCert struct {
	key                 *rsa.PublicKey
	notBefore, notAfter time.Time
}

// within says why c is not valid at now (expired, not yet valid), or nil.
func within(c *x509.Certificate, now time.Time) error {
	switch {
	case now.After(c.NotAfter):
		return fmt.Errorf("expired at %s", c.NotAfter.UTC().Format(time.RFC3339))
	case now.Before(c.NotBefore):
		return fmt.Errorf("is not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}

// answerKey returns the key that verifies an answer signed by the Alipay
// certificate sn ("": the default one): in public-key mode the configured
// key; in certificate mode only a certificate that passed New's checks,
// and only while it is within its validity (one that expires while the
// process runs is refused from then on).
func (d *Driver) answerKey(sn string) (*rsa.PublicKey, error) {
	if d.certKeys == nil {
		return d.alipayKey, nil
	}
	if sn == "" {
		sn = d.aliSN
	}
	c, ok := d.certKeys[sn]
	if !ok {
		return nil, driver.Errorf(driver.CodeCredentials, "alipay: the answer is signed with Alipay certificate %s, which is not configured (download the new one into Config.AlipayCertificate)", sn)
	}
	if now := d.now(); now.After(c.notAfter) || now.Before(c.notBefore) {
		return nil, driver.Errorf(driver.CodeCredentials, "alipay: the Alipay certificate %s is outside its validity (%s to %s): download the new one into Config.AlipayCertificate",
			sn, c.notBefore.UTC().Format(time.RFC3339), c.notAfter.UTC().Format(time.RFC3339))
	}
	return c.key, nil
}

// parsedCert is one certificate of a PEM bundle with its Alipay SN;
// cert is nil for one Go cannot parse (an SM2 root), which is then
// skipped unless it is RSA-signed.
type parsedCert struct {
	cert      *x509.Certificate
	sn        string
	rsaSigned bool
}

// rsaSignatures is the arc of PKCS#1 signature algorithms.
var rsaSignatures = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1}

func parseCerts(text string) ([]parsedCert, error) {
	rest := []byte(strings.TrimSpace(text))
	var out []parsedCert
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		var outer struct {
			TBS    asn1.RawValue
			SigAlg pkix.AlgorithmIdentifier
			Sig    asn1.BitString
		}
		if _, err := asn1.Unmarshal(b.Bytes, &outer); err != nil {
			return nil, errors.New("malformed certificate")
		}
		oid := outer.SigAlg.Algorithm
		rsaSigned := len(oid) > len(rsaSignatures) && oid[:len(rsaSignatures)].Equal(rsaSignatures)
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			if rsaSigned {
				return nil, errors.New("malformed certificate")
			}
			continue // a certificate of another algorithm (SM2) Go does not read
		}
		out = append(out, parsedCert{cert: cert, sn: CertSN(cert), rsaSigned: rsaSigned})
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate")
	}
	return out, nil
}

// CertSN is Alipay's serial number of a certificate: the lowercase hex MD5
// of its issuer's distinguished name (RFC 2253, as pkix.Name.String
// writes it) followed by its serial number in decimal.
func CertSN(c *x509.Certificate) string {
	sum := md5.Sum([]byte(c.Issuer.String() + c.SerialNumber.String()))
	return hex.EncodeToString(sum[:])
}

// Platform implements driver.Driver.
func (d *Driver) Platform() driver.Platform { return Platform }

// AppID implements driver.Driver.
func (d *Driver) AppID() string { return d.cfg.AppID }

// KeylessLogin implements driver.KeylessLogin: Alipay has no session key.
func (d *Driver) KeylessLogin() bool { return true }

// PhoneFromClient implements driver.PhoneFromClient: the client hands
// over the number itself (taro.PhoneOption.Response).
func (d *Driver) PhoneFromClient() bool { return true }

// Supports implements driver.CapabilityLimiter: phone numbers need
// Config.AESKey.
func (d *Driver) Supports(c driver.Capability) bool {
	return c != driver.CapPhoneNumber || d.aes != nil
}

// SignContent is the text an RSA2 signature of the gateway covers: every
// parameter but sign, empty values dropped, sorted by name, joined as
// name=value with &, values raw (not URL-encoded).
func SignContent(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if k != "sign" && len(v) > 0 && v[0] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params.Get(k))
	}
	return b.String()
}

// Grant is the answer of alipay.system.oauth.token: the user, and the
// user's tokens for Alipay's user APIs (secrets: redacted under every
// fmt verb, JSON and slog).
type Grant struct {
	// OpenID is the user's id for this app: open_id, or user_id for an
	// app that has not migrated to openids; IDField says which.
	OpenID  string
	IDField string
	// UserID is user_id when Alipay sent one (2088…).
	UserID       string
	UnionID      string
	AccessToken  driver.Secret
	RefreshToken driver.Secret
	// ExpiresIn and ReExpiresIn are the lifetimes of the two tokens.
	ExpiresIn, ReExpiresIn time.Duration
}

// Code2Session implements driver.Authenticator with
// alipay.system.oauth.token: the openid (open_id, then user_id) and the
// unionid, and no session key. The user's tokens are dropped; see
// Exchange.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	g, err := d.Exchange(ctx, req.Code)
	if err != nil {
		return driver.LoginResponse{}, err
	}
	return driver.LoginResponse{OpenID: g.OpenID, UnionID: g.UnionID}, nil
}

// Exchange redeems an auth code (my.getAuthCode's authCode) with
// alipay.system.oauth.token and returns the whole verified grant, for
// callers of Alipay's user APIs. Most backends want Code2Session (through
// taro.Client) instead, which records the login.
func (d *Driver) Exchange(ctx context.Context, code string) (Grant, error) {
	if code == "" {
		return Grant{}, driver.Errorf(driver.CodeInvalidArgument, "alipay has no anonymous login: Code is required")
	}
	params := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	var g Grant
	err := d.call(ctx, "alipay.system.oauth.token", params, func(o driverkit.Object) (err error) { g, err = readGrant(o); return err })
	return g, err
}

// call signs and posts one gateway request, verifies the answer's
// signature over the raw text of its response member, and hands read
// that member.
func (d *Driver) call(ctx context.Context, method string, params url.Values, read func(driverkit.Object) error) error {
	params.Set("app_id", d.cfg.AppID)
	params.Set("method", method)
	params.Set("format", "JSON")
	params.Set("charset", "utf-8")
	params.Set("sign_type", "RSA2")
	params.Set("timestamp", d.now().In(China).Format("2006-01-02 15:04:05"))
	params.Set("version", "1.0")
	if d.appCertSN != "" {
		params.Set("app_cert_sn", d.appCertSN)
		params.Set("alipay_root_cert_sn", d.rootCertSN)
	}
	sig, err := driverkit.SignRSA2(d.key, []byte(SignContent(params)))
	if err != nil {
		return driver.Errorf(driver.CodeInvalidArgument, "alipay: cannot sign with Config.PrivateKey")
	}
	params.Set("sign", sig)
	member := strings.ReplaceAll(method, ".", "_") + "_response"
	return driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.gateway, Body: []byte(params.Encode()),
		ContentType: "application/x-www-form-urlencoded;charset=utf-8", Secrets: []string{sig}},
		func(b []byte) error {
			o, err := d.verified(b, member)
			if err != nil {
				return err
			}
			return read(o)
		})
}

// verified returns the response member of a gateway answer b when the
// answer's signature verifies over the member's raw text; an
// error_response is classified (never a success) and anything else fails
// closed, saying why.
func (d *Driver) verified(b []byte, member string) (driverkit.Object, error) {
	o := driverkit.ParseObject(b)
	if o == nil {
		return nil, driverkit.NotUnderstood("not a JSON object")
	}
	if e := o.Get("error_response"); e != nil {
		// Alipay signs its error answers too. An error is never a
		// success whether or not it verifies, and keeps its documented
		// class (a misconfigured app still reads as Credentials); one
		// that is unsigned or does not verify says so.
		err := gatewayError(e)
		if _, serr := d.signedMember(o, "error_response"); serr != nil {
			var de *driver.Error
			if errors.As(err, &de) && de.Err == nil {
				de.Err = errors.New("alipay: the error answer was not signed by Alipay (" + reasonOf(serr) + "): its code is reported, nothing else is trusted")
			}
		}
		return nil, err
	}
	raw, err := d.signedMember(o, member)
	if err != nil {
		return nil, err
	}
	resp := driverkit.ParseObject(raw)
	if c, ok := resp.String("code"); ok && c != "10000" {
		return nil, gatewayError(resp)
	}
	return resp, nil
}

// signedMember returns the raw text of the member of the answer o when
// the answer's sign verifies over it (with the certificate its
// alipay_cert_sn names, in certificate mode), or why not.
func (d *Driver) signedMember(o driverkit.Object, member string) ([]byte, error) {
	raw, ok := o.Raw(member)
	if !ok || driverkit.ParseObject(raw) == nil {
		return nil, driverkit.NotUnderstood("no " + member)
	}
	sig, ok := o.String("sign")
	if !ok {
		return nil, driver.Errorf(driver.CodeUnavailable, "alipay: the answer is unsigned; an unsigned answer is never trusted")
	}
	var sn string
	if d.certKeys != nil {
		if sn, ok = o.String("alipay_cert_sn"); !ok {
			return nil, driver.Errorf(driver.CodeUnavailable, "alipay: the answer names no alipay_cert_sn; in certificate mode it must")
		}
	}
	key, err := d.answerKey(sn)
	if err != nil {
		return nil, err
	}
	if !driverkit.VerifyRSA2(key, raw, sig) {
		return nil, driver.Errorf(driver.CodeCredentials, "alipay: the answer's signature does not verify with the configured Alipay key; never trusted")
	}
	return raw, nil
}

// reasonOf is the text of a driver error's cause, for a note.
func reasonOf(err error) string {
	var de *driver.Error
	if errors.As(err, &de) && de.Err != nil {
		return strings.TrimPrefix(de.Err.Error(), "alipay: ")
	}
	return err.Error()
}

// gatewayError classifies an error_response (or a response member with a
// code other than 10000) by code and sub_code.
func gatewayError(e driverkit.Object) error {
	code, _ := e.String("code")
	sub, _ := e.String("sub_code")
	msg, _ := e.String("sub_msg")
	if msg == "" {
		msg, _ = e.String("msg")
	}
	pc := code
	if sub != "" {
		pc = code + "/" + sub
	}
	if code == "" && sub == "" {
		return driverkit.NotUnderstood("an error_response without a code")
	}
	return driver.PlatformError(classify(code, sub), pc, msg)
}

// classify maps Alipay's code and sub_code to a class.
func classify(code, sub string) driver.Code {
	switch sub {
	case "isv.code-invalid", "isv.refresh-token-invalid", "isv.refreshed-token-invalid", "isv.refresh-token-time-out", "isv.auth-code-invalid",
		"isv.unmatched-app-id": // a code of another app
		return driver.CodeInvalidCode
	case "isv.grant-type-invalid":
		return driver.CodeInvalidArgument
	case "isv.invalid-signature", "isv.invalid-app-id", "isv.invalid-signature-type", "isv.missing-signature-config":
		return driver.CodeCredentials
	case "isv.insufficient-isv-permissions", "isv.invalid-auth-relations":
		return driver.CodePermissionDenied
	case "isp.unknow-error", "aop.unknow-error":
		return driver.CodeUnavailable
	}
	switch code {
	case "20000":
		return driver.CodeUnavailable
	case "20001":
		return driver.CodeCredentials
	case "40001":
		return driver.CodeInvalidArgument
	case "40005":
		return driver.CodeRateLimited
	case "40006":
		return driver.CodePermissionDenied
	}
	if strings.Contains(sub, "frequency") || strings.Contains(sub, "limit") {
		return driver.CodeRateLimited
	}
	return driver.CodeUnknown
}

// readGrant reads a verified alipay_system_oauth_token_response: open_id
// first, then user_id; expires_in as a number or a string.
//
// Only the shape of that API's success is a login: an access_token, a
// positive expires_in and open_id or user_id, and no code (the signature
// covers the member's text, not which API answered it, so a signed
// member of another API, such as alipay.user.info.share's with code 10000
// and user_id, must not log anyone in). Anything else is an ambiguous
// answer: Unavailable, never a user.
func readGrant(o driverkit.Object) (Grant, error) {
	var g Grant
	if _, ok := o.Raw("code"); ok {
		return Grant{}, driverkit.NotUnderstood("a signed member with a code is not an oauth.token success")
	}
	if at, ok := o.String("access_token"); !ok || at == "" {
		return Grant{}, driverkit.NotUnderstood("a signed member without an access_token is not an oauth.token success")
	}
	if seconds(o, "expires_in") <= 0 {
		return Grant{}, driverkit.NotUnderstood("a signed member without a positive expires_in is not an oauth.token success")
	}
	openID, _ := o.String("open_id")
	userID, _ := o.String("user_id")
	switch {
	case openID != "":
		g.OpenID, g.IDField = openID, "open_id"
	case userID != "":
		g.OpenID, g.IDField = userID, "user_id"
	default:
		return Grant{}, driverkit.NotUnderstood("neither open_id nor user_id")
	}
	g.UserID = userID
	g.UnionID, _ = o.String("union_id")
	at, _ := o.String("access_token")
	rt, _ := o.String("refresh_token")
	g.AccessToken, g.RefreshToken = driver.Secret(at), driver.Secret(rt)
	g.ExpiresIn, g.ReExpiresIn = seconds(o, "expires_in"), seconds(o, "re_expires_in")
	return g, nil
}

// seconds reads a lifetime sent as a number or as a string of digits.
func seconds(o driverkit.Object, key string) time.Duration {
	if n, ok := o.Positive(key); ok {
		return time.Duration(n) * time.Second
	}
	if s, ok := o.String(key); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 0
}

// DetailNoPhoneBound is the error of a verified phone answer whose mobile
// is empty: Alipay says no phone number is bound to the user's account.
const DetailNoPhoneBound = "alipay: no phone number is bound to the user's Alipay account (the answer's mobile is empty)"

// DetailBadPhoneResponse is the one answer to a phone envelope that does
// not verify or does not open: the same for every such failure, so that
// the API is no oracle.
const DetailBadPhoneResponse = "alipay: Response is not a phone-number answer signed by Alipay for this app"

// GetPhoneNumber implements driver.PhoneNumberGetter for my.getPhoneNumber:
// req.Response is the string the client was handed. It verifies the
// envelope's sign over the quoted ciphertext with Alipay's key, opens the
// ciphertext with Config.AESKey and reads mobile, or the error's code and
// subCode. It does no I/O. An unsigned envelope is refused.
func (d *Driver) GetPhoneNumber(_ context.Context, req driver.PhoneRequest) (driver.PhoneNumber, error) {
	if req.Response == "" {
		return driver.PhoneNumber{}, driver.Errorf(driver.CodeInvalidArgument, "alipay: Response is required (the string my.getPhoneNumber handed the mini program); Alipay has no phone-number codes")
	}
	if d.aes == nil {
		return driver.PhoneNumber{}, driver.Errorf(driver.CodeNotSupported, "alipay: Config.AESKey is not set")
	}
	plain, err := d.OpenPhoneResponse(req.Response)
	if err != nil {
		return driver.PhoneNumber{}, err
	}
	o := driverkit.ParseObject(plain)
	if c, _ := o.String("code"); c != "10000" {
		sub, ok := o.String("subCode")
		if !ok {
			sub, _ = o.String("sub_code")
		}
		msg, ok := o.String("subMsg")
		if !ok {
			msg, _ = o.String("msg")
		}
		if c == "" {
			return driver.PhoneNumber{}, driver.Errorf(driver.CodeInvalidArgument, DetailBadPhoneResponse)
		}
		return driver.PhoneNumber{}, driver.PlatformError(classify(c, sub), c+"/"+sub, msg)
	}
	mobile, _ := o.String("mobile")
	if mobile == "" {
		// A definite answer: retrying cannot help.
		return driver.PhoneNumber{}, driver.Errorf(driver.CodeInvalidArgument, DetailNoPhoneBound)
	}
	return driver.PhoneNumber{PhoneNumber: mobile, PurePhoneNumber: mobile}, nil
}

// maxPhoneResponse bounds the envelope (its answer is well under 1 KiB).
const maxPhoneResponse = 16 << 10

// OpenPhoneResponse verifies and decrypts a my.getPhoneNumber envelope and
// returns the plaintext JSON. Every failure after the envelope's shape is
// the one error DetailBadPhoneResponse (InvalidArgument), with the same
// work: the signature is checked before any decryption, so the cipher is
// never an oracle.
func (d *Driver) OpenPhoneResponse(envelope string) ([]byte, error) {
	bad := driver.Errorf(driver.CodeInvalidArgument, DetailBadPhoneResponse)
	if len(envelope) > maxPhoneResponse {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "alipay: Response is longer than %d bytes", maxPhoneResponse)
	}
	o := driverkit.ParseObject([]byte(envelope))
	cipherText, ok := o.String("response")
	if !ok {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "alipay: Response is not my.getPhoneNumber's JSON envelope with a response member")
	}
	sig, ok := o.String("sign")
	if !ok {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "alipay: Response is unsigned: configure the app's signing so that Alipay signs it; an unsigned response is never trusted")
	}
	if strings.HasPrefix(cipherText, "{") {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "alipay: Response is not encrypted: configure the app's AES key")
	}
	key, err := d.answerKey("")
	if err != nil {
		return nil, err
	}
	if !driverkit.VerifyRSA2(key, []byte(`"`+cipherText+`"`), sig) {
		return nil, bad
	}
	plain, ok := OpenAES(d.aes, cipherText)
	if !ok || driverkit.ParseObject(plain) == nil {
		return nil, bad
	}
	return plain, nil
}

// OpenAES decrypts Alipay's content encryption: base64 of AES-CBC with a
// zero IV and PKCS#5 padding, the padding checked in constant time.
func OpenAES(block cipher.Block, b64 string) ([]byte, bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, false
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, make([]byte, aes.BlockSize)).CryptBlocks(plain, raw)
	n := int(plain[len(plain)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		match := subtle.ConstantTimeByteEq(plain[len(plain)-i], byte(n))
		good &= subtle.ConstantTimeSelect(inPad, match, 1)
	}
	if good != 1 {
		return nil, false
	}
	return bytes.Clone(plain[:len(plain)-n]), true
}

// String describes the driver without its keys.
func (d *Driver) String() string { return "alipay.Driver{" + d.cfg.String() + "}" }

// GoString is String, for %#v.
func (d *Driver) GoString() string { return d.String() }

// LogValue implements slog.LogValuer without the keys.
func (d *Driver) LogValue() slog.Value { return d.cfg.LogValue() }

// Format implements fmt.Formatter: every verb prints String.
func (d *Driver) Format(f fmt.State, verb rune) { driverkit.FormatRedacted(f, verb, d.String()) }
