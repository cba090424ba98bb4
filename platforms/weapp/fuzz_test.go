package weapp

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	f.Add([]byte(`{"openid":"o","session_key":"k"}`))
	f.Add([]byte(`{"errcode":0,"openid":"o","session_key":"k"}`))
	f.Add([]byte(`{"errcode":null,"openid":"o","session_key":"k"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := api.ParseCode2Session(b)
		checkParsed(t, err)
		if err == nil {
			if v, ok := driverkit.RawField(b, "errcode"); ok && !isZero(v) {
				t.Fatalf("accepted with errcode %s: %q", v, b)
			}
			mustHave(t, b, "an openid", driverkit.NonEmptyString, "openid")
			mustHave(t, b, "a session_key", driverkit.NonEmptyString, "session_key")
		}
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"access_token":"t","expires_in":7200}`))
	f.Add([]byte(`{"access_token":"t","expires_in":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := api.ParseToken(b)
		checkParsed(t, err)
		if err == nil {
			if v, ok := driverkit.RawField(b, "errcode"); ok && !isZero(v) {
				t.Fatalf("accepted with errcode %s: %q", v, b)
			}
			mustHave(t, b, "an access_token", driverkit.NonEmptyString, "access_token")
			mustHave(t, b, "a positive expires_in", positive, "expires_in")
		}
	})
}

func FuzzParseCheck(f *testing.F) {
	f.Add([]byte(`{"errcode":0,"errmsg":"ok"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"errcode":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := parseCheck(b)
		checkParsed(t, err)
		if err == nil {
			mustHave(t, b, "errcode 0", isZero, "errcode")
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

// FuzzComponentPush feeds the component's event URL any body, signature
// and ciphertext (signed with the right Token, so decryption is reached):
// no panic, and only a well-formed push of the component's own is
// accepted.
func FuzzComponentPush(f *testing.F) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	m, _ := newMsgCrypt("tk", key, "wx-comp")
	c, err := NewComponent(ComponentConfig{AppID: "wx-comp", Secret: "s", Token: "tk", EncodingAESKey: key})
	if err != nil {
		f.Fatal(err)
	}
	h := c.Handler()
	f.Add("hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+", "<xml><AppId>wx-comp</AppId></xml>", true)
	f.Add("", "<xml/>", false)
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==", "<xml><Encrypt>x</Encrypt>", true)
	f.Fuzz(func(t *testing.T, enc, envelope string, sign bool) {
		sig := "0"
		if sign {
			sig = m.signature("1", "2", enc)
		}
		if msg, err := m.open(sig, "1", "2", enc); err == nil && msg == nil {
			t.Fatal("no error and no message")
		}
		body := envelope
		if sign {
			body = "<xml><AppId>wx-comp</AppId><Encrypt>" + enc + "</Encrypt></xml>"
		}
		r := httptest.NewRequest(http.MethodPost, "/?timestamp=1&nonce=2&msg_signature="+sig, strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d", w.Code)
		}
	})
}
