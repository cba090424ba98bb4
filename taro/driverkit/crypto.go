// Session cryptography: this file is the cryptography the platforms use on a user's
// session key: opening encryptedData (WeChat's scheme, shared by QQ, Douyin
// and Kuaishou, and Baidu's) and verifying rawData signatures. It also
// seals data the same ways, for fakes of the platforms.
//
// Every failure is a *driver.Error. Malformed input found before
// decrypting (base64, key or iv length, a ciphertext that is not whole
// blocks) is CodeInvalidArgument. Every way a well-formed ciphertext can
// fail to open (bad padding, a plaintext that is not a JSON object, a
// missing watermark where one is required, a watermark or app key of
// another app) is one and the same failure: CodeSessionInvalid with the
// detail NotThisKey. encryptedData carries no MAC, so an answer that told
// these apart would be a padding oracle that lets a client forge data; the
// opening also does the same steps whatever fails (the padding is checked
// in constant time and the JSON parsed either way). No error holds the
// key, the data or the plaintext.

package driverkit

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"

	"github.com/tarogo/adapter/taro/driver"
)

// NotThisKey is the detail of every failure to open well-formed data.
const NotThisKey = "data does not open with this session key"

// MaxData caps the base64 encryptedData accepted.
const MaxData = 256 << 10

func invalid(format string, args ...any) error {
	return driver.Errorf(driver.CodeInvalidArgument, format, args...)
}

func notThisKey() error { return driver.Errorf(driver.CodeSessionInvalid, NotThisKey) }

// decode64 decodes standard base64 (padding optional), naming what it was.
func decode64(what, s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, invalid("%s is not valid base64", what)
	}
	return b, nil
}

// openCBC decrypts data with AES-CBC (the key's length picks AES-128 or
// AES-192) and removes PKCS#7 padding of at most padBlock bytes.
func openCBC(sessionKey, iv, data string, keyLen, padBlock int) ([]byte, error) {
	if len(data) > MaxData {
		return nil, invalid("EncryptedData is over %d bytes", MaxData)
	}
	k, err := decode64("the session key", sessionKey)
	if err != nil {
		return nil, err
	}
	if len(k) != keyLen {
		return nil, invalid("the session key decodes to %d bytes, want %d", len(k), keyLen)
	}
	v, err := decode64("IV", iv)
	if err != nil {
		return nil, err
	}
	if len(v) != aes.BlockSize {
		return nil, invalid("IV decodes to %d bytes, want %d", len(v), aes.BlockSize)
	}
	ct, err := decode64("EncryptedData", data)
	if err != nil {
		return nil, err
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, invalid("EncryptedData is %d bytes, not a whole number of %d-byte blocks", len(ct), aes.BlockSize)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, invalid("the session key is not an AES key")
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, v).CryptBlocks(plain, ct)
	return plain, nil
}

