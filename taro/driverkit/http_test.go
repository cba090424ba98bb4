package driverkit

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/taro/driver"
)

func TestDecode(t *testing.T) {
	var v struct {
		Code Code   `json:"errcode"`
		Msg  string `json:"errmsg"`
	}
	for body, want := range map[string]string{
		``:                           "empty response body",
		`<html>`:                     "an HTML page instead of JSON",
		`[1]`:                        "response is not a JSON object",
		`{"errcode":1`:               "truncated JSON",
		`{"errcode":1,}`:             "malformed JSON at byte 14",
		`{"errcode":{}}`:             `JSON field "errcode" has the wrong type`,
		`{"errcode":true}`:           `JSON field "errcode" has the wrong type`,
		`  {"errcode":-1}  `:         "",
		`{"errcode":"40029"}`:        "",
		`{"errcode":null}`:           "",
		`{"errcode":"x","errmsg":5}`: `JSON field "errmsg" has the wrong type (number)`,
	} {
		err := Decode([]byte(body), &v)
		if want == "" {
			assert.NoError(t, err, body)
			continue
		}
		assert.ErrorContains(t, err, want, body)
	}
	var c Code
	assert.NoError(t, json.Unmarshal([]byte(`-1`), &c))
	assert.Equal(t, Code("-1"), c)
	assert.False(t, c.IsZero())
	assert.True(t, Code("0").IsZero())
}

func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var v struct {
			Code Code   `json:"errcode"`
			Msg  string `json:"errmsg"`
		}
		_ = Decode(b, &v)
	})
}

func TestObject(t *testing.T) {
	o := ParseObject([]byte(` {"errcode":0,"ErrCode":1,"s":"a\"b","n":{"x":[1,{"y":"}"}],"k":"v"},"openid":"o1","openid":"o2","e":"\u00e9"} `))
	assert.True(t, o.IsZero("errcode"))
	assert.False(t, o.IsZero("ErrCode"))
	assert.False(t, o.IsZero("errCode"))
	s, ok := o.String("s")
	assert.True(t, ok)
	assert.Equal(t, `a"b`, s)
	assert.True(t, o.Get("n").Confirm("k", "v"))
	assert.True(t, o.Confirm("openid", "o2"), "the last duplicate counts")
	assert.False(t, o.Confirm("openid", "o1"))
	assert.True(t, o.Confirm("e", "é"), "escapes are decoded for the value")
	assert.False(t, o.Confirm("missing", ""))
	assert.Nil(t, ParseObject([]byte(`[1]`)))
	assert.False(t, ParseObject([]byte(`{"a":`)).IsZero("a"))
	assert.False(t, Object(nil).IsZero("a"))
	n, ok := ParseObject([]byte(`{"expires_in":7200}`)).Positive("expires_in")
	assert.True(t, ok)
	assert.Equal(t, int64(7200), n)
	_, ok = ParseObject([]byte(`{"expires_in":-1}`)).Positive("expires_in")
	assert.False(t, ok)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = o.IsZero("errcode"); _ = o.Get("n").Confirm("k", "v") }))
}

func TestObjectToken(t *testing.T) {
	for body, want := range map[string]string{
		`{"access_token":"T","expires_in":7200}`: "",
		`{"access_token":"T","expires_in":0}`:    "NotUnderstood",
		`{"access_token":"T","expires_in":"7"}`:  "NotUnderstood",
		`{"access_token":"","expires_in":7200}`:  "NotUnderstood",
		`{"access_token":7,"expires_in":7200}`:   "NotUnderstood",
		`{"expires_in":7200}`:                    "NotUnderstood",
		`{"Access_token":"T","expires_in":7200}`: "NotUnderstood",
	} {
		tok, err := ParseObject([]byte(body)).Token("access_token", "expires_in")
		if want == "" {
			assert.NoError(t, err, body)
			assert.Equal(t, driver.Token{Value: "T", ExpiresIn: 2 * time.Hour}, tok)
			continue
		}
		assert.ErrorIs(t, err, ErrNotUnderstood, body)
		assert.Zero(t, tok, body)
		assert.NotContains(t, err.Error(), "T\"", body)
	}
}

// FuzzObject: the exact-name reader agrees with encoding/json's map
// decoding (which is case-sensitive) wherever it finds a member.
func FuzzObject(f *testing.F) {
	f.Add([]byte(`{"errcode":0,"a":{"b":"c"}}`), "errcode")
	f.Add([]byte("{\"\xff\":0}"), "\xff") // a name that is not UTF-8 (found by the fuzzer)
	f.Fuzz(func(t *testing.T, b []byte, key string) {
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return
		}
		o := ParseObject(b)
		if o.IsZero(key) && string(bytes.TrimSpace(m[key])) != "0" {
			t.Fatalf("IsZero(%q) on %q, but the map holds %s", key, b, m[key])
		}
		if s, ok := o.String(key); ok {
			var want string
			if json.Unmarshal(m[key], &want) != nil || want != s {
				t.Fatalf("String(%q) = %q on %q, map holds %s", key, s, b, m[key])
			}
		}
	})
}
