package tt_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/tt/ttfake"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// seal encrypts v as Douyin does for phone numbers: JSON, RSA PKCS#1 v1.5
// in blocks, base64.
func seal(t *testing.T, pub *rsa.PublicKey, v any) string {
	t.Helper()
	plain, _ := json.Marshal(v)
	var out []byte
	for chunk := pub.Size() - 11; len(plain) > 0; {
		n := min(chunk, len(plain))
		ct, err := rsa.EncryptPKCS1v15(rand.Reader, pub, plain[:n])
		require.NoError(t, err)
		out, plain = append(out, ct...), plain[n:]
	}
	return base64.StdEncoding.EncodeToString(out)
}

func key(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	b, _ := pem.Decode([]byte(ttfake.AppPrivateKey))
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	require.NoError(t, err)
	return k.(*rsa.PrivateKey)
}

// Douyin's phone number by code: the request's shape, the RSA-encrypted
// data opened with the app's key (PKCS#8 or PKCS#1), the watermark, the
// codes, and the key kept out of every printout.
func TestPhoneNumberByCode(t *testing.T) {
	ctx := context.Background()
	k := key(t)
	answer := func(v any) string {
		return `{"err_no":0,"err_tips":"success","log_id":"1","data":"` + seal(t, &k.PublicKey, v) + `"}`
	}
	rec := sandboxtest.NewRecorder(answer(map[string]any{"phoneNumber": "13800138000", "purePhoneNumber": "13800138000", "countryCode": 86,
		"watermark": map[string]any{"appid": appID, "timestamp": 1700000000}}))
	defer rec.Close()
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	for name, pemKey := range map[string]string{"PKCS#8": ttfake.AppPrivateKey, "PKCS#1": pkcs1} {
		d, err := tt.New(tt.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client(), PhonePrivateKey: pemKey})
		require.NoError(t, err, name)
		assert.True(t, driver.Has(d, driver.CapPhoneNumber))
		ph, err := d.GetPhoneNumber(ctx, driver.PhoneRequest{Code: "phone-code", AccessToken: "TOKEN-0123456789abcdef"})
		require.NoError(t, err, name)
		assert.Equal(t, driver.PhoneNumber{PhoneNumber: "13800138000", PurePhoneNumber: "13800138000", CountryCode: "86"}, ph, "countryCode as a string, whichever way it came")
		r := rec.Last()
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/api/apps/v1/get_phonenumber_info/", r.Path)
		assert.Equal(t, "TOKEN-0123456789abcdef", r.Header.Get("access-token"))
		assert.JSONEq(t, `{"code":"phone-code"}`, r.Body)
	}

	d, err := tt.New(tt.Config{AppID: appID, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client(), PhonePrivateKey: ttfake.AppPrivateKey})
	require.NoError(t, err)
	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	for body, code := range map[string]taro.Code{
		answer(map[string]any{"phoneNumber": "1", "watermark": map[string]any{"appid": "another-app"}}): taro.CodeUnavailable,
		answer(map[string]any{"phoneNumber": "1"}):                                                      taro.CodeUnavailable, // no watermark
		`{"err_no":0,"data":"` + seal(t, &other.PublicKey, map[string]any{"phoneNumber": "1"}) + `"}`:   taro.CodeUnavailable, // another key
		`{"err_no":0,"data":"bm90IFJTQQ=="}`:                                                            taro.CodeUnavailable,
		`{"err_no":0}`:                                                                                  taro.CodeUnavailable,
		`{"err_no":28005187,"err_tips":"code expired"}`:                                                 taro.CodeInvalidCode,
		`{"err_no":28001003,"err_tips":"invalid access_token"}`:                                         taro.CodeTokenInvalid,
		`{"err_no":-1,"err_tips":"system error"}`:                                                       taro.CodeUnavailable,
		`{"data":"` + seal(t, &k.PublicKey, map[string]any{}) + `"}`:                                    taro.CodeUnavailable, // no err_no
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.GetPhoneNumber(ctx, driver.PhoneRequest{Code: "c", AccessToken: "t"})
		assert.Equal(t, code, taro.CodeOf(err), body)
	}

	mini, err := tt.New(tt.Config{AppID: appID, Secret: secret})
	require.NoError(t, err)
	assert.False(t, driver.Has(mini, driver.CapPhoneNumber), "offered only with Config.PhonePrivateKey")
	_, err = tt.New(tt.Config{AppID: appID, Secret: secret, PhonePrivateKey: "not a key"})
	assert.Equal(t, taro.CodeInvalidArgument, taro.CodeOf(err))
	assert.ErrorContains(t, err, "Config.PhonePrivateKey")
	cfg := tt.Config{AppID: appID, Secret: secret, PhonePrivateKey: ttfake.AppPrivateKey}
	b, _ := json.Marshal(cfg)
	for _, out := range []string{string(b), fmt.Sprintf("%+v %#v %v", cfg, cfg, d)} {
		assert.NotContains(t, out, "PRIVATE KEY")
		assert.NotContains(t, out, ttfake.AppPrivateKey[40:80])
	}
}
