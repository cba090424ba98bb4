package fake

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// The client-side crypto of the platforms, which only fakes need: drivers
// open data (driverkit.OpenWeChat, driverkit.OpenBaidu) and never seal it.

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
	k, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil {
		return "", "", fmt.Errorf("fake: the session key is not base64")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return "", "", fmt.Errorf("fake: the payload is not a JSON object")
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
	k, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil {
		return "", "", fmt.Errorf("fake: the session key is not base64")
	}
	if !json.Valid(payload) {
		return "", "", fmt.Errorf("fake: the payload is not JSON")
	}
	plain := make([]byte, 20, 20+len(payload)+len(appKey))
	_, _ = rand.Read(plain[:16])
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(payload)))
	plain = append(append(plain, payload...), appKey...)
	iv, data, err = sealCBC(k, plain, 32)
	return data, iv, err
}
