package driverkit

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
)

// ParseRSAPrivateKey reads an RSA private key in PEM, PKCS#8 or PKCS#1
// (the two forms the platforms' key tools write). Its errors never hold
// the key.
func ParseRSAPrivateKey(text string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if b == nil {
		return nil, errors.New("not PEM")
	}
	if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an RSA key")
		}
		return rk, nil
	}
	k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	if err != nil {
		return nil, errors.New("neither a PKCS#8 nor a PKCS#1 RSA private key")
	}
	return k, nil
}

// ParseRSAPublicKey reads an RSA public key: PEM (PKIX "PUBLIC KEY" or
// PKCS#1 "RSA PUBLIC KEY"), or the bare base64 of the PKIX DER that
// platform consoles show.
func ParseRSAPublicKey(text string) (*rsa.PublicKey, error) {
	text = strings.TrimSpace(text)
	var der []byte
	if b, _ := pem.Decode([]byte(text)); b != nil {
		der = b.Bytes
		if b.Type == "RSA PUBLIC KEY" {
			return x509.ParsePKCS1PublicKey(der)
		}
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), "")); err != nil {
			return nil, errors.New("neither PEM nor base64")
		}
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("not a PKIX public key")
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

// SignRSA2 is SHA256withRSA (PKCS#1 v1.5) of content with key, in
// standard base64: the "RSA2" signature of Alipay's gateway.
func SignRSA2(key *rsa.PrivateKey, content []byte) (string, error) {
	h := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifyRSA2 reports whether sig (standard base64) is the RSA2 signature
// of content under key.
func VerifyRSA2(key *rsa.PublicKey, content []byte, sig string) bool {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || key == nil {
		return false
	}
	h := sha256.Sum256(content)
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, h[:], raw) == nil
}
