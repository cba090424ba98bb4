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
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

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

// describe is the config with its keys redacted.
func (c Config) describe() string {
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

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (c Config) Format(f fmt.State, verb rune) { driverkit.FormatRedacted(f, verb, c.describe()) }

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

// Format implements fmt.Formatter: every verb prints the redacted form
// (slog's text handler and %v alike).
func (d *Driver) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "alipay.Driver{"+d.cfg.describe()+"}")
}
