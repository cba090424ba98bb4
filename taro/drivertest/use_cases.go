package drivertest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func (e *env) has(c driver.Capability) bool { return driver.Has(e.d, c) }

func (e *env) phoneFromClient() bool { return driver.TraitsOf(e.d).PhoneFromClient }

// flip changes the first base64 character of a string value.
func flip(v any) any {
	s, _ := v.(string)
	if s == "" {
		return "x"
	}
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}

func (e *env) encrypter() (EncryptHarness, bool) {
	h, ok := e.h.(EncryptHarness)
	return h, ok && e.isAuth()
}

// decryptCall runs Decrypt and checks the callback contract.
func (e *env) decryptCall(c *taro.Client, opt taro.DecryptOption) (taro.DecryptResult, error) {
	e.t.Helper()
	var order []string
	var msgs []string
	opt.Success = func(r taro.DecryptResult) { order = append(order, "success"); msgs = append(msgs, r.ErrMsg) }
	opt.Fail = func(r taro.DecryptResult) { order = append(order, "fail"); msgs = append(msgs, r.ErrMsg) }
	opt.Complete = func(r taro.DecryptResult) { order = append(order, "complete"); msgs = append(msgs, r.ErrMsg) }
	res, err := c.Decrypt(e.ctx, opt)
	want := "fail,complete"
	if err == nil {
		want = "success,complete"
	}
	if got := strings.Join(order, ","); got != want {
		e.t.Errorf("Decrypt called back %q, want %q", got, want)
	}
	for _, m := range msgs {
		if m != res.ErrMsg {
			e.t.Errorf("a callback got errMsg %q, the call returned %q", m, res.ErrMsg)
		}
	}
	if err == nil && res.ErrMsg != taro.APIDecrypt+":ok" {
		e.t.Errorf("success with errMsg %q", res.ErrMsg)
	}
	return res, err
}

func rawSig(raw, key string) string {
	h := sha1.Sum([]byte(raw + key))
	return hex.EncodeToString(h[:])
}

