package weapp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// WeChat's published WXBizMsgCrypt sample: its msg_signature verifies and
// its ciphertext opens to the 280-byte message, from the sample's app.
func TestMsgCryptPublishedVector(t *testing.T) {
	m, err := newMsgCrypt("spamtest", sampleKey, "wx2c2769f8efd9abc2")
	require.NoError(t, err)
	const (
		ts, nonce = "1409735669", "1320562132"
		sig       = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
		enc       = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	)
	assert.Equal(t, sig, m.signature(ts, nonce, enc))
	msg, err := m.open(sig, ts, nonce, enc)
	require.NoError(t, err)
	assert.Len(t, msg, 280)
	assert.True(t, strings.HasPrefix(string(msg), "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"))
	assert.Contains(t, string(msg), "<Content><![CDATA[abcdteT]]></Content>")
	assert.Contains(t, string(msg), "<MsgId>6054768590064713728</MsgId>")
	assert.Equal(t, 6, strings.Count(string(msg), "\n"), "7 lines")

	// Each part refused alike: the signature, the ciphertext, the app.
	other, err := newMsgCrypt("spamtest", sampleKey, "wx-another-component")
	require.NoError(t, err)
	for name, open := range map[string]func() ([]byte, error){
		"signature": func() ([]byte, error) { return m.open(strings.Replace(sig, "5", "6", 1), ts, nonce, enc) },
		"timestamp": func() ([]byte, error) { return m.open(sig, "1409735670", nonce, enc) },
		"token":     func() ([]byte, error) { return mustCrypt(t, "spamtesT").open(sig, ts, nonce, enc) },
		"appid":     func() ([]byte, error) { return other.open(sig, ts, nonce, enc) },
		"base64": func() ([]byte, error) {
			bad := "!" + enc[1:]
			return m.open(m.signature(ts, nonce, bad), ts, nonce, bad)
		},
		"blocks": func() ([]byte, error) {
			short := enc[:len(enc)-8] + "AAAA"
			return m.open(m.signature(ts, nonce, short), ts, nonce, short)
		},
	} {
		_, err := open()
		assert.ErrorIs(t, err, errRefused, name)
	}
}

// WxJava's encryption vector (a fixed random prefix) opens to its
// message; its msg_signature is the one computed from the scheme.
func TestMsgCryptEncryptionVector(t *testing.T) {
	m := mustCrypt(t, "pamtest")
	m.appID = "wxb11529c136998cb6"
	const enc = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
	sig := m.signature("1409304348", "xxxxxx", enc)
	assert.Equal(t, "82c962d39941aa48552f90ef55aa323dc620cc10", sig)
	msg, err := m.open(sig, "1409304348", "xxxxxx", enc)
	require.NoError(t, err)
	assert.Equal(t, "我是中文abcd123", string(msg))
}

func TestMsgCryptKeys(t *testing.T) {
	for _, k := range []string{"", sampleKey[:42], sampleKey + "H", "!bcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"} {
		_, err := newMsgCrypt("t", k, "wx")
		assert.Error(t, err, k)
	}
}

func mustCrypt(t *testing.T, token string) *msgCrypt {
	m, err := newMsgCrypt(token, sampleKey, "wx2c2769f8efd9abc2")
	require.NoError(t, err)
	return m
}
