package lark

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
)

// FuzzParseCode2Session: no panic on any answer, an error is a decoding
// error or a defined failure code, and a success has an openid.
func FuzzParseCode2Session(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseCode2Session(b)
		var de *driver.Error
		if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
			t.Fatalf("a platform error with code %v", de.Code)
		}
		if err == nil && r.OpenID == "" {
			t.Fatal("a login without an openid")
		}
	})
}

var seeds = []string{`{"code":0,"data":{"open_id":"o","session_key":"k","tenant_key":"t"}}`, `{"code":10213,"msg":"x"}`, `{"code":0,"data":null}`}
