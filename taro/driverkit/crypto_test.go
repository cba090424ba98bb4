package driverkit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro/driver"
)

// WeChat's official demo vector (WXBizDataCrypt).
const (
	wxAppID = "wx4f4bc4dec97d474b"
	wxKey   = "tiihtNczf5v6AKRyjwEUhQ=="
	wxIV    = "r7BXXKkLb8qrSNn05n0qiA=="
	wxData  = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="
)

// Baidu's vector from its decryption doc page.
const (
	bdAppKey = "y2dTfnWfkx2OXttMEMWlGHoB1KzMogm7"
	bdKey    = "1df09d0a1677dd72b8325aec59576e0c"
	bdIV     = "1df09d0a1677dd72b8325Q=="
	bdData   = "OpCoJgs7RrVgaMNDixIvaCIyV2SFDBNLivgkVqtzq2GC10egsn+PKmQ/+5q+chT8xzldLUog2haTItyIkKyvzvmXonBQLIMeq54axAu9c3KG8IhpFD6+ymHocmx07ZKi7eED3t0KyIxJgRNSDkFk5RV1ZP2mSWa7ZgCXXcAbP0RsiUcvhcJfrSwlpsm0E1YJzKpYy429xrEEGvK+gfL+Cw=="
	bdPlain  = `{"openid":"open_id","nickname":"baidu_user","headimgurl":"url of image","sex":1}`
)

func code(err error) driver.Code {
	if de, ok := err.(*driver.Error); ok {
		return de.Code
	}
	return driver.CodeOK
}

func TestWeChatDemoVector(t *testing.T) {
	out, err := OpenWeChat(wxKey, wxIV, wxData, wxAppID, WatermarkRequired)
	require.NoError(t, err)
	var v struct {
		OpenID    string `json:"openId"`
		NickName  string `json:"nickName"`
		UnionID   string `json:"unionId"`
		Watermark struct {
			Timestamp int64  `json:"timestamp"`
			AppID     string `json:"appid"`
		} `json:"watermark"`
	}
	require.NoError(t, json.Unmarshal(out, &v))
	assert.Equal(t, "oGZUI0egBJY1zhBYw2KhdUfwVJJE", v.OpenID)
	assert.Equal(t, "Band", v.NickName)
	assert.Equal(t, "ocMvos6NjeKLIBqg5Mr9QjxrP1FA", v.UnionID)
	assert.Equal(t, int64(1477314187), v.Watermark.Timestamp)
	assert.Equal(t, wxAppID, v.Watermark.AppID)

	_, err = OpenWeChat(wxKey, wxIV, wxData, "wx-other-app", WatermarkRequired)
	assert.Equal(t, driver.CodeSessionInvalid, code(err), "data for another app is the one failure")
	assert.Contains(t, err.Error(), NotThisKey)
	_, err = OpenWeChat("AAAAAAAAAAAAAAAAAAAAAA==", wxIV, wxData, wxAppID, WatermarkRequired)
	assert.Equal(t, driver.CodeSessionInvalid, code(err), "a stale key")
	assert.Contains(t, err.Error(), NotThisKey)
}

func TestBaiduDocVector(t *testing.T) {
	out, err := OpenBaidu(bdKey, bdIV, bdData, bdAppKey)
	require.NoError(t, err)
	assert.Equal(t, bdPlain, string(out))
	_, err = OpenBaidu(bdKey, bdIV, bdData, "another-app-key")
	assert.Equal(t, driver.CodeSessionInvalid, code(err))
	assert.Contains(t, err.Error(), NotThisKey)
	// Baidu's pad is 28 bytes: a 16-byte unpadder would reject it.
	plain, err := openCBC(bdKey, bdIV, bdData, 24, 32)
	require.NoError(t, err)
	_, good := unpad(plain, 16)
	assert.Zero(t, good)
	_, good = unpad(plain, 32)
	assert.Equal(t, 1, good)
}

