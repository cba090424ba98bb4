// WeChat's third-party platforms ("components") in the sandbox: the
// components, their tickets, tokens and authorized apps, and the message
// encryption WeChat pushes with, written here and not taken from the
// driver.

package fake

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
)

// Component is a WeChat third-party platform's credentials: its
// component_appid and component_appsecret, and the Token and
// EncodingAESKey of its authorization-event URL.
type Component struct {
	AppID          string `json:"appid"`
	Secret         string `json:"secret"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encodingAesKey"`
}

// ComponentState is a component in the sandbox: the tickets pushed to it,
// its component tokens and the apps that authorized it.
type ComponentState struct {
	Component
	// tickets are the tickets pushed, newest last, with when.
	tickets []pushed
	pushes  int
	tokens  map[string]time.Time // component_access_token -> expiry
	// Authorized maps an authorizer app id to its refresh token.
	Authorized map[string]string
}

type pushed struct {
	ticket string
	at     time.Time
}

// Components are a sandbox's components, by app id; the sandbox's lock
// guards them.
type Components map[string]*ComponentState

// TicketLife is how long a pushed ticket is accepted.
const TicketLife = 12 * time.Hour

// PushTicket records a new ticket for c at now and returns it.
func (c *ComponentState) PushTicket(now time.Time) string {
	t := "ticket@@@" + RandomHex(24)
	c.pushes++
	c.tickets = append(c.tickets, pushed{t, now})
	if len(c.tickets) > 100 {
		c.tickets = slices.Delete(c.tickets, 0, len(c.tickets)-100)
	}
	return t
}

// Pushed counts the tickets pushed to c.
func (c *ComponentState) Pushed() int { return c.pushes }

// TicketState reports whether t is a ticket pushed to c (known) and
// whether it is still within its life at now (fresh).
func (c *ComponentState) TicketState(t string, now time.Time) (known, fresh bool) {
	for _, p := range c.tickets {
		if p.ticket == t {
			return true, now.Sub(p.at) < TicketLife
		}
	}
	return false, false
}

// MintToken mints a component_access_token valid for ttl.
func (c *ComponentState) MintToken(now time.Time, ttl time.Duration) string {
	if c.tokens == nil {
		c.tokens = map[string]time.Time{}
	}
	for t, exp := range c.tokens {
		if !now.Before(exp) {
			delete(c.tokens, t)
		}
	}
	t := "component-" + RandomHex(16)
	c.tokens[t] = now.Add(ttl)
	return t
}

// TokenState reports whether tok is c's component token, and whether it
// has expired.
func (c *ComponentState) TokenState(tok string, now time.Time) (valid, expired bool) {
	exp, ok := c.tokens[tok]
	if !ok {
		return false, false
	}
	return now.Before(exp), !now.Before(exp)
}

// ExpireTokens ends every component token of c.
func (c *ComponentState) ExpireTokens() { clear(c.tokens) }

// SealPush encrypts msg as WeChat pushes to a component (the WXBizMsgCrypt
// scheme): AES-256-CBC with key = base64(EncodingAESKey + "=") and its
// first 16 bytes as IV, over random(16) ‖ big-endian len(msg) ‖ msg ‖
// appID, PKCS#7-padded to 32 bytes. random is read for the 16 bytes (nil:
// crypto/rand). It returns Encrypt, the base64 ciphertext.
func SealPush(encodingAESKey, appID string, msg []byte, random io.Reader) (string, error) {
	key, err := PushKey(encodingAESKey)
	if err != nil {
		return "", err
	}
	if random == nil {
		random = rand.Reader
	}
	var buf bytes.Buffer
	prefix := make([]byte, 16)
	if _, err := io.ReadFull(random, prefix); err != nil {
		return "", err
	}
	buf.Write(prefix)
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(appID)
	n := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(n)}, n))
	block, _ := aes.NewCipher(key)
	out := make([]byte, buf.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, buf.Bytes())
	return base64.StdEncoding.EncodeToString(out), nil
}

// PushKey is the AES key of an EncodingAESKey: base64(key + "="), which
// must be 43 characters and decode to 32 bytes.
func PushKey(encodingAESKey string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if len(encodingAESKey) != 43 || err != nil || len(key) != 32 {
		return nil, errors.New("fake: EncodingAESKey must be 43 characters of base64")
	}
	return key, nil
}

// PushSignature is a push's msg_signature: hex(sha1) of the Token,
// timestamp, nonce and Encrypt, sorted and joined.
func PushSignature(token, timestamp, nonce, encrypt string) string {
	parts := []string{token, timestamp, nonce, encrypt}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}
