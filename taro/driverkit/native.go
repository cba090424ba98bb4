// Client callback objects: this file holds what the platforms' client-side callback objects
// share: a JSON object whose errMsg is "<api>:ok" or "<api>:fail <detail>".

package driverkit

import (
	"strings"

	"github.com/tarogo/adapter/taro/driver"
)

// MaxDetail caps the detail text kept from a client result.
const MaxDetail = 256

// NativeFrame is the errMsg every callback object carries. Drivers embed it in
// the struct they decode a platform's object into.
type NativeFrame struct {
	ErrMsg *string `json:"errMsg"`
}

func (f *NativeFrame) frame() *NativeFrame { return f }

// NativeFramed is a struct embedding NativeFrame.
type NativeFramed interface{ frame() *NativeFrame }

// Parse decodes raw into v and splits its errMsg for api: ok for
// "<api>:ok", or the failure detail. A body that is not a JSON object, has
// no errMsg, or whose errMsg is not a result of api is an InvalidArgument
// error.
func ParseNative(api string, raw []byte, v NativeFramed) (ok bool, detail string, err error) {
	if err := Decode(raw, v); err != nil {
		return false, "", &driver.Error{Code: driver.CodeInvalidArgument, Err: err}
	}
	f := v.frame()
	if f.ErrMsg == nil {
		return false, "", driver.Errorf(driver.CodeInvalidArgument, "no errMsg field")
	}
	return SplitErrMsg(api, *f.ErrMsg)
}

// FailCode is the code of a failure the platform gave no known code for:
// for checkSession a failure means the session is no longer valid.
func NativeFailCode(api string) driver.Code {
	if api == "checkSession" {
		return driver.CodeSessionInvalid
	}
	return driver.CodeUnknown
}

// SplitErrMsg parses errMsg for api. It returns ok for "<api>:ok", or the
// failure detail for "<api>:fail[ detail]"; anything else is an
// InvalidArgument error.
func SplitErrMsg(api, errMsg string) (ok bool, detail string, err error) {
	rest, found := strings.CutPrefix(errMsg, api+":")
	if !found || api == "" {
		return false, "", driver.Errorf(driver.CodeInvalidArgument, "errMsg is not a %s result", api)
	}
	if rest == "ok" {
		return true, "", nil
	}
	if d, isFail := strings.CutPrefix(rest, "fail"); isFail {
		return false, TruncateDetail(strings.TrimSpace(d)), nil
	}
	return false, "", driver.Errorf(driver.CodeInvalidArgument, "errMsg is neither %s:ok nor %s:fail", api, api)
}

// Truncate caps a detail at MaxDetail bytes of valid UTF-8.
func TruncateDetail(d string) string {
	if len(d) > MaxDetail {
		d = d[:MaxDetail]
	}
	return strings.ToValidUTF8(d, "")
}

// NativeOKOrFail normalises the callback object of a platform whose
// results only succeed or fail ({errMsg:"<api>:ok"} or
// {errMsg:"<api>:fail …"}, no code): QQ's and Kuaishou's.
func NativeOKOrFail(api string, raw []byte) (driver.NativeResult, error) {
	var obj NativeFrame
	ok, detail, err := ParseNative(api, raw, &obj)
	if err != nil || ok {
		return driver.NativeResult{OK: ok}, err
	}
	return driver.NativeResult{Code: NativeFailCode(api), Detail: detail}, nil
}
