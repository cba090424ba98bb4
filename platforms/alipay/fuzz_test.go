package alipay

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

var fuzzSetup = sync.OnceValues(func() (*Driver, keys) {
	k := testKeys(nil)
	d, err := New(Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, AESKey: vectorKey})
	if err != nil {
		panic(err)
	}
	return d, k
})

// definedFailure fails t on a platform error without a defined failure
// code.
func definedFailure(t *testing.T, err error) {
	t.Helper()
	var de *driver.Error
	if errors.As(err, &de) && (de.Code == driver.CodeOK || !de.Code.Valid()) {
		t.Fatalf("a platform error with code %v", de.Code)
	}
}

// FuzzVerifiedGrant: a gateway answer is a grant only when, read
// independently by encoding/json, its response member's exact text carries
// a sign that verifies with Alipay's key, an open_id or user_id, an
// access_token, a positive expires_in and no code.
func FuzzVerifiedGrant(f *testing.F) {
	_, k := fuzzSetup()
	f.Add([]byte(signedAnswer(f, k, goodMember)))
	f.Add([]byte(signedAnswer(f, k, `{"user_id":"2088","access_token":"a","expires_in":"60"}`)))
	f.Add([]byte(signedAnswer(f, k, `{"code":"10000","user_id":"2088","access_token":"a","expires_in":60}`)))
	f.Add([]byte(`{"error_response":{"code":"40002","sub_code":"isv.code-invalid"},"sign":"x"}`))
	f.Add([]byte(`{"alipay_system_oauth_token_response":{"open_id":"o"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, _ := fuzzSetup()
		var g Grant
		o, err := d.verified(b, "alipay_system_oauth_token_response")
		if err == nil {
			g, err = readGrant(o)
		}
		definedFailure(t, err)
		if err != nil {
			return
		}
		member, ok1 := driverkit.RawField(b, "alipay_system_oauth_token_response")
		signRaw, ok2 := driverkit.RawField(b, "sign")
		var sig string
		if !ok1 || !ok2 || json.Unmarshal(signRaw, &sig) != nil || !driverkit.VerifyRSA2(d.alipayKey, member, sig) {
			t.Fatalf("accepted without a verifying signature: %q", b)
		}
		if _, bad := driverkit.RawField(b, "error_response"); bad {
			t.Fatalf("accepted an answer with an error_response: %q", b)
		}
		id := "open_id"
		if g.IDField == "user_id" {
			id = "user_id"
		}
		if v, ok := driverkit.RawField(member, id); !ok || !driverkit.NonEmptyString(v) || g.OpenID == "" {
			t.Fatalf("accepted without %s: %q", id, b)
		}
		if _, hasCode := driverkit.RawField(member, "code"); hasCode {
			t.Fatalf("accepted a member with a code: %q", b)
		}
		if v, ok := driverkit.RawField(member, "access_token"); !ok || !driverkit.NonEmptyString(v) || g.ExpiresIn <= 0 {
			t.Fatalf("accepted without an access_token and a positive expires_in: %q", b)
		}
	})
}

// FuzzOpenPhoneResponse: an envelope opens only when, read independently,
// its sign verifies over the quoted response with Alipay's key.
func FuzzOpenPhoneResponse(f *testing.F) {
	_, k := fuzzSetup()
	f.Add(k.envelope(f, vectorCipher))
	f.Add(`{"response":"` + vectorCipher + `"}`)
	f.Add(`{"response":"{}","sign":"x"}`)
	f.Fuzz(func(t *testing.T, env string) {
		d, _ := fuzzSetup()
		plain, err := d.OpenPhoneResponse(env)
		definedFailure(t, err)
		if err != nil {
			return
		}
		var resp, sig string
		r, ok1 := driverkit.RawField([]byte(env), "response")
		s, ok2 := driverkit.RawField([]byte(env), "sign")
		if !ok1 || !ok2 || json.Unmarshal(r, &resp) != nil || json.Unmarshal(s, &sig) != nil ||
			!driverkit.VerifyRSA2(d.alipayKey, []byte(`"`+resp+`"`), sig) {
			t.Fatalf("opened without a verifying signature: %q", env)
		}
		if driverkit.ParseObject(plain) == nil {
			t.Fatalf("opened to something other than a JSON object")
		}
	})
}
