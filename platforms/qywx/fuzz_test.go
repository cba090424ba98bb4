package qywx

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

var seeds = []string{`{"corpid":"c","userid":"u","session_key":"k","errcode":0}`, `{"errcode":40029,"errmsg":"x"}`, `{"errcode":"0"}`}
