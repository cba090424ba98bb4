package tt

import (
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Client-side checkSession error codes.
var nativeCodes = map[driverkit.Code]driver.Code{
	"113101": driver.CodeSessionInvalid, // session is empty: the user never logged in
	"113102": driver.CodeSessionInvalid, // session is expired
	"113191": driver.CodeUnavailable,    // internal error
}

// FromNative implements driver.NativeNormalizer; see the package-level
// FromNative.
func (d *Driver) FromNative(api string, raw []byte) (driver.NativeResult, error) {
	return FromNative(api, raw)
}

// FromNative normalises tt.<api> callback objects: {errMsg:"<api>:ok"} or
// {errMsg:"<api>:fail <detail>", errorCode, errorType}; older runtimes send
// errNo instead of errorCode. It is pure: no driver or credentials are
// needed.
func FromNative(api string, raw []byte) (driver.NativeResult, error) {
	var obj struct {
		driverkit.NativeFrame
		ErrorCode driverkit.Code `json:"errorCode"`
		ErrNo     driverkit.Code `json:"errNo"`
	}
	ok, detail, err := driverkit.ParseNative(api, raw, &obj)
	if err != nil || ok {
		return driver.NativeResult{OK: ok}, err
	}
	pc := obj.ErrorCode
	if pc.IsZero() {
		pc = obj.ErrNo
	}
	code, known := nativeCodes[pc]
	if !known {
		code = driverkit.NativeFailCode(api)
	}
	return driver.NativeResult{Code: code, PlatformCode: string(pc), Detail: detail}, nil
}
