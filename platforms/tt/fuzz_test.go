package tt

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
)

// checkParsed is the property every response decoder keeps on any input:
// no panic, and an error is either a decoding error (which the HTTP layer
// turns into Unavailable) or a *driver.Error with a defined failure code.
func checkParsed(t *testing.T, err error) {
	t.Helper()
	var de *driver.Error
	if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
		t.Fatalf("a platform error with code %v", de.Code)
	}
}

func FuzzParseCode2Session(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseCode2Session(b, true)
		checkParsed(t, err)
	})
}

func FuzzParseToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseToken(b)
		checkParsed(t, err)
	})
}

func FuzzParseCheck(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) { checkParsed(t, parseCheck(b)) })
}
