// Package driver defines the interfaces a platform driver implements to plug
// into package taro. Users of the library do not need this package; authors
// of a new platform driver do (see the guide in package
// github.com/tarogo/adapter/taro/drivertest).
//
// The portable layer (package taro) owns policy: input validation, the
// session store, access-token caching, retries, callbacks and error
// wrapping. A driver owns one platform's protocol: its URLs, request and
// response shapes and its error-code table. Drivers never call back into the
// portable layer.
//
// A driver implements [Driver] and any of the optional capabilities
// [SessionChecker], [Authenticator], [TokenFetcher], [NativeNormalizer],
// [Decrypter], [RawDataVerifier], [PhoneNumberGetter] and [SessionResetter],
// which the portable layer discovers by type assertion, as database/sql does
// with driver.Pinger. A driver with none of them is a valid driver for a
// platform that supports none of the APIs (see package unsupported).
package driver

import (
	"context"
	"time"
)

// Platform names a mini-program host, such as "weapp".
type Platform string

// Driver is the one interface every platform driver implements.
type Driver interface {
	// Platform reports which platform the driver serves. It must be stable
	// and non-empty.
	Platform() Platform
	// AppID reports the application id the driver was configured with, or
	// "" when it has none. Sessions are keyed by platform, app id and openid.
	AppID() string
}

// CheckRequest is what a SessionChecker is asked to verify.
//
// The session key is handed to the driver so that it can sign with it; a
// driver must never send the key itself over the wire.
type CheckRequest struct {
	OpenID     string
	SessionKey string
	// AccessToken is set by the portable layer when the driver is also a
	// TokenFetcher; otherwise it is empty.
	AccessToken string
}

// SessionChecker is implemented by drivers whose platform can tell, on its
// server API, whether a session is still valid.
type SessionChecker interface {
	// CheckSession returns nil when the platform confirms the session is
	// valid. It returns an *Error with CodeSessionInvalid when the platform
	// says it is not, and an *Error with another code for any other
	// failure.
	CheckSession(ctx context.Context, req CheckRequest) error
}

// LoginRequest carries the one-time credentials from the client's login().
type LoginRequest struct {
	Code          string
	AnonymousCode string
	// AccessToken is the app's access token, for a driver whose code
	// exchange takes one (a TokenLogin); empty otherwise.
	AccessToken string
}

// TokenLogin is implemented by an Authenticator whose code exchange takes
// the app's access token (Xiaohongshu's): when LoginNeedsToken reports
// true, the portable layer passes the managed token in
// LoginRequest.AccessToken, with the token policy (a rejected token is
// dropped and the exchange made again once).
type TokenLogin interface {
	LoginNeedsToken() bool
}

// KeylessLogin is implemented by an Authenticator whose platform has no
// session key (Alipay): its Code2Session answers an openid alone. When
// KeylessLogin reports true, the portable layer records such a login by
// its order alone (package login then decides by login order and age),
// and CheckSession is not supported: there is no key to check.
type KeylessLogin interface {
	KeylessLogin() bool
}

// LoginResponse is the platform's answer to a code-to-session exchange.
type LoginResponse struct {
	OpenID          string
	UnionID         string
	AnonymousOpenID string
	SessionKey      string
	// TenantID is the user's organisation on a work platform (WeCom's
	// corpid, Feishu's tenant_key): OpenID is unique only within it.
	// Empty on consumer platforms.
	TenantID string
}

// Authenticator is implemented by drivers that can exchange a login code for
// a session (the server half of login).
type Authenticator interface {
	Code2Session(ctx context.Context, req LoginRequest) (LoginResponse, error)
}

// Token is an application access token.
type Token struct {
	Value string
	// ExpiresIn is the lifetime the platform announced for the token.
	ExpiresIn time.Duration
}

// TokenFetcher is implemented by drivers whose session check needs an
// application access token. The portable layer caches tokens, shares one
// fetch among concurrent callers and drops a token the platform rejected
// (an *Error with CodeTokenInvalid), so a driver only fetches.
type TokenFetcher interface {
	FetchToken(ctx context.Context) (Token, error)
}

