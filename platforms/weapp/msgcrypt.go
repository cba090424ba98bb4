package weapp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// msgCrypt is WeChat's message encryption of the open platform (the
// WXBizMsgCrypt scheme), as far as a receiver needs it:
//   - msg_signature = hex(sha1(the sorted concatenation of the Token,
//     timestamp, nonce and Encrypt)), compared in constant time before
//     anything is decrypted;
//   - AESKey = base64(EncodingAESKey + "="), 32 bytes: AES-256-CBC with
//     the key's first 16 bytes as the IV, PKCS#7 padded to 32 bytes;
//   - plaintext = 16 random bytes, a big-endian uint32 length N, N bytes
//     of XML, then the component's AppId, which must be ours.
type msgCrypt struct {
	token string
	block cipher.Block
	iv    []byte
	appID string
}

// errRefused is every failure of open: one answer whatever failed.
var errRefused = errors.New("weapp: the message is not a valid push for this component")

func newMsgCrypt(token, encodingAESKey, appID string) (*msgCrypt, error) {
	if len(encodingAESKey) != 43 {
		return nil, errors.New("EncodingAESKey must be 43 characters")
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("EncodingAESKey is not 43 characters of base64")
	}
	block, _ := aes.NewCipher(key) // 32 bytes: never an error
	return &msgCrypt{token: token, block: block, iv: key[:16], appID: appID}, nil
}

// signature is the msg_signature of a push.
func (m *msgCrypt) signature(timestamp, nonce, encrypt string) string {
	parts := []string{m.token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// open checks msgSignature and returns the XML message the push carries.
func (m *msgCrypt) open(msgSignature, timestamp, nonce, encrypt string) ([]byte, error) {
	if subtle.ConstantTimeCompare([]byte(m.signature(timestamp, nonce, encrypt)), []byte(msgSignature)) != 1 {
		return nil, errRefused
	}
	ct, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, errRefused
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(m.block, m.iv).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, errRefused
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errRefused
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, errRefused
	}
	msg, from := plain[20:20+n], plain[20+n:]
	if subtle.ConstantTimeCompare(from, []byte(m.appID)) != 1 {
		return nil, errRefused
	}
	return msg, nil
}
