package taro

import (
	"fmt"

	"github.com/tarogo/adapter/taro/driver"
)

// maxNativeLen caps the raw client results FromNative accepts.
const maxNativeLen = 64 << 10

// FromNative normalises raw, the JSON object a platform's own client API
// (such as wx.checkSession) passed to its callback, into a CallbackResult
// and error with the same meaning as the portable API's: success only when
// the platform's answer means success (Baidu's legacy {result:false} is a
// failure), and a typed *Error otherwise. Malformed input is
// ErrInvalidArgument. No callbacks are called.
//
// Normalising is pure: it needs no credentials. A registered driver's
// normaliser is used when it has one; with no driver, the normaliser of
// the platform's registered plugin (driver.RegisterPlugin): every platform
// package registers its plugin when imported, so a program that imports
// the bundle (package platforms) or the platform's package understands its
// client results with no driver and no app secret.
func (c *Client) FromNative(p Platform, api string, raw []byte) (CallbackResult, error) {
	return c.FromNativeFor(p, "", api, raw)
}

// FromNativeFor is FromNative with the normaliser of the driver of app
// appID of p (empty: the platform's only app, or its plugin's).
func (c *Client) FromNativeFor(p Platform, appID, api string, raw []byte) (CallbackResult, error) {
	if err := c.fromNative(p, appID, api, raw); err != nil {
		return CallbackResult{ErrMsg: api + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err
	}
	return CallbackResult{ErrMsg: api + ":ok"}, nil
}

func (c *Client) fromNative(p Platform, appID, api string, raw []byte) *Error {
	if d := checkText("api", api, maxPlatformLen); d != "" {
		return &Error{Platform: p, API: "fromNative", Code: CodeInvalidArgument, Detail: d}
	}
	var normalize func(string, []byte) (driver.NativeResult, error)
	if pl, ok := driver.LookupPlugin(p); ok {
		normalize = pl.FromNative
	}
	e, perr := c.lookup(api, p, appID)
	if perr != nil && appID == "" && perr.Detail == DetailAppIDRequired && normalize != nil {
		perr = nil // several apps, one platform: its plugin's normaliser is pure
		e = &entry{}
	}
	switch {
	case perr != nil && (perr.Code != CodeNoDriver || normalize == nil):
		return perr
	case perr == nil && e.d != nil && driver.Has(e.d, driver.CapNativeNormalizer):
		n, _ := driver.Offers[driver.NativeNormalizer](e.d, driver.CapNativeNormalizer)
		normalize = n.FromNative
	}
	if len(raw) == 0 || len(raw) > maxNativeLen {
		return &Error{Platform: p, API: api, Code: CodeInvalidArgument,
			Detail: fmt.Sprintf("raw result must be 1 to %d bytes, got %d", maxNativeLen, len(raw))}
	}
	if normalize == nil {
		return &Error{Platform: p, API: api, Code: CodeNotSupported}
	}
	r, err := normalize(api, raw)
	if err != nil {
		return c.wrap(p, api, err)
	}
	if r.OK {
		return nil
	}
	code := r.Code
	if code == CodeOK || !code.Valid() {
		code = CodeUnknown
	}
	return &Error{Platform: p, API: api, Code: code, PlatformCode: r.PlatformCode, PlatformMessage: r.Detail}
}
