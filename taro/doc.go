// Package taro is the portable API: one call, CheckSession, in the style of
// Taro's Taro.checkSession(option), dispatched to a per-platform driver that
// speaks that platform's real server API, with one result type and one
// error type for all of them. Code2Session is the server half of
// Taro.login; FromNative normalises the raw callback objects of the
// platforms' own client APIs.
//
// # Platforms and drivers
//
// A Client holds the drivers of its platforms, one per app (several apps of
// one platform are chosen with the options' AppID). The built-in drivers
// live in github.com/tarogo/adapter/platforms/..., listed by the bundle,
// package platforms (platforms.FromEnv builds them from the environment);
// this package imports none of them. Every client also serves H5, React
// Native and Harmony with the drivers of package unsupported, which fail
// every call with ErrNotSupported. The package-level functions use the
// Default client; Register adds drivers to it.
//
// How a session is checked depends on what the driver can do (see package
// driver): a driver that is a driver.SessionChecker asks its platform; one
// that can only issue sessions (a driver.Authenticator) is answered from the
// SessionStore. On every platform the store is asked first: a session that a
// newer Code2Session for the same user replaced with another key, or one
// older than Config.MaxSessionAge, is invalid without any network call.
//
// # The callback contract
//
// CheckSession, Code2Session and their package-level forms follow these
// rules, each checked by the tests and by the drivertest conformance kit:
//
//   - Exactly one of Success and Fail is called, then Complete; each at most
//     once, synchronously, in the caller's goroutine, before the call
//     returns. Nil callbacks are skipped.
//   - All the callbacks receive the same result that is returned.
//   - On success, ErrMsg is "<api>:ok" ("checkSession:ok") and the returned
//     error is nil.
//   - On failure, ErrMsg is "<api>:fail " + reason, the returned error is a
//     non-nil *Error whose Reason() is that reason, and Success is not
//     called. Passing Fail changes nothing about what is returned, and no
//     build or option turns a failure into a success.
//   - A canceled or expired ctx yields a failure whose error satisfies
//     errors.Is(err, context.Canceled) or errors.Is(err,
//     context.DeadlineExceeded).
//   - Bad input (an empty, over-long or control-character-bearing
//     Platform, OpenID, SessionKey or code) fails with ErrInvalidArgument,
//     naming the field, before any driver or store is called.
//
// # Errors
//
// Every failure is an *Error. Test its meaning with errors.Is and the Err*
// sentinels, or with CodeOf; never match its text. The reason is the code's
// stable phrase, sometimes followed by ": " and a detail (for example
// "session invalid: superseded by a newer login").
//
//	Code              errMsg reason              what the caller should do                          retry?
//	OK                ok                         —                                                  —
//	Unknown           unknown error              log it; treat as a failure                         no
//	InvalidArgument   invalid argument: <field>  fix the call (nothing was sent) or the BaseURL     no
//	NoDriver          no driver: platform "p"…   register a driver for the platform                 no
//	NotSupported      not supported on <p>       the target has no such API; never treat as valid   no
//	SessionInvalid    session invalid[: why]     have the user log in again (login, Code2Session)   no
//	InvalidCode       invalid login code         the code is wrong, expired or used: login() again  no
//	Credentials       app credentials rejected   fix the app id / secret in the driver's Config     no
//	PermissionDenied  permission denied          the platform refused this user or caller           no
//	RateLimited       rate limited               slow down; the library does not retry it           later
//	Unavailable       platform unavailable       transient; already retried with backoff            yes
//	TokenInvalid      access token rejected      rejected again after one refetch; see the README   yes
//	Canceled          canceled                   ctx was canceled                                   no
//	DeadlineExceeded  deadline exceeded          ctx expired; allow more time                       yes
//
// Error strings, errMsg values and log records never contain an app secret,
// a session key, an access token or a signature.
package taro