// unpad checks PKCS#7 padding of at most padBlock bytes in constant time
// (the same work whatever the padding holds) and returns the plaintext
// without it and 1, or the whole plaintext and 0 when the padding is bad.
func unpad(plain []byte, padBlock int) ([]byte, int) {
	n := int(plain[len(plain)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, padBlock) & subtle.ConstantTimeLessOrEq(n, len(plain))
	for i := 1; i <= padBlock; i++ {
		idx := len(plain) - i
		// Before the start of plain, compare a byte that is sure to match
		// so that the loop always runs padBlock times.
		in := subtle.ConstantTimeLessOrEq(0, idx)
		b := byte(subtle.ConstantTimeSelect(in, int(plain[max(idx, 0)]), n))
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		mismatch := subtle.ConstantTimeByteEq(b, byte(n)) ^ 1
		good &= (inPad & mismatch) ^ 1
	}
	strip := subtle.ConstantTimeSelect(good, n, 0)
	return plain[:len(plain)-strip], good
}

// Watermark is what WeChat-scheme plaintexts carry to name their app.
type Watermark int

// Watermark policies.
const (
	// WatermarkRequired: the plaintext must carry watermark.appid, equal to
	// the app's id (WeChat and QQ always send one).
	WatermarkRequired Watermark = iota
	// WatermarkIfPresent: a watermark, when present, must name the app
	// (Douyin).
	WatermarkIfPresent
)

// dummyObject is decoded in place of a plaintext that is not JSON, so that
// a failure does the steps a success does.
var dummyObject = []byte(`{"watermark":{"appid":""}}`)

// OpenWeChat opens encryptedData in WeChat's scheme: AES-128-CBC, PKCS#7,
// key = base64(session_key) (16 bytes), iv = base64(iv) (16 bytes), the
// plaintext a JSON object whose watermark.appid must be appID.
func OpenWeChat(sessionKey, iv, data, appID string, wm Watermark) (json.RawMessage, error) {
	plain, err := openCBC(sessionKey, iv, data, 16, aes.BlockSize)
	if err != nil {
		return nil, err
	}
	content, good := unpad(plain, aes.BlockSize)
	// The same steps whether the padding was good or not: parse, then
	// judge the watermark, then decide.
	var obj struct {
		Watermark *struct {
			AppID *string `json:"appid"`
		} `json:"watermark"`
	}
	jsonOK, target := 0, dummyObject
	if json.Valid(content) && content[0] == '{' {
		jsonOK, target = 1, content
	}
	// Either way one object of the same shape is decoded.
	_ = json.Unmarshal(target, &obj)
	if jsonOK == 0 {
		obj.Watermark = nil
	}
	have := ""
	hasMark := 0
	if obj.Watermark != nil && obj.Watermark.AppID != nil {
		have, hasMark = *obj.Watermark.AppID, 1
	}
	same := subtle.ConstantTimeCompare([]byte(have), []byte(appID))
	markOK := same
	if wm == WatermarkIfPresent {
		markOK = same | (hasMark ^ 1)
	}
	if good&jsonOK&markOK != 1 {
		return nil, notThisKey()
	}
	return json.RawMessage(content), nil
}

// OpenBaidu opens encryptedData in Baidu's scheme: AES-192-CBC, key =
// base64(session_key) (24 bytes), PKCS#7 padding on a 32-byte block, and a
// plaintext of 16 random bytes ‖ uint32 big-endian length N ‖ N bytes of
// JSON ‖ the app key, which must be appKey. It returns the JSON alone.
func OpenBaidu(sessionKey, iv, data, appKey string) (json.RawMessage, error) {
	plain, err := openCBC(sessionKey, iv, data, 24, 32)
	if err != nil {
		return nil, err
	}
	body, good := unpad(plain, 32)
	// The same steps whatever fails: the frame is read from what is
	// there (an empty content when it is too short), the JSON checked
	// and the suffix compared, then everything is decided at once.
	frameOK := 0
	content, suffix := body[:0], body
	if len(body) >= 20 {
		n := binary.BigEndian.Uint32(body[16:20])
		if uint64(n) <= uint64(len(body)-20) {
			frameOK = 1
			content, suffix = body[20:20+n], body[20+n:]
		}
	}
	jsonOK := 0
	if json.Valid(content) {
		jsonOK = 1
	}
	same := subtle.ConstantTimeCompare(suffix, []byte(appKey))
	if good&frameOK&jsonOK&same != 1 {
		return nil, notThisKey()
	}
	return json.RawMessage(content), nil
}

// RawDataSignature is hex(sha1(rawData + sessionKey)), the signature
// WeChat, QQ, Douyin and Kuaishou hand the client with rawData.
func RawDataSignature(rawData, sessionKey string) string {
	h := sha1.New()
	h.Write([]byte(rawData))
	h.Write([]byte(sessionKey))
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyRawData checks signature against rawData and sessionKey in
// constant time: nil when it matches, CodeSessionInvalid when it does not,
// CodeInvalidArgument when signature is not 40 hexadecimal digits.
func VerifyRawData(rawData, sessionKey, signature string) error {
	if len(signature) != 2*sha1.Size {
		return invalid("signature must be %d hexadecimal digits, got %d characters", 2*sha1.Size, len(signature))
	}
	if _, err := hex.DecodeString(signature); err != nil {
		return invalid("signature is not hexadecimal")
	}
	want := RawDataSignature(rawData, sessionKey)
	if subtle.ConstantTimeCompare([]byte(want), bytes.ToLower([]byte(signature))) != 1 {
		return driver.Errorf(driver.CodeSessionInvalid, "rawData signature does not match this session key")
	}
	return nil
}
