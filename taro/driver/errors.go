package driver

import (
	"errors"
	"fmt"
	"strconv"
)

// Code classifies an error. Its values are stable: they are part of the
// public API (re-exported by package taro) and never renumbered.
type Code int

// The codes. Package taro documents what a caller should do with each.
const (
	CodeOK               Code = 0
	CodeUnknown          Code = 1
	CodeInvalidArgument  Code = 2
	CodeNoDriver         Code = 3
	CodeNotSupported     Code = 4
	CodeSessionInvalid   Code = 5
	CodeInvalidCode      Code = 6
	CodeCredentials      Code = 7
	CodePermissionDenied Code = 8
	CodeRateLimited      Code = 9
	CodeUnavailable      Code = 10
	CodeTokenInvalid     Code = 11
	CodeCanceled         Code = 12
	CodeDeadlineExceeded Code = 13
)

var codeNames = [...]string{
	CodeOK:               "OK",
	CodeUnknown:          "Unknown",
	CodeInvalidArgument:  "InvalidArgument",
	CodeNoDriver:         "NoDriver",
	CodeNotSupported:     "NotSupported",
	CodeSessionInvalid:   "SessionInvalid",
	CodeInvalidCode:      "InvalidCode",
	CodeCredentials:      "Credentials",
	CodePermissionDenied: "PermissionDenied",
	CodeRateLimited:      "RateLimited",
	CodeUnavailable:      "Unavailable",
	CodeTokenInvalid:     "TokenInvalid",
	CodeCanceled:         "Canceled",
	CodeDeadlineExceeded: "DeadlineExceeded",
}

var codeReasons = [...]string{
	CodeOK:               "ok",
	CodeUnknown:          "unknown error",
	CodeInvalidArgument:  "invalid argument",
	CodeNoDriver:         "no driver",
	CodeNotSupported:     "not supported",
	CodeSessionInvalid:   "session invalid",
	CodeInvalidCode:      "invalid login code",
	CodeCredentials:      "app credentials rejected",
	CodePermissionDenied: "permission denied",
	CodeRateLimited:      "rate limited",
	CodeUnavailable:      "platform unavailable",
	CodeTokenInvalid:     "access token rejected",
	CodeCanceled:         "canceled",
	CodeDeadlineExceeded: "deadline exceeded",
}

// Codes lists every code in numeric order.
func Codes() []Code {
	out := make([]Code, len(codeNames))
	for i := range codeNames {
		out[i] = Code(i)
	}
	return out
}

// String returns the code's name, such as "SessionInvalid".
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Reason returns the code's stable errMsg reason phrase, such as
// "session invalid".
func (c Code) Reason() string {
	if c >= 0 && int(c) < len(codeReasons) {
		return codeReasons[c]
	}
	return codeReasons[CodeUnknown]
}

// Retryable reports whether a call that failed with c may succeed if made
// again unchanged.
func (c Code) Retryable() bool {
	switch c {
	case CodeUnavailable, CodeTokenInvalid, CodeRateLimited, CodeDeadlineExceeded:
		return true
	}
	return false
}

// MarshalText encodes the code as its name.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a code from its name.
func (c *Code) UnmarshalText(b []byte) error {
	for i, n := range codeNames {
		if n == string(b) {
			*c = Code(i)
			return nil
		}
	}
	return fmt.Errorf("driver: unknown code %q", b)
}

// Error is what a driver returns to classify a failure. The portable layer
// wraps it in a taro.Error. PlatformMessage must never contain a secret
// (app secret, session key, access token or signature).
type Error struct {
	Code Code
	// PlatformCode is the platform's own error code (errcode, err_no,
	// errno, error), as text; empty when there is none.
	PlatformCode string
	// PlatformMessage is the platform's own error message, if any.
	PlatformMessage string
	// Err is the underlying cause, if any.
	Err error
}

// Errorf returns an *Error with the given code, no platform code, and a
// message formatted from format and args.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// PlatformError returns an *Error for an error answer from the platform.
func PlatformError(code Code, platformCode, message string) *Error {
	return &Error{Code: code, PlatformCode: platformCode, PlatformMessage: message}
}

func (e *Error) Error() string {
	s := e.Code.Reason()
	if e.PlatformCode != "" {
		s += " (platform code " + e.PlatformCode
		if e.PlatformMessage != "" {
			s += ": " + strconv.Quote(e.PlatformMessage)
		}
		s += ")"
	} else if e.PlatformMessage != "" {
		s += " (" + strconv.Quote(e.PlatformMessage) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Valid reports whether c is one of the defined codes.
func (c Code) Valid() bool { return c >= 0 && int(c) < len(codeNames) }

// sentinel is the type of the values Sentinel returns.
type sentinel Code

func (s sentinel) Error() string { return "taro: " + Code(s).Reason() }

// Sentinel returns the error value that errors.Is matches with every
// *Error (and every taro.Error) of code c. Package taro exports them as
// ErrSessionInvalid and so on.
func Sentinel(c Code) error { return sentinel(c) }

// SentinelCode reports the code of the first sentinel in err's chain.
func SentinelCode(err error) (Code, bool) {
	var s sentinel
	if errors.As(err, &s) {
		return Code(s), true
	}
	return 0, false
}

// IsSentinel reports whether target is the sentinel of c.
func IsSentinel(target error, c Code) bool {
	s, ok := target.(sentinel)
	return ok && Code(s) == c
}

// Is makes errors.Is(err, taro.ErrInvalidArgument) and the like work on a
// driver's own errors too.
func (e *Error) Is(target error) bool { return IsSentinel(target, e.Code) }
