package login

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tarogo/adapter/taro"
)

// User is the logged-in user a request carries.
type User struct {
	Platform taro.Platform
	AppID    string
	OpenID   string
	// TenantID is the user's organisation on a work platform (WeCom's
	// corpid, Feishu's tenant_key): the user is (platform, app, tenant,
	// OpenID), and a ticket is bound to its tenant as to its app. Empty
	// on consumer platforms.
	TenantID string
	UnionID  string
	// ExpiresAt is when the ticket expires.
	ExpiresAt time.Time
	session   taro.Session
	ticket    TicketID
}

// Session returns the user's session (openid and session key), for Decrypt
// and the other calls that use it: under PerDevice, the user's newest key.
// Never send it to a client.
func (u User) Session() taro.Session { return u.session }

func (u User) id() taro.SessionKeyID {
	return taro.SessionKeyID{Platform: u.Platform, AppID: u.AppID, OpenID: u.OpenID, TenantID: u.TenantID}
}

// String describes the user without the session key.
func (u User) String() string {
	if u.TenantID != "" {
		return fmt.Sprintf("{Platform:%s AppID:%s OpenID:%s TenantID:%s UnionID:%s ExpiresAt:%s}", u.Platform, u.AppID, u.OpenID, u.TenantID, u.UnionID, u.ExpiresAt.Format(time.RFC3339))
	}
	return fmt.Sprintf("{Platform:%s AppID:%s OpenID:%s UnionID:%s ExpiresAt:%s}", u.Platform, u.AppID, u.OpenID, u.UnionID, u.ExpiresAt.Format(time.RFC3339))
}

// Format implements fmt.Formatter: every verb prints String.
func (u User) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte("login.User" + u.String()))
		return
	}
	_, _ = f.Write([]byte(u.String()))
}

// MarshalJSON writes the user without the session key.
func (u User) MarshalJSON() ([]byte, error) {
	m := map[string]any{"platform": u.Platform, "appid": u.AppID, "openid": u.OpenID, "unionid": u.UnionID, "expiresAt": u.ExpiresAt}
	if u.TenantID != "" {
		m["tenantId"] = u.TenantID
	}
	return json.Marshal(m)
}

// Result is a successful login: the ticket to hand the client, and who.
type Result struct {
	Ticket    string
	User      User
	ExpiresIn time.Duration
}

// String describes the result with the ticket redacted (it is a bearer
// credential: hand it to the client, never to a log).
func (r Result) describe() string {
	return fmt.Sprintf("{Ticket:[redacted] User:%s ExpiresIn:%s}", r.User.String(), r.ExpiresIn)
}

// Format implements fmt.Formatter: every verb prints String.
func (r Result) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(r.describe())) }

// MarshalJSON writes the result with the ticket redacted; the login
// handler's LoginResponse is what hands the client its ticket.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"ticket": "[redacted]", "user": r.User, "expiresIn": r.ExpiresIn.Seconds()})
}