// NativeResult is a platform's client-side callback object, normalised.
type NativeResult struct {
	// OK reports whether the native call succeeded AND its result means
	// what success means on every platform (for checkSession: the session
	// is valid).
	OK bool
	// Code classifies a failure; CodeOK when OK.
	Code Code
	// PlatformCode is the platform's own error number, if it sent one.
	PlatformCode string
	// Detail is the platform's failure text with the "<api>:fail " prefix
	// removed, if any.
	Detail string
}

// NativeNormalizer is implemented by drivers that understand the raw
// object their platform's client API passed to its callback.
type NativeNormalizer interface {
	// FromNative parses raw, the JSON object the platform's client passed
	// to the callback of api (such as "checkSession"). It returns an *Error
	// with CodeInvalidArgument when raw is not such an object.
	FromNative(api string, raw []byte) (NativeResult, error)
}

// DecryptRequest is what a Decrypter is asked to open: the encryptedData
// and iv a client API handed the mini program, and the user's session key.
type DecryptRequest struct {
	SessionKey    string
	EncryptedData string
	IV            string
}

// Decrypter is implemented by drivers whose platform encrypts client data
// (getUserInfo, getPhoneNumber …) with the session key. Decrypt returns the
// plaintext JSON (without any platform framing), an *Error with
// CodeInvalidArgument for malformed input or data for another app, and
// CodeSessionInvalid when the key cannot open the data. It does no I/O.
type Decrypter interface {
	Decrypt(req DecryptRequest) ([]byte, error)
}

// RawDataVerifier is implemented by drivers whose platform signs rawData
// with the session key (hex(sha1(rawData + session_key))). VerifyRawData
// returns nil on a match, CodeSessionInvalid on a mismatch and
// CodeInvalidArgument for a malformed signature. It does no I/O.
type RawDataVerifier interface {
	VerifyRawData(sessionKey, rawData, signature string) error
}

// DataCheckRequest asks the platform whether it produced encrypted data.
type DataCheckRequest struct {
	// EncryptedData is the data as the client handed it (base64).
	EncryptedData string
	// AccessToken is set by the portable layer.
	AccessToken string
}

// DataVerifier is implemented by drivers whose platform can confirm on
// its server API that encrypted data was produced by it for this app
// (WeChat's checkencryptedmsg: within the last three days). VerifyData
// returns nil only on the platform's explicit yes, CodeSessionInvalid
// when the platform does not vouch for the data, and the usual codes for
// outages and tokens. It needs an access token, so the driver is also a
// TokenFetcher.
type DataVerifier interface {
	VerifyData(ctx context.Context, req DataCheckRequest) error
}

// PhoneRequest asks the platform for the phone number behind a
// phone-number code (getPhoneNumber's code).
type PhoneRequest struct {
	Code string
	// Response is the signed, encrypted answer the client's
	// getPhoneNumber handed the mini program, for a platform that hands
	// the client the number itself (Alipay's my.getPhoneNumber); then
	// Code is empty and the driver verifies and opens Response offline.
	Response string
	// AccessToken is set by the portable layer.
	AccessToken string
}

// PhoneNumber is a user's phone number.
type PhoneNumber struct {
	PhoneNumber     string // with the country code for numbers outside mainland China
	PurePhoneNumber string // without it
	CountryCode     string
}

// PhoneFromClient is implemented by a PhoneNumberGetter whose platform
// hands the client the phone number itself, signed and encrypted
// (Alipay's my.getPhoneNumber), rather than a code: when PhoneFromClient
// reports true, the portable layer requires PhoneRequest.Response and
// refuses a Code, before any I/O, and asks for no access token.
type PhoneFromClient interface {
	PhoneFromClient() bool
}

// PhoneNumberGetter is implemented by drivers whose platform exchanges a
// phone-number code on its server API. It needs an access token, so the
// driver is also a TokenFetcher.
type PhoneNumberGetter interface {
	GetPhoneNumber(ctx context.Context, req PhoneRequest) (PhoneNumber, error)
}

// ResetRequest asks the platform to replace a user's session key.
type ResetRequest struct {
	OpenID     string
	SessionKey string
	// AccessToken is set by the portable layer.
	AccessToken string
}

