package httpx

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
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
