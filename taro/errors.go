package taro

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/tarogo/adapter/taro/driver"
)

// Code classifies a failure. Values are stable and never renumbered.
// The table in the package documentation says what each means for a caller.
type Code = driver.Code

// The error codes.
const (
	CodeOK               = driver.CodeOK
	CodeUnknown          = driver.CodeUnknown
	CodeInvalidArgument  = driver.CodeInvalidArgument
	CodeNoDriver         = driver.CodeNoDriver
	CodeNotSupported     = driver.CodeNotSupported
	CodeSessionInvalid   = driver.CodeSessionInvalid
	CodeInvalidCode      = driver.CodeInvalidCode
	CodeCredentials      = driver.CodeCredentials
	CodePermissionDenied = driver.CodePermissionDenied
	CodeRateLimited      = driver.CodeRateLimited
	CodeUnavailable      = driver.CodeUnavailable
	CodeTokenInvalid     = driver.CodeTokenInvalid
	CodeCanceled         = driver.CodeCanceled
	CodeDeadlineExceeded = driver.CodeDeadlineExceeded
)

// Sentinels for errors.Is. errors.Is(err, ErrSessionInvalid) is true exactly
// when CodeOf(err) == CodeSessionInvalid, and so on for each.
var (
	ErrUnknown          = driver.Sentinel(CodeUnknown)
	ErrInvalidArgument  = driver.Sentinel(CodeInvalidArgument)
	ErrNoDriver         = driver.Sentinel(CodeNoDriver)
	ErrNotSupported     = driver.Sentinel(CodeNotSupported)
	ErrSessionInvalid   = driver.Sentinel(CodeSessionInvalid)
	ErrInvalidCode      = driver.Sentinel(CodeInvalidCode)
	ErrCredentials      = driver.Sentinel(CodeCredentials)
	ErrPermissionDenied = driver.Sentinel(CodePermissionDenied)
	ErrRateLimited      = driver.Sentinel(CodeRateLimited)
	ErrUnavailable      = driver.Sentinel(CodeUnavailable)
	ErrTokenInvalid     = driver.Sentinel(CodeTokenInvalid)
)

// Error is the one error type the portable API returns. Use errors.As to get
// at its fields and errors.Is with the Err* sentinels (or with
// context.Canceled and context.DeadlineExceeded) to test its meaning.
//
// No field and no part of Error() ever holds an app secret, session key,
// access token or signature.
type Error struct {
	Platform Platform
	// API is the Taro API name: "checkSession", "code2Session" or the api
	// given to FromNative.
	API  string
	Code Code
	// Detail is a short, safe explanation added by the portable layer, such
	// as "superseded by a newer login" or "OpenID is empty".
	Detail string
	// PlatformCode and PlatformMessage are the platform's own error code
	// and message, when it sent one.
	PlatformCode    string
	PlatformMessage string
	// Err is the cause, if any.
	Err error
}

// Reason is the errMsg reason: the code's stable phrase, then the detail.
// errMsg is API + ":fail " + Reason().
func (e *Error) Reason() string {
	r := e.Code.Reason()
	if e.Code == CodeNotSupported && e.Platform != "" {
		r += " on " + string(e.Platform)
	}
	if e.Detail != "" {
		r += ": " + e.Detail
	}
	return r
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("taro: ")
	if e.Platform != "" {
		b.WriteString(string(e.Platform))
		b.WriteByte(' ')
	}
	if e.API != "" {
		b.WriteString(e.API)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason())
	if e.PlatformCode != "" || e.PlatformMessage != "" {
		b.WriteString(" (platform")
		if e.PlatformCode != "" {
			b.WriteString(" code ")
			b.WriteString(e.PlatformCode)
		}
		if e.PlatformMessage != "" {
			b.WriteString(" message ")
			b.WriteString(strconv.Quote(e.PlatformMessage))
		}
		b.WriteByte(')')
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so that
// errors.Is(err, ErrSessionInvalid) works.
func (e *Error) Is(target error) bool { return driver.IsSentinel(target, e.Code) }

// CodeOf returns the code of err: CodeOK for nil, the Code of the first
// *Error (or *driver.Error) in err's chain, the code of a sentinel such as
// ErrSessionInvalid (bare or wrapped), CodeCanceled or CodeDeadlineExceeded
// for a bare context error, CodeUnknown otherwise.
func CodeOf(err error) Code {
	if err == nil {
		return CodeOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var de *driver.Error
	if errors.As(err, &de) {
		return de.Code
	}
	if c, ok := driver.SentinelCode(err); ok {
		return c
	}
	switch {
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return CodeDeadlineExceeded
	}
	return CodeUnknown
}
