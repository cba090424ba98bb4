package tt

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tarogo/adapter/platforms/tt/ttfake"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
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
	f.Add([]byte(`{"err_no":0,"err_tips":"success","data":{"openid":"o","session_key":"k","anonymous_openid":"a"}}`))
	f.Add([]byte(`{"err_no":0,"data":{"anonymous_openid":"a","session_key":"k"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, withCode := range []bool{true, false} {
			parseC2S(t, b, withCode)
		}
	})
}

// parseC2S checks one parse of a code2session answer.
func parseC2S(t *testing.T, b []byte, withCode bool) {
	t.Helper()
	{
		r, err := parseCode2Session(b, withCode)
		checkParsed(t, err)
		if err == nil {
			mustHave(t, b, "err_no 0", isZero, "err_no")
			if withCode {
				mustHave(t, b, "an openid", driverkit.NonEmptyString, "data", "openid")
				mustHave(t, b, "a session_key", driverkit.NonEmptyString, "data", "session_key")
			} else {
				mustHave(t, b, "an anonymous_openid", driverkit.NonEmptyString, "data", "anonymous_openid")
				if r.SessionKey != "" || r.OpenID != "" {
					t.Fatalf("an anonymous-only login returned a session: %q", b)
				}
			}
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"err_no":0,"err_tips":"success","data":{"access_token":"t","expires_in":7200}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseToken(b)
		checkParsed(t, err)
		if err == nil {
			mustHave(t, b, "err_no 0", isZero, "err_no")
			mustHave(t, b, "an access_token", driverkit.NonEmptyString, "data", "access_token")
			mustHave(t, b, "a positive expires_in", positive, "data", "expires_in")
		}
	})
}

func FuzzParseCheck(f *testing.F) {
	f.Add([]byte(`{"err_no":0,"err_msg":"","log_id":"1"}`))
	f.Add([]byte(`{"err_msg":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := parseCheck(b)
		checkParsed(t, err)
		if err == nil {
			mustHave(t, b, "err_no 0", isZero, "err_no")
		}
	})
}

// mustHave fails unless the object b has a field at path whose raw JSON
// satisfies ok: the oracle that a decoder reporting success saw the
// platform's explicit success form.
func mustHave(t *testing.T, b []byte, what string, ok func(json.RawMessage) bool, path ...string) {
	t.Helper()
	v, found := driverkit.RawField(b, path...)
	if !found || !ok(v) {
		t.Fatalf("accepted as a success without %s: %q", what, b)
	}
}

func isZero(v json.RawMessage) bool { return string(v) == "0" }

func positive(v json.RawMessage) bool {
	var n float64
	return json.Unmarshal(v, &n) == nil && n > 0
}

// FuzzParsePhone: on any answer, no panic; a success only for err_no 0
// and data that opens with the app's key into a phone number whose
// watermark names the app.
func FuzzParsePhone(f *testing.F) {
	d, err := New(Config{AppID: "tt-sandbox-app", Secret: "s", PhonePrivateKey: ttfake.AppPrivateKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"err_no":0,"err_tips":"success","data":"AAAA"}`))
	f.Add([]byte(`{"err_no":28005187,"err_tips":"code expired"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ph, err := d.parsePhone(b)
		var de *driver.Error
		if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
			t.Fatalf("a platform error with code %v", de.Code)
		}
		if err == nil {
			if !driverkit.ParseObject(b).IsZero("err_no") || ph.PhoneNumber == "" {
				t.Fatalf("accepted without err_no 0 or a phone number: %q", b)
			}
		}
	})
}
