// Session cryptography: this file is the cryptography the platforms use on a user's
// session key: opening encryptedData (WeChat's scheme, shared by QQ, Douyin
// and Kuaishou, and Baidu's) and verifying rawData signatures. It also
// seals data the same ways, for fakes of the platforms.
//
// Every failure is a *driver.Error: malformed input (base64, key or iv
// length, a ciphertext that is not whole blocks) and data meant for another
// app are CodeInvalidArgument; a key that cannot open the data (bad padding,
// not JSON) is CodeSessionInvalid, the stale-key case. No error holds the
// key, the data or the plaintext.

package driverkit

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/tarogo/adapter/taro/driver"
)

// NotThisKey is the detail of the stale-key failure.
const NotThisKey = "data was not encrypted with this session key"

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
	n := int(plain[len(plain)-1])
	if n < 1 || n > padBlock || n > len(plain) {
		return nil, notThisKey()
	}
	// Check every pad byte, in constant time.
	var bad byte
	for _, c := range plain[len(plain)-n:] {
		bad |= c ^ byte(n)
	}
	if bad != 0 {
		return nil, notThisKey()
	}
	return plain[:len(plain)-n], nil
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

// OpenWeChat opens encryptedData in WeChat's scheme: AES-128-CBC, PKCS#7,
// key = base64(session_key) (16 bytes), iv = base64(iv) (16 bytes), the
// plaintext a JSON object whose watermark.appid must be appID.
func OpenWeChat(sessionKey, iv, data, appID string, wm Watermark) (json.RawMessage, error) {
	plain, err := openCBC(sessionKey, iv, data, 16, aes.BlockSize)
	if err != nil {
		return nil, err
	}
	var obj struct {
		Watermark *struct {
			AppID *string `json:"appid"`
		} `json:"watermark"`
	}
	if !json.Valid(plain) || json.Unmarshal(plain, &obj) != nil {
		return nil, notThisKey()
	}
	switch {
	case obj.Watermark == nil || obj.Watermark.AppID == nil:
		if wm == WatermarkRequired {
			return nil, invalid("the decrypted data carries no watermark.appid: it is not this platform's data")
		}
	case subtle.ConstantTimeCompare([]byte(*obj.Watermark.AppID), []byte(appID)) != 1:
		return nil, invalid("the data is for another app: its watermark names a different appid")
	}
	return json.RawMessage(plain), nil
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
	if len(plain) < 20 {
		return nil, notThisKey()
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, notThisKey()
	}
	content, suffix := plain[20:20+n], plain[20+n:]
	if !json.Valid(content) {
		return nil, notThisKey()
	}
	if subtle.ConstantTimeCompare(suffix, []byte(appKey)) != 1 {
		return nil, invalid("the data is for another app: its app key suffix is not this app's")
	}
	return json.RawMessage(content), nil
}

// sealCBC encrypts plain with AES-CBC and PKCS#7 padding to padBlock.
func sealCBC(key []byte, plain []byte, padBlock int) (ivB64, dataB64 string, err error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", "", err
	}
	n := padBlock - len(plain)%padBlock
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(n)}, n)...)
	iv := make([]byte, aes.BlockSize)
	_, _ = rand.Read(iv)
	ct := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
	return base64.StdEncoding.EncodeToString(iv), base64.StdEncoding.EncodeToString(ct), nil
}

// SealWeChat encrypts the JSON object payload as WeChat does, adding
// watermark{appid, timestamp}. It returns encryptedData and iv.
func SealWeChat(sessionKey, appID string, payload []byte, now time.Time) (data, iv string, err error) {
	k, err := decode64("the session key", sessionKey)
	if err != nil {
		return "", "", err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return "", "", invalid("the payload is not a JSON object")
	}
	wm, _ := json.Marshal(map[string]any{"appid": appID, "timestamp": now.Unix()})
	obj["watermark"] = wm
	plain, _ := json.Marshal(obj)
	iv, data, err = sealCBC(k, plain, aes.BlockSize)
	return data, iv, err
}

// SealBaidu encrypts the JSON payload as Baidu does: 16 random bytes, the
// length, the JSON and the app key, padded to 32 bytes.
func SealBaidu(sessionKey, appKey string, payload []byte) (data, iv string, err error) {
	k, err := decode64("the session key", sessionKey)
	if err != nil {
		return "", "", err
	}
	if !json.Valid(payload) {
		return "", "", invalid("the payload is not JSON")
	}
	plain := make([]byte, 20, 20+len(payload)+len(appKey))
	_, _ = rand.Read(plain[:16])
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(payload)))
	plain = append(append(plain, payload...), appKey...)
	iv, data, err = sealCBC(k, plain, 32)
	return data, iv, err
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
