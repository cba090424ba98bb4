package xhs

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// check is the oracle of the decoders: no panic; an error is a decoding
// error or a *driver.Error with a defined failure code; a success has an
// explicit "success":true, no failing code, and the fields under data.
func check(t *testing.T, b []byte, err error, fields ...string) {
	t.Helper()
	var de *driver.Error
	if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
		t.Fatalf("a platform error with code %v", de.Code)
	}
	if err != nil {
		return
	}
	o := driverkit.ParseObject(b)
	if !o.IsTrue("success") {
		t.Fatalf("accepted without \"success\":true: %q", b)
	}
	if v, ok := driverkit.RawField(b, "code"); ok && string(v) != "0" && string(v) != `"0"` {
		t.Fatalf("accepted with code %s: %q", v, b)
	}
	for _, f := range fields {
		if v, ok := driverkit.RawField(b, "data", f); !ok || !driverkit.NonEmptyString(v) {
			if f != "openid" {
				t.Fatalf("accepted without data.%s: %q", f, b)
			}
			if v, ok := driverkit.RawField(b, "data", "open_id"); !ok || !driverkit.NonEmptyString(v) {
				t.Fatalf("accepted without data.openid or data.open_id: %q", b)
			}
		}
	}
}

func FuzzParseCode2Session(f *testing.F) {
	f.Add([]byte(`{"success":true,"code":0,"data":{"openid":"o","session_key":"k"}}`))
	f.Add([]byte(`{"success":true,"code":0,"data":{"open_id":"o","session_key":"k"}}`))
	f.Add([]byte(`{"success":false,"code":410103,"msg":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseCode2Session(b)
		check(t, b, err, "openid", "session_key")
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"success":true,"code":0,"msg":"success","data":{"access_token":"t","expire_in":7200}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseToken(b)
		check(t, b, err, "access_token")
	})
}

func FuzzFromNative(f *testing.F) {
	f.Add("checkSession", []byte(`{"errMsg":"checkSession:ok"}`))
	f.Fuzz(func(t *testing.T, api string, b []byte) {
		r, err := FromNative(api, b)
		if err != nil && r.OK {
			t.Fatal("OK with an error")
		}
	})
}
