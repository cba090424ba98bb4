package alipay

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

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
