package qq

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// FuzzParseCode2Session: on any input, no panic, and an error is either a
// decoding error (which the HTTP layer turns into Unavailable) or a
// *driver.Error with a defined failure code.
func FuzzParseCode2Session(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := api.ParseCode2Session(b)
		var de *driver.Error
		if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
			t.Fatalf("a platform error with code %v", de.Code)
		}
		if err == nil {
			// The oracle: a success carries an openid and a session_key
			// and no error code.
			if v, ok := driverkit.RawField(b, "errcode"); ok && string(v) != "0" {
				t.Fatalf("accepted with errcode %s: %q", v, b)
			}
			for _, field := range []string{"openid", "session_key"} {
				if v, ok := driverkit.RawField(b, field); !ok || !driverkit.NonEmptyString(v) {
					t.Fatalf("accepted without %s: %q", field, b)
				}
			}
		}
	})
}