var useCases = []kcase{
	{
		name:    "decrypt/data a client API encrypted opens with the session key, and not with a key a newer login replaced",
		applies: func(e *env) bool { _, ok := e.encrypter(); return ok && e.has(driver.CapDecrypter) },
		run: func(e *env) {
			h, _ := e.encrypter()
			c := e.client(e.d)
			s := e.logIn(c, "user-decrypt")
			data, iv, err := h.Encrypt(e.ctx, s.OpenID, []byte(`{"nickName":"kit","gender":1}`))
			if err != nil {
				e.t.Fatalf("harness Encrypt: %v", err)
			}
			res, err := e.decryptCall(c, taro.DecryptOption{Platform: e.d.Platform(), Session: s, EncryptedData: data, IV: iv})
			if err != nil {
				e.t.Fatalf("Decrypt of freshly encrypted data failed: %v", err)
			}
			var v map[string]any
			if json.Unmarshal(res.Data, &v) != nil || v["nickName"] != "kit" {
				e.t.Errorf("Decrypt returned %s, want the JSON that was encrypted", res.Data)
			}
			b, _ := json.Marshal(res)
			noSecrets(e.t, "the DecryptResult's JSON", string(b), s.SessionKey)

			// A newer login rotates the key: the old key cannot open new data.
			s2 := e.logIn(c, "user-decrypt")
			if s2.SessionKey == s.SessionKey {
				return // a platform that kept the key: nothing stale to test
			}
			data2, iv2, err := h.Encrypt(e.ctx, s.OpenID, []byte(`{"a":1}`))
			if err != nil {
				e.t.Fatalf("harness Encrypt: %v", err)
			}
			res, err = e.decryptCall(c, taro.DecryptOption{Platform: e.d.Platform(), Session: s, EncryptedData: data2, IV: iv2})
			wantCode(e.t, err, taro.CodeSessionInvalid, "data the key cannot open is the stale-key case: the user must log in again")
			noSecrets(e.t, "the error", fmt.Sprintf("%v %+v", err, err)+res.ErrMsg, s.SessionKey, s2.SessionKey)
			if _, err := e.decryptCall(c, taro.DecryptOption{Platform: e.d.Platform(), Session: s2, EncryptedData: data2, IV: iv2}); err != nil {
				e.t.Errorf("Decrypt with the current key failed: %v", err)
			}
		},
	},
	{
		name:    "decrypt/malformed input is InvalidArgument before anything is opened",
		applies: func(e *env) bool { return e.has(driver.CapDecrypter) },
		run: func(e *env) {
			c := e.client(e.d)
			s := taro.Session{OpenID: "u", SessionKey: "MDEyMzQ1Njc4OWFiY2RlZg=="}
			for name, opt := range map[string]taro.DecryptOption{
				"data not base64":    {Session: s, EncryptedData: "%%%", IV: "MDEyMzQ1Njc4OWFiY2RlZg=="},
				"no iv":              {Session: s, EncryptedData: "MDEyMzQ1Njc4OWFiY2RlZg=="},
				"iv not 16 bytes":    {Session: s, EncryptedData: "MDEyMzQ1Njc4OWFiY2RlZg==", IV: "AAAA"},
				"data partial block": {Session: s, EncryptedData: "MDEyMzQ1Njc4OQ==", IV: "MDEyMzQ1Njc4OWFiY2RlZg=="},
				"no session key":     {Session: taro.Session{OpenID: "u"}, EncryptedData: "MDEyMzQ1Njc4OWFiY2RlZg==", IV: "MDEyMzQ1Njc4OWFiY2RlZg=="},
				"no data":            {Session: s, IV: "MDEyMzQ1Njc4OWFiY2RlZg=="},
			} {
				opt.Platform = e.d.Platform()
				_, err := e.decryptCall(c, opt)
				wantCode(e.t, err, taro.CodeInvalidArgument, name+": malformed input names what is wrong")
			}
		},
	},
	{
		name:    "rawData/the signature is hex(sha1(rawData + session_key)), compared exactly",
		applies: func(e *env) bool { return e.has(driver.CapRawDataVerifier) },
		run: func(e *env) {
			c := e.client(e.d)
			s := taro.Session{OpenID: "u", SessionKey: secret("key")}
			raw := `{"nickName":"kit"}`
			if err := c.VerifyRawData(e.d.Platform(), s, raw, rawSig(raw, s.SessionKey)); err != nil {
				e.t.Errorf("a correct signature was refused: %v", err)
			}
			err := c.VerifyRawData(e.d.Platform(), s, raw+" ", rawSig(raw, s.SessionKey))
			wantCode(e.t, err, taro.CodeSessionInvalid, "a signature that does not match is a session problem")
			noSecrets(e.t, "the error", fmt.Sprintf("%v %+v", err, err), s.SessionKey)
			wantCode(e.t, c.VerifyRawData(e.d.Platform(), s, raw, "zz"), taro.CodeInvalidArgument, "a malformed signature is an error too")
		},
	},
	{
		name: "phone/a number the client was handed is opened offline only when its signature verifies, and a Code is refused",
		applies: func(e *env) bool {
			_, ok := e.h.(PhoneHarness)
			return ok && e.has(driver.CapPhoneNumber) && e.phoneFromClient()
		},
		run: func(e *env) {
			h := e.h.(PhoneHarness)
			c := e.client(e.d)
			p := e.d.Platform()
			resp, err := h.PhoneCode(e.ctx, "user-phone", "13800138000")
			if err != nil {
				e.t.Fatalf("harness PhoneCode: %v", err)
			}
			_, err = c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: p, Response: resp})
			wantCode(e.t, err, taro.CodeInvalidArgument, "a Response without the OpenID presenting it")
			res, err := c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: p, Response: resp, OpenID: "user-phone"})
			if err != nil || res.PurePhoneNumber != "13800138000" || res.ErrMsg != taro.APIGetPhoneNumber+":ok" {
				e.t.Fatalf("GetPhoneNumber = %+v, %v; want the number", res, err)
			}
			if _, err := c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: p, Response: resp, OpenID: "user-phone"}); err != nil {
				e.t.Fatalf("the first user presents the envelope again: %v", err)
			}
			_, err = c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: p, Response: resp, OpenID: "another-user"})
			wantCode(e.t, err, taro.CodeInvalidCode, "an envelope presented by another user than its first")
			_, err = c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: p, Code: "a-code"})
			wantCode(e.t, err, taro.CodeInvalidArgument, "this platform hands over the number, not a code: Response is required")
			var env map[string]any
			if json.Unmarshal([]byte(resp), &env) != nil {
				e.t.Fatalf("the harness's response is not a JSON object")
			}
			var first error
			for i, mutate := range []func(map[string]any){
				func(m map[string]any) { delete(m, "sign") },
				func(m map[string]any) { m["sign"] = flip(m["sign"]) },
				func(m map[string]any) { m["response"] = flip(m["response"]) },
			} {
				m := maps.Clone(env)
				mutate(m)
				b, _ := json.Marshal(m)
				_, err := c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: p, Response: string(b), OpenID: "user-phone"})
				wantCode(e.t, err, taro.CodeInvalidArgument, "an unsigned or tampered response is never a number")
				if i == 1 {
					first = err
				} else if i == 2 && err != nil && first != nil && err.Error() != first.Error() {
					e.t.Errorf("a bad signature and a bad ciphertext answer differently (%q, %q): that is an oracle", first, err)
				}
			}
		},
	},
	{
		name: "phone/a phone-number code is exchanged once, through the shared token",
		applies: func(e *env) bool {
			_, ok := e.h.(PhoneHarness)
			return ok && e.has(driver.CapPhoneNumber) && !e.phoneFromClient()
		},
		run: func(e *env) {
			h := e.h.(PhoneHarness)
			c := e.client(e.d)
			code, err := h.PhoneCode(e.ctx, "user-phone", "13800138000")
			if err != nil {
				e.t.Fatalf("harness PhoneCode: %v", err)
			}
			res, err := c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: e.d.Platform(), Code: code})
			if err != nil || res.PurePhoneNumber != "13800138000" || res.ErrMsg != taro.APIGetPhoneNumber+":ok" {
				e.t.Fatalf("GetPhoneNumber = %+v, %v; want the number", res, err)
			}
			_, err = c.GetPhoneNumber(e.ctx, taro.PhoneOption{Platform: e.d.Platform(), Code: code})
			wantCode(e.t, err, taro.CodeInvalidCode, "a phone-number code is single-use")
		},
	},
	{
		name:    "reset/a reset hands out a new key and makes the old one invalid at once",
		applies: func(e *env) bool { _, ok := e.login(); return ok && e.has(driver.CapSessionResetter) },
		run: func(e *env) {
			c := e.client(e.d)
			old := e.logIn(c, "user-reset")
			res, err := c.ResetSession(e.ctx, taro.Option{Platform: e.d.Platform(), Session: old})
			if err != nil {
				e.t.Fatalf("ResetSession: %v", err)
			}
			if res.Session.SessionKey == "" || res.Session.SessionKey == old.SessionKey || res.Session.OpenID != old.OpenID {
				e.t.Fatalf("ResetSession returned %v, want a new key for the same openid", res.Session)
			}
			b, _ := json.Marshal(res)
			noSecrets(e.t, "the result's JSON", string(b), res.Session.SessionKey, old.SessionKey)
			r := e.checkSession(e.ctx, c, old)
			wantCode(e.t, r.err, taro.CodeSessionInvalid, "the old key is invalid as soon as the reset is recorded")
			if r := e.checkSession(e.ctx, c, res.Session); r.err != nil {
				e.t.Errorf("the new session is not valid: %v", r.err)
			}
		},
	},
	{
		name:    "token/AccessToken hands every caller the one managed token; invalidating a stale one changes nothing",
		applies: func(e *env) bool { return e.has(driver.CapTokenFetcher) },
		run: func(e *env) {
			c := e.client(e.d)
			var wg sync.WaitGroup
			toks := make([]string, 20)
			errs := make([]error, 20)
			for i := range toks {
				wg.Add(1)
				go func() { defer wg.Done(); toks[i], errs[i] = c.AccessToken(e.ctx, e.d.Platform()) }()
			}
			wg.Wait()
			for i := range toks {
				if errs[i] != nil {
					e.t.Fatalf("AccessToken: %v", errs[i])
				}
				if toks[i] == "" || toks[i] != toks[0] {
					e.t.Fatalf("callers got different tokens: the token is managed once per app")
				}
			}
			if err := c.InvalidateAccessToken(e.ctx, e.d.Platform(), toks[0]+"-stale"); err != nil {
				e.t.Errorf("InvalidateAccessToken of a stale token: %v", err)
			}
			if tok, _ := c.AccessToken(context.Background(), e.d.Platform()); tok != toks[0] {
				e.t.Errorf("invalidating a token that is not the cached one replaced the cached one")
			}
			if fh, ok := e.h.(FaultHarness); ok {
				before := fh.Requests(EndpointToken)
				if err := c.InvalidateAccessToken(e.ctx, e.d.Platform(), toks[0]); err != nil {
					e.t.Fatal(err)
				}
				if _, err := c.AccessToken(e.ctx, e.d.Platform()); err != nil {
					e.t.Fatal(err)
				}
				if got := fh.Requests(EndpointToken) - before; got != 1 {
					e.t.Errorf("%d token fetches after invalidating the cached token, want 1", got)
				}
			}
		},
	},
}