func TestRawDataDocVector(t *testing.T) {
	const key = "HyVFkGl5F5OQWJZZaNzBBg=="
	const raw = `{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}`
	const sig = "75e81ceda165f4ffa64f4068af58c64b8f54b88c"
	assert.Equal(t, sig, RawDataSignature(raw, key))
	assert.NoError(t, VerifyRawData(raw, key, sig))
	assert.NoError(t, VerifyRawData(raw, key, strings.ToUpper(sig)))
	assert.Equal(t, driver.CodeSessionInvalid, code(VerifyRawData(raw+" ", key, sig)))
	assert.Equal(t, driver.CodeSessionInvalid, code(VerifyRawData(raw, "other", sig)))
	for _, bad := range []string{"", "xyz", sig[:39], sig + "0", strings.Repeat("g", 40)} {
		assert.Equal(t, driver.CodeInvalidArgument, code(VerifyRawData(raw, key, bad)), bad)
	}
}

func TestRoundTripsAndMalformedInput(t *testing.T) {
	key16 := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key24 := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef01234567"))
	data, iv, err := sealWeChat(key16, "app", []byte(`{"phoneNumber":"13800000000"}`), time.Unix(1, 0))
	require.NoError(t, err)
	out, err := OpenWeChat(key16, iv, data, "app", WatermarkRequired)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"phoneNumber":"13800000000"`)
	assert.Contains(t, string(out), `"watermark":{"appid":"app","timestamp":1}`)

	bd, biv, err := sealBaidu(key24, "appkey", []byte(`{"a":1}`))
	require.NoError(t, err)
	out, err = OpenBaidu(key24, biv, bd, "appkey")
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(out))

	for name, tc := range map[string]struct {
		key, iv, data string
	}{
		"data not base64":     {key16, iv, "!!!"},
		"iv not base64":       {key16, "!!!", data},
		"key not base64":      {"!!!", iv, data},
		"key wrong length":    {key24, iv, data},
		"iv wrong length":     {key16, base64.StdEncoding.EncodeToString([]byte("short")), data},
		"data not blocks":     {key16, iv, base64.StdEncoding.EncodeToString([]byte("0123456789"))},
		"data empty":          {key16, iv, ""},
		"data over the limit": {key16, iv, strings.Repeat("A", MaxData+4)},
	} {
		_, err := OpenWeChat(tc.key, tc.iv, tc.data, "app", WatermarkRequired)
		assert.Equal(t, driver.CodeInvalidArgument, code(err), name)
		assert.NotContains(t, err.Error(), key16)
	}
	// Without a watermark: WeChat and QQ refuse, Douyin accepts.
	plainIV, plainData, _ := sealCBC([]byte("0123456789abcdef"), []byte(`{"a":1}`), 16)
	_, err = OpenWeChat(key16, plainIV, plainData, "app", WatermarkRequired)
	assert.Equal(t, driver.CodeSessionInvalid, code(err))
	out, err = OpenWeChat(key16, plainIV, plainData, "app", WatermarkIfPresent)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(out))
	// Not JSON under the right padding is the wrong key too.
	niv, nj, _ := sealCBC([]byte("0123456789abcdef"), []byte(`not json`), 16)
	_, err = OpenWeChat(key16, niv, nj, "app", WatermarkIfPresent)
	assert.Equal(t, driver.CodeSessionInvalid, code(err))
}

func FuzzOpen(f *testing.F) {
	f.Add(wxData, wxIV)
	f.Add(bdData, bdIV)
	f.Fuzz(func(t *testing.T, data, iv string) {
		for _, err := range []error{
			func() error { _, err := OpenWeChat(wxKey, iv, data, wxAppID, WatermarkRequired); return err }(),
			func() error { _, err := OpenBaidu(bdKey, iv, data, bdAppKey); return err }(),
		} {
			if err != nil {
				if c := code(err); c != driver.CodeInvalidArgument && c != driver.CodeSessionInvalid {
					t.Fatalf("code %v for %q", c, data)
				}
			}
		}
	})
}

func TestUnpadIsPKCS7(t *testing.T) {
	block := func(tail ...byte) []byte {
		b := bytes.Repeat([]byte{'x'}, 16-len(tail))
		return append(b, tail...)
	}
	for name, tc := range map[string]struct {
		plain []byte
		keep  int
		good  int
	}{
		"one byte":                {block(1), 15, 1},
		"two bytes":               {block(2, 2), 14, 1},
		"a whole block":           {bytes.Repeat([]byte{16}, 16), 0, 1},
		"zero":                    {block(0), 16, 0},
		"over the block":          {block(17), 16, 0},
		"a wrong byte inside":     {block(3, 2, 3), 16, 0},
		"a different byte before": {block(9, 3, 3, 3), 13, 1},
		"longer than data":        {[]byte{5, 5}, 2, 0},
	} {
		out, good := unpad(tc.plain, 16)
		assert.Equal(t, tc.good, good, name)
		assert.Len(t, out, tc.keep, name)
	}
}

// Every way well-formed data fails to open is one failure, with the same
// text, and the same work: bad padding and good padding over bad JSON
// allocate alike (a count, not a timing, stands for the work done).
func TestOneFailureForEveryWayDataFailsToOpen(t *testing.T) {
	raw := []byte("0123456789abcdef")
	key := base64.StdEncoding.EncodeToString(raw)
	seal := func(plain string) (string, string) {
		iv, data, err := sealCBC(raw, []byte(plain), 16)
		require.NoError(t, err)
		return iv, data
	}
	badPad := func() (string, string) {
		iv, data := seal(`{"a":1}`) // one block: the iv flips its plaintext
		v, _ := base64.StdEncoding.DecodeString(iv)
		v[15] ^= 0x55 // the last plaintext byte: the pad
		return base64.StdEncoding.EncodeToString(v), data
	}
	cases := map[string]func() (string, string){
		"bad padding":               badPad,
		"not JSON":                  func() (string, string) { return seal(`not json at all`) },
		"JSON but not an object":    func() (string, string) { return seal(`[1,2,3]`) },
		"no watermark":              func() (string, string) { return seal(`{"a":1}`) },
		"another app's watermark":   func() (string, string) { return seal(`{"watermark":{"appid":"other"}}`) },
		"a watermark without appid": func() (string, string) { return seal(`{"watermark":{}}`) },
	}
	var texts []string
	for name, mk := range cases {
		iv, data := mk()
		_, err := OpenWeChat(key, iv, data, "app", WatermarkRequired)
		require.Error(t, err, name)
		assert.Equal(t, driver.CodeSessionInvalid, code(err), name)
		texts = append(texts, err.Error())
	}
	for _, tx := range texts {
		assert.Equal(t, texts[0], tx)
	}
	// Baidu: bad padding, a bad frame, bad JSON and another app key.
	key24raw := []byte("0123456789abcdef01234567")
	key24 := base64.StdEncoding.EncodeToString(key24raw)
	bd, biv, err := sealBaidu(key24, "appkey", []byte(`{"a":1}`))
	require.NoError(t, err)
	_, err = OpenBaidu(key24, biv, bd, "other-key")
	assert.Equal(t, driver.CodeSessionInvalid, code(err))
	assert.Equal(t, texts[0], err.Error())
	fiv, fdata, _ := sealCBC(key24raw, bytes.Repeat([]byte{0xff}, 40), 32)
	_, err = OpenBaidu(key24, fiv, fdata, "appkey")
	assert.Equal(t, texts[0], err.Error())

	iv1, d1 := badPad()
	iv2, d2 := seal(`0123456789 not json`)
	a1 := testing.AllocsPerRun(50, func() { _, _ = OpenWeChat(key, iv1, d1, "app", WatermarkRequired) })
	a2 := testing.AllocsPerRun(50, func() { _, _ = OpenWeChat(key, iv2, d2, "app", WatermarkRequired) })
	assert.Equal(t, a1, a2, "bad padding and bad JSON do the same allocations")
}
