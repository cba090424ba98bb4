package weapp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func TestFromNative(t *testing.T) {
	d, _ := weapp.New(weapp.Config{AppID: "a", Secret: "s"})
	c, err := taro.NewClient(d)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw, msg string
		code     taro.Code
		pcode    string
	}{
		{`{"errMsg":"checkSession:ok"}`, "checkSession:ok", taro.CodeOK, ""},
		{`{"errMsg":"checkSession:fail session time out, need relogin"}`, "checkSession:fail session invalid", taro.CodeSessionInvalid, ""},
		{`{"errMsg":"checkSession:fail","errno":1}`, "checkSession:fail session invalid", taro.CodeSessionInvalid, "1"},
		{`{"errMsg":"checkSession:fail auth deny","errno":"103"}`, "checkSession:fail session invalid", taro.CodeSessionInvalid, "103"},
		{`{"errMsg":"login:ok"}`, "checkSession:fail invalid argument", taro.CodeInvalidArgument, ""},
		{`{"errno":0}`, "checkSession:fail invalid argument", taro.CodeInvalidArgument, ""},
		{`{"errMsg":null}`, "checkSession:fail invalid argument", taro.CodeInvalidArgument, ""},
		{`<html>`, "checkSession:fail invalid argument", taro.CodeInvalidArgument, ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			res, err := c.FromNative(taro.Weapp, "checkSession", []byte(tt.raw))
			assert.Equal(t, tt.code, taro.CodeOf(err), "%v", err)
			assert.Equal(t, tt.msg, res.ErrMsg)
			assert.Equal(t, tt.pcode, res.PlatformCode)
		})
	}
}

func FuzzFromNative(f *testing.F) {
	for _, s := range []string{
		`{"errMsg":"checkSession:ok"}`,
		`{"errMsg":"checkSession:fail session time out, need relogin"}`,
		`{"errMsg":"checkSession:fail","errno":1}`,
		`{"errMsg":"checkSession:fail auth deny","errno":"103"}`,
		`{}`, `[]`, `"x"`, ``,
	} {
		f.Add([]byte(s))
	}
	d, _ := weapp.New(weapp.Config{AppID: "a", Secret: "s"})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := d.FromNative("checkSession", raw)
		if err != nil {
			if taro.CodeOf(err) != taro.CodeInvalidArgument {
				t.Fatalf("malformed input must be InvalidArgument, got %v", err)
			}
			return
		}
		if r.OK == (r.Code != driver.CodeOK) {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}
