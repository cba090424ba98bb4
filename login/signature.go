package login

import (
	"context"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// APISessionSignature names SessionSignature in errMsg.
const APISessionSignature = "sessionSignature"

// SessionSignature returns the user-state signature of data for the user
// Require (or WithUser, with a User from Resolve) put in ctx:
// hex(HMAC-SHA256(session key, data)), WeChat's "signature" of the
// virtual-payment APIs (wx.requestVirtualPayment and the xpay server
// APIs; weapp.PaySig is their pay_sig). Under PerDevice the key is the
// user's newest. The session key is opened from its sealed record for the
// request and never leaves this process: only the signature does. A
// request without a user is ErrSessionInvalid, and a platform without
// session keys (Alipay) ErrNotSupported, both before any work.
func (m *Manager) SessionSignature(ctx context.Context, data []byte) (string, error) {
	u, ok := UserFrom(ctx)
	if !ok {
		return "", &taro.Error{API: APISessionSignature, Code: taro.CodeSessionInvalid, Detail: "no user in the request's context: wrap the handler with Require"}
	}
	key := u.session.SessionKey
	if pl, ok := driver.LookupPlugin(u.Platform); ok && pl.Keyless {
		return "", &taro.Error{Platform: u.Platform, API: APISessionSignature, Code: taro.CodeNotSupported}
	}
	if key == "" {
		return "", &taro.Error{Platform: u.Platform, API: APISessionSignature, Code: taro.CodeSessionInvalid,
			Detail: "the request's user carries no session key: take the user from Require or Resolve"}
	}
	return driverkit.SignLoginState(key, string(data)), nil
}
