package taro

import (
	"time"

	"context"

	"github.com/tarogo/adapter/taro/driver"
)

// target is what a Client call is for: its API, and the platform and app
// (empty: the platform's only app) whose driver serves it.
type target struct {
	api   string
	p     Platform
	appID string
	// at is when the call began (its metrics' start), zero when not
	// measured: a sourced app's expiry is judged by it, saving a clock
	// read on the warm path.
	at time.Time
}

// begin is the preamble every Client method shares, in one order: the
// driver of the target's platform and app, bad (the call's input check,
// made before any I/O; nil when the input is good), the context (ctx nil:
// the call does no I/O and ignores it), and the capability c, found as the
// interface T (an empty capability: none is needed, and T is the Driver).
// It returns the driver's entry and the capability.
func begin[T any](ctx context.Context, c *Client, t target, bad *Error, capability driver.Capability) (*entry, T, *Error) {
	var none T
	e, err := c.resolve(ctx, t.api, t.p, t.appID, bad, t.at)
	if err != nil {
		return nil, none, err
	}
	spanAppID(ctx, e.d.AppID())
	if e.traits.Keyless && (capability == "" || !driver.Has(e.d, capability)) {
		// A platform without session keys: a session's fields are not
		// wrong, the API is absent. (Only CheckSession passes no
		// capability, and a keyless platform has no session to check.)
		return nil, none, &Error{Platform: t.p, API: t.api, Code: CodeNotSupported}
	}
	if bad != nil {
		return nil, none, bad
	}
	if ctx != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, none, ctxError(t.p, t.api, cerr, nil)
		}
	}
	if capability == "" {
		d, _ := e.d.(T)
		return e, d, nil
	}
	capv, ok := driver.Offers[T](e.d, capability)
	if !ok {
		return nil, none, &Error{Platform: t.p, API: t.api, Code: CodeNotSupported}
	}
	return e, capv, nil
}

// invalidInput is the error of a bad field of the target's input, or nil
// when detail is empty.
func (t target) invalid(detail string) *Error {
	if detail == "" {
		return nil
	}
	return &Error{Platform: t.p, API: t.api, Code: CodeInvalidArgument, Detail: detail}
}
