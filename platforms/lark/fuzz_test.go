package lark

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// FuzzParseCode2Session: no panic on any answer; an error is a decoding
// error or a defined failure code; a success has "code" the number 0, and
// non-empty data.open_id, data.session_key and data.tenant_key, read independently of the decoder.
func FuzzParseCode2Session(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseCode2Session(b)
		var de *driver.Error
		if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
			t.Fatalf("a platform error with code %v", de.Code)
		}
		if err != nil {
			return
		}
		if v, ok := driverkit.RawField(b, "code"); !ok || string(v) != "0" {
			t.Fatalf("accepted without code the number 0: %q", b)
		}
		for _, path := range [][]string{{"data", "open_id"}, {"data", "session_key"}, {"data", "tenant_key"}} {
			if v, ok := driverkit.RawField(b, path...); !ok || !driverkit.NonEmptyString(v) {
				t.Fatalf("accepted without %v: %q", path, b)
			}
		}
	})
}

var seeds = []string{`{"code":0,"data":{"open_id":"o","session_key":"k","tenant_key":"t"}}`, `{"code":10213,"msg":"x"}`, `{"code":0,"data":null}`}
