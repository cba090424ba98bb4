package qywx

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// FuzzParseCode2Session: no panic on any answer; an error is a decoding
// error or a defined failure code; a success has "errcode" the number 0, and
// non-empty corpid, userid and session_key, read independently of the decoder.
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
		if v, ok := driverkit.RawField(b, "errcode"); !ok || string(v) != "0" {
			t.Fatalf("accepted without errcode the number 0: %q", b)
		}
		for _, path := range [][]string{{"corpid"}, {"userid"}, {"session_key"}} {
			if v, ok := driverkit.RawField(b, path...); !ok || !driverkit.NonEmptyString(v) {
				t.Fatalf("accepted without %v: %q", path, b)
			}
		}
	})
}

var seeds = []string{`{"corpid":"c","userid":"u","session_key":"k","errcode":0}`, `{"errcode":40029,"errmsg":"x"}`, `{"errcode":"0"}`}
