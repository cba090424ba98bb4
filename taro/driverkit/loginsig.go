// The login-state signature: this file computes the login-state signature that WeChat, QQ and
// Douyin use to prove possession of a session_key without sending it:
// lowercase hex of HMAC-SHA256 keyed with the session_key as plain UTF-8
// text (not base64-decoded) over the message (the POST body, or "" for GET).

package driverkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
)

// Method is the sig_method value the platforms expect.
const SigMethod = "hmac_sha256"

// Sign returns hex(HMAC-SHA256(key = sessionKey, message)).
func SignLoginState(sessionKey, message string) string {
	m := hmac.New(sha256.New, []byte(sessionKey))
	m.Write([]byte(message))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}

// Verify reports, in constant time, whether sig is the signature of message
// under sessionKey.
func VerifyLoginState(sessionKey, message, sig string) bool {
	return hmac.Equal([]byte(SignLoginState(sessionKey, message)), []byte(sig))
}

// SignedUserURL is endpointURL with the query of a signed user call
// (WeChat's checksession and resetusersessionkey, Douyin's
// check_session_key): access_token, openid, signature =
// SignLoginState(sessionKey, "") and sig_method. It returns the signature
// too, for Request.Secrets.
func SignedUserURL(endpointURL, accessToken, openID, sessionKey string) (u, sig string) {
	sig = SignLoginState(sessionKey, "")
	return endpointURL + "?access_token=" + url.QueryEscape(accessToken) +
		"&openid=" + url.QueryEscape(openID) +
		"&signature=" + sig +
		"&sig_method=" + SigMethod, sig
}
