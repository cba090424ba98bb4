package alipay

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tarogo/adapter/taro/driver"
)

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
