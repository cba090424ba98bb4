package login

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/tarogo/adapter/taro"
)

// keyset is what one Config key derives.
type keyset struct {
	ticket, seal cipher.AEAD
}

func derive(key []byte) (keyset, error) {
	if len(key) != 32 {
		return keyset{}, fmt.Errorf("a key must be 32 bytes, got %d", len(key))
	}
	mk := func(label string) cipher.AEAD {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(label))
		b, _ := aes.NewCipher(m.Sum(nil))
		g, _ := cipher.NewGCM(b)
		return g
	}
	return keyset{ticket: mk("taro login ticket v1"), seal: mk("taro login session key v1")}, nil
}

// TicketID is SHA-256 of a ticket: what stores keep instead of the ticket.
type TicketID [sha256.Size]byte

// ticketPrefix starts every ticket of this format.
const ticketPrefix = "v1."

// maxTicketLen bounds what is parsed as a ticket.
const maxTicketLen = 2048

// userID is the plaintext identity inside a ticket: platform, app and
// openid, and the tenant after a fourth NUL when there is one.
func userID(u taro.SessionKeyID) []byte {
	if u.TenantID != "" {
		return []byte(string(u.Platform) + "\x00" + u.AppID + "\x00" + u.OpenID + "\x00" + u.TenantID)
	}
	return []byte(string(u.Platform) + "\x00" + u.AppID + "\x00" + u.OpenID)
}

// issue makes a new ticket for u.
func (m *Manager) issue(u taro.SessionKeyID) (string, TicketID) {
	g := m.keys[0].ticket
	plain := make([]byte, 16, 16+len(userID(u)))
	_, _ = rand.Read(plain)
	plain = append(plain, userID(u)...)
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plain)+g.Overhead())
	_, _ = rand.Read(nonce)
	box := g.Seal(nonce, nonce, plain, []byte(ticketPrefix))
	t := ticketPrefix + base64.RawURLEncoding.EncodeToString(box)
	return t, sha256.Sum256([]byte(t))
}

// errBadTicket is the cause of every unreadable ticket.
var errBadTicket = ErrTicketForged

// parse opens a ticket without any I/O.
func (m *Manager) parse(ticket string) (TicketID, taro.SessionKeyID, error) {
	var u taro.SessionKeyID
	if len(ticket) > maxTicketLen || !strings.HasPrefix(ticket, ticketPrefix) {
		return TicketID{}, u, errBadTicket
	}
	box, err := base64.RawURLEncoding.DecodeString(ticket[len(ticketPrefix):])
	if err != nil {
		return TicketID{}, u, errBadTicket
	}
	for _, ks := range m.keys {
		g := ks.ticket
		if len(box) < g.NonceSize()+g.Overhead()+16 {
			return TicketID{}, u, errBadTicket
		}
		plain, err := g.Open(nil, box[:g.NonceSize()], box[g.NonceSize():], []byte(ticketPrefix))
		if err != nil {
			continue
		}
		parts := strings.Split(string(plain[16:]), "\x00")
		if len(parts) < 3 || len(parts) > 4 || parts[0] == "" || parts[2] == "" || (len(parts) == 4 && parts[3] == "") {
			return TicketID{}, u, errBadTicket
		}
		u = taro.SessionKeyID{Platform: taro.Platform(parts[0]), AppID: parts[1], OpenID: parts[2]}
		if len(parts) == 4 {
			u.TenantID = parts[3]
		}
		return sha256.Sum256([]byte(ticket)), u, nil
	}
	return TicketID{}, u, errBadTicket
}

// sealAD is the associated data of a sealed session key.
func sealAD(id TicketID, u taro.SessionKeyID) []byte {
	ad := make([]byte, 0, len(id)+len(u.Platform)+len(u.AppID)+len(u.OpenID)+2)
	ad = append(ad, id[:]...)
	ad = append(ad, u.Platform...)
	ad = append(ad, 0)
	ad = append(ad, u.AppID...)
	ad = append(ad, 0)
	ad = append(ad, u.OpenID...)
	if u.TenantID != "" {
		ad = append(ad, 0)
		ad = append(ad, u.TenantID...)
	}
	return ad
}

func (m *Manager) seal(id TicketID, u taro.SessionKeyID, sessionKey string) []byte {
	g := m.keys[0].seal
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(sessionKey)+g.Overhead())
	_, _ = rand.Read(nonce)
	return g.Seal(nonce, nonce, []byte(sessionKey), sealAD(id, u))
}

func (m *Manager) unseal(id TicketID, u taro.SessionKeyID, sealed []byte) (string, bool) {
	for _, ks := range m.keys {
		g := ks.seal
		if len(sealed) < g.NonceSize()+g.Overhead() {
			return "", false
		}
		if plain, err := g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], sealAD(id, u)); err == nil {
			return string(plain), true
		}
	}
	return "", false
}
