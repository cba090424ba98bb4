package alipay

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// An error answer is verified as a success is: signed, it reads plainly;
// unsigned or signed by another key, it keeps its documented class (a
// misconfigured app still reads as Credentials) and says it was not
// signed. Never a success either way.
func TestErrorAnswersAreVerified(t *testing.T) {
	k := testKeys(t)
	other := testKeys(t)
	member := `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"check the key"}`
	signedBy := func(k keys) string {
		return `{"error_response":` + member + `,"sign":"` + k.sign(t, member) + `"}`
	}
	cases := map[string]struct {
		answer   string
		unsigned bool
	}{
		"signed":                {signedBy(k), false},
		"unsigned":              {`{"error_response":` + member + `}`, true},
		"signed by another key": {signedBy(other), true},
	}
	for name, tc := range cases {
		g := newGateway(t, func(url.Values) string { return tc.answer })
		d, err := New(Config{AppID: "2021", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, BaseURL: g.srv.URL})
		require.NoError(t, err)
		_, err = d.Exchange(context.Background(), "c")
		assert.Equal(t, driver.CodeCredentials, taro.CodeOf(err), name)
		if tc.unsigned {
			assert.ErrorContains(t, err, "not signed by Alipay", name)
		} else {
			assert.NotContains(t, err.Error(), "not signed", name)
		}
	}
}

// A phone answer with an empty mobile (no phone bound to the account) is
// a definite answer: not Unavailable, so never retried, and it says why.
func TestEmptyMobile(t *testing.T) {
	k := testKeys(t)
	d, err := New(Config{AppID: "2021000000000001", PrivateKey: k.appPEM, AlipayPublicKey: k.aliPubPEM, AESKey: vectorKey})
	require.NoError(t, err)
	ct := sealAES(t, vectorKey, []byte(`{"code":"10000","msg":"Success","mobile":""}`))
	_, err = d.GetPhoneNumber(context.Background(), driver.PhoneRequest{Response: k.envelope(t, ct)})
	assert.Equal(t, driver.CodeInvalidArgument, taro.CodeOf(err))
	assert.ErrorContains(t, err, "no phone number is bound")

	c, err := taro.NewClient(d)
	require.NoError(t, err)
	_, err = c.GetPhoneNumber(context.Background(), taro.PhoneOption{Platform: taro.Alipay, Response: k.envelope(t, ct), OpenID: "u"})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.NotErrorIs(t, err, taro.ErrUnavailable)
}

// sealAES encrypts as Alipay's phone answers are: AES-CBC, a zero IV,
// PKCS#5 padding, base64.
func sealAES(t *testing.T, key64 string, plain []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(key64)
	require.NoError(t, err)
	b, err := aes.NewCipher(key)
	require.NoError(t, err)
	n := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(n)}, n)...)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(b, make([]byte, aes.BlockSize)).CryptBlocks(out, padded)
	return base64.StdEncoding.EncodeToString(out)
}
