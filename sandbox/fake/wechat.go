// The WeChat family's fake, described as data: the answers WeChat and the
// platforms that copied its server API (QQ) give alike. A fake of the
// family embeds a WeChatFamily for its fault bodies and routes its paths
// to the family's handlers; what only one platform does stays in its fake.

package fake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// WeChatError is the family's error answer.
type WeChatError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// WeChatErr is an error answer whose message ends with a request id, as
// the family's do.
func WeChatErr(code int, msg string) WeChatError {
	return WeChatError{code, msg + ", rid: " + RandomHex(6)}
}

// WeChatFamily is a family member's fake: what differs between members
// is data.
type WeChatFamily struct {
	// TokenBadSecret is the errcode of a wrong secret at the token
	// endpoint: 40125 at WeChat, 40001 at QQ.
	TokenBadSecret int
	// TokenFamily names the tokens QueryToken mints (State.MintTokenIn);
	// "" is the platform's only token family.
	TokenFamily string
}

// FaultBody implements Platform's FaultBody with the family's answers:
// -1 busy, 45011 rate limited, 40001 a rejected credential.
func (WeChatFamily) FaultBody(_ Endpoint, kind FaultKind) any {
	switch kind {
	case Busy:
		return WeChatError{-1, "system error"}
	case RateLimit:
		return WeChatError{45011, "api minute-quota reach limit  mustslower  retry next minute"}
	}
	return WeChatError{40001, "invalid credential, access_token is invalid or not latest"}
}

// Code2Session serves GET <path>?appid=&secret=&js_code=&
// grant_type=authorization_code: {openid, session_key, unionid?} without
// an errcode, or the family's errors (40013 appid, 40125 secret, 40002
// grant_type, 41008 no code, 40163 a used code, 40029 an unknown or
// expired one).
func (WeChatFamily) Code2Session(w http.ResponseWriter, r *http.Request, st *State) {
	q := r.URL.Query()
	switch {
	case q.Get("appid") != st.App().ID:
		WriteJSON(w, WeChatErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.App().Secret:
		WriteJSON(w, WeChatErr(40125, "invalid appsecret"))
		return
	case q.Get("grant_type") != "authorization_code":
		WriteJSON(w, WeChatErr(40002, "invalid grant_type"))
		return
	case q.Get("js_code") == "":
		WriteJSON(w, WeChatErr(41008, "missing code"))
		return
	}
	WeChatRedeem(w, st, q.Get("js_code"))
}

// WeChatRedeem answers a code exchange of the family for code: {openid,
// session_key, unionid?} without an errcode, 40163 for a used code, 40029
// for an unknown or expired one.
func WeChatRedeem(w http.ResponseWriter, st *State, code string) {
	openid, cerr := st.Redeem(code, false)
	switch cerr {
	case CodeUsed:
		WriteJSON(w, WeChatErr(40163, "code been used"))
		return
	case CodeUnknown, CodeExpired:
		WriteJSON(w, WeChatErr(40029, "invalid code"))
		return
	}
	u, _ := st.User(openid)
	WriteJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		UnionID    string `json:"unionid,omitempty"`
	}{openid, u.Key, u.UnionID})
}

// QueryToken serves GET <path>?grant_type=client_credential&appid=&secret=:
// each call mints a token of TokenFamily, and the family's previous tokens
// keep working for five more minutes at most.
func (f WeChatFamily) QueryToken(w http.ResponseWriter, r *http.Request, st *State) {
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "client_credential":
		WriteJSON(w, WeChatErr(40002, "invalid grant_type"))
		return
	case q.Get("appid") != st.App().ID:
		WriteJSON(w, WeChatErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.App().Secret:
		WriteJSON(w, WeChatErr(f.TokenBadSecret, "invalid appsecret"))
		return
	}
	st.ShortenTokensIn(f.TokenFamily)
	tok, ttl := st.MintTokenIn(f.TokenFamily)
	WriteToken(w, tok, ttl)
}

// WriteToken writes {access_token, expires_in} (whole seconds).
func WriteToken(w http.ResponseWriter, tok string, ttl time.Duration) {
	WriteJSON(w, struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{tok, int(ttl / time.Second)})
}

// TokenOK checks an access token as the family does (42001 expired, 40001
// unknown); it reports false after answering.
func (WeChatFamily) TokenOK(w http.ResponseWriter, st *State, tok string) bool {
	valid, expired := st.TokenState(tok)
	switch {
	case expired:
		WriteJSON(w, WeChatErr(42001, "access_token expired"))
		return false
	case !valid:
		WriteJSON(w, WeChatErr(40001, "invalid credential, access_token is invalid or not latest"))
		return false
	}
	return true
}

// SigMethod is the only sig_method WeChat and Douyin accept.
const SigMethod = "hmac_sha256"

// LoginStateOK reports whether sig proves the session key as WeChat and
// Douyin document it (sig_method SigMethod), checked here and not by the
// driver's code: the lowercase hex of HMAC-SHA256 keyed with the key's
// text over "", the message of the signed calls.
func LoginStateOK(sessionKey, sig string) bool {
	m := hmac.New(sha256.New, []byte(sessionKey))
	return hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(sig))
}

// SignedUser checks a signed user call of the family (GET
// ?access_token=&openid=&signature=&sig_method=): the token (TokenOK),
// then 87008 for another sig_method and 87009 for an unknown user or a
// signature that does not prove the user's current key. It reports false
// after answering.
func (f WeChatFamily) SignedUser(w http.ResponseWriter, r *http.Request, st *State) (*User, bool) {
	q := r.URL.Query()
	if !f.TokenOK(w, st, q.Get("access_token")) {
		return nil, false
	}
	if q.Get("sig_method") != SigMethod {
		WriteJSON(w, WeChatErr(87008, "invalid sig_method"))
		return nil, false
	}
	u, ok := st.User(q.Get("openid"))
	if !ok || !LoginStateOK(u.Key, q.Get("signature")) {
		WriteJSON(w, WeChatErr(87009, "invalid signature"))
		return nil, false
	}
	return u, true
}
