package driverkit

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"time"
)

// The tests' own sealing (the fakes' is in package sandbox/fake, which
// this package's tests cannot import).

func sealCBC(key, plain []byte, padBlock int) (ivB64, dataB64 string, err error) {
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

func sealWeChat(sessionKey, appID string, payload []byte, now time.Time) (data, iv string, err error) {
	k, _ := base64.StdEncoding.DecodeString(sessionKey)
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(payload, &obj)
	obj["watermark"], _ = json.Marshal(map[string]any{"appid": appID, "timestamp": now.Unix()})
	plain, _ := json.Marshal(obj)
	iv, data, err = sealCBC(k, plain, aes.BlockSize)
	return data, iv, err
}

func sealBaidu(sessionKey, appKey string, payload []byte) (data, iv string, err error) {
	k, _ := base64.StdEncoding.DecodeString(sessionKey)
	plain := make([]byte, 20, 20+len(payload)+len(appKey))
	_, _ = rand.Read(plain[:16])
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(payload)))
	plain = append(append(plain, payload...), appKey...)
	iv, data, err = sealCBC(k, plain, 32)
	return data, iv, err
}