// SessionResetter is implemented by drivers whose platform can reset a
// user's session key on its server API; the answer carries the new key.
// It needs an access token, so the driver is also a TokenFetcher.
type SessionResetter interface {
	ResetSession(ctx context.Context, req ResetRequest) (LoginResponse, error)
}

// Traits is what a platform is, as its driver declares it: read once (the
// portable layer reads it when a driver is added) and asked by every path
// instead of each type-asserting the marker interfaces.
type Traits struct {
	// Keyless: the platform has no session key (a KeylessLogin that says
	// so, Alipay): logins are recorded by order alone, and CheckSession
	// is not supported.
	Keyless bool
	// ChecksOnPlatform: the platform checks a session on its server API
	// (an offered SessionChecker: weapp, Douyin mini-games); otherwise the
	// session store decides.
	ChecksOnPlatform bool
	// PhoneFromClient: the client hands over the phone number itself,
	// signed (a PhoneFromClient that says so, Alipay), rather than a code.
	PhoneFromClient bool
	// LoginNeedsToken: the code exchange takes the app's access token (a
	// TokenLogin that says so).
	LoginNeedsToken bool
}

// TraitsOf reads d's traits: the one place the marker interfaces are
// asserted.
func TraitsOf(d Driver) Traits {
	var t Traits
	if k, ok := d.(KeylessLogin); ok {
		t.Keyless = k.KeylessLogin()
	}
	if p, ok := d.(PhoneFromClient); ok {
		t.PhoneFromClient = p.PhoneFromClient()
	}
	if l, ok := d.(TokenLogin); ok {
		t.LoginNeedsToken = l.LoginNeedsToken()
	}
	t.ChecksOnPlatform = Has(d, CapSessionChecker)
	return t
}

// Capability names an optional interface of this package.
type Capability string

// The capabilities a driver may offer.
const (
	CapAuthenticator    Capability = "Authenticator"
	CapSessionChecker   Capability = "SessionChecker"
	CapTokenFetcher     Capability = "TokenFetcher"
	CapNativeNormalizer Capability = "NativeNormalizer"
	CapDecrypter        Capability = "Decrypter"
	CapRawDataVerifier  Capability = "RawDataVerifier"
	CapPhoneNumber      Capability = "PhoneNumberGetter"
	CapSessionResetter  Capability = "SessionResetter"
	CapDataVerifier     Capability = "DataVerifier"
)

// CapabilityLimiter is implemented by a driver whose type has a capability's
// methods but whose configuration does not offer it (a Douyin driver for a
// mini-app has the mini-game session check's method, but mini-apps have no
// documented server-side check). Supports reports whether the driver, as
// configured, offers c; the portable layer then treats the capability as
// absent.
type CapabilityLimiter interface {
	Supports(c Capability) bool
}

// capabilities maps each capability to the test of its interface: adding
// a capability is its interface, its constant and its line here.
var capabilities = map[Capability]func(Driver) bool{
	CapAuthenticator:    implements[Authenticator],
	CapSessionChecker:   implements[SessionChecker],
	CapTokenFetcher:     implements[TokenFetcher],
	CapNativeNormalizer: implements[NativeNormalizer],
	CapDecrypter:        implements[Decrypter],
	CapRawDataVerifier:  implements[RawDataVerifier],
	CapPhoneNumber:      implements[PhoneNumberGetter],
	CapSessionResetter:  implements[SessionResetter],
	CapDataVerifier:     implements[DataVerifier],
}

func implements[T any](d Driver) bool { _, ok := d.(T); return ok }

// supports applies a CapabilityLimiter's answer.
func supports(d Driver, c Capability) bool {
	if l, ok := d.(CapabilityLimiter); ok {
		return l.Supports(c)
	}
	return true
}

// Has reports whether d offers capability c: it implements the interface
// and, if it is a CapabilityLimiter, says it supports it.
func Has(d Driver, c Capability) bool {
	test, known := capabilities[c]
	return d != nil && known && test(d) && supports(d, c)
}

// Offers returns d as the interface T of capability c when d offers it
// (as Has decides). The portable layer finds every capability this way.
func Offers[T any](d Driver, c Capability) (T, bool) {
	t, ok := d.(T)
	if !ok || !supports(d, c) {
		var zero T
		return zero, false
	}
	return t, true
}
