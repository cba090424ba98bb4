// Package native holds what the platforms' client-side callback objects
// share: an errMsg of the form "<api>:ok" or "<api>:fail <detail>".
package native

import (
	"strings"

	"github.com/tarogo/adapter/taro/driver"
)

// MaxDetail caps the detail text kept from a client result.
const MaxDetail = 256

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
		d = strings.TrimSpace(d)
		if len(d) > MaxDetail {
			d = d[:MaxDetail]
		}
		return false, strings.ToValidUTF8(d, ""), nil
	}
	return false, "", driver.Errorf(driver.CodeInvalidArgument, "errMsg is neither %s:ok nor %s:fail", api, api)
}
