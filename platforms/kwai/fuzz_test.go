package kwai

import (
	"errors"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// check is every decoder's property: no panic, a defined failure code,
// and a success only on an explicit "result":1 with the success fields.
func check(t *testing.T, b []byte, err error, fields ...string) {
	t.Helper()
	var de *driver.Error
	if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
		t.Fatalf("a platform error with code %v", de.Code)
	}
	if err != nil {
		return
	}
	if v, ok := driverkit.RawField(b, "result"); !ok || string(v) != "1" {
		t.Fatalf("accepted without result 1: %q", b)
	}
	for _, f := range fields {
		if v, ok := driverkit.RawField(b, f); !ok || !driverkit.NonEmptyString(v) {
			t.Fatalf("accepted without %s: %q", f, b)
		}
	}
}

func FuzzParseCode2Session(f *testing.F) {
	f.Add([]byte(`{"result":1,"open_id":"o","session_key":"k"}`))
	f.Add([]byte(`{"result":100200100,"error_msg":"x"}`))
	f.Add([]byte(`{"result":1,"openid":"o","session_key":"k"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseCode2Session(b)
		check(t, b, err, "session_key")
		if err != nil {
			return
		}
		// The id is open_id, or openid when open_id is absent or empty
		// (the field has been renamed before).
		id, ok := driverkit.RawField(b, "open_id")
		if !ok || !driverkit.NonEmptyString(id) {
			id, ok = driverkit.RawField(b, "openid")
		}
		if !ok || !driverkit.NonEmptyString(id) || r.OpenID == "" {
			t.Fatalf("accepted without open_id or openid: %q", b)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"result":1,"access_token":"t","expires_in":172800,"token_type":"bearer"}`))
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
