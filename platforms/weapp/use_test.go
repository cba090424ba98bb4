package weapp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func TestPhoneNumberRequest(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"+1 2025550123","purePhoneNumber":"2025550123","countryCode":1,"watermark":{"timestamp":1637744274,"appid":"` + appID + `"}}}`)
	defer rec.Close()
	d := newDriver(t, rec)
	got, err := d.GetPhoneNumber(ctx, driver.PhoneRequest{Code: "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144", AccessToken: "ACCESS_TOKEN"})
	require.NoError(t, err)
	assert.Equal(t, driver.PhoneNumber{PhoneNumber: "+1 2025550123", PurePhoneNumber: "2025550123", CountryCode: "1"}, got, "a numeric countryCode becomes a string")
	r := rec.Last()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/wxa/business/getuserphonenumber", r.Path)
	assert.Equal(t, "ACCESS_TOKEN", r.Query.Get("access_token"))
	assert.JSONEq(t, `{"code":"e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"}`, r.Body)
	assert.Equal(t, "application/json", r.ContentType)

	rec.Answer(200, "application/json", `{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13800138000","purePhoneNumber":"13800138000","countryCode":"86"}}`)
	got, err = d.GetPhoneNumber(ctx, driver.PhoneRequest{Code: "c", AccessToken: "T"})
	require.NoError(t, err)
	assert.Equal(t, "86", got.CountryCode)
	for body, code := range map[string]taro.Code{
		`{"errcode":40029,"errmsg":"invalid code"}`:                       taro.CodeInvalidCode,
		`{"errcode":40001,"errmsg":"invalid credential"}`:                 taro.CodeTokenInvalid,
		`{"errcode":42001,"errmsg":"access_token expired"}`:               taro.CodeTokenInvalid,
		`{"errcode":45011,"errmsg":"quota"}`:                              taro.CodeRateLimited,
		`{"errcode":-1,"errmsg":"busy"}`:                                  taro.CodeUnavailable,
		`{"errcode":40013,"errmsg":"invalid appid"}`:                      taro.CodeCredentials,
		`{"errmsg":"ok","phone_info":{"phoneNumber":"1"}}`:                taro.CodeUnavailable, // no errcode 0
		`{"errcode":0,"errmsg":"ok"}`:                                     taro.CodeUnavailable, // no phone_info
		`{"errcode":0,"phone_info":{"phoneNumber":"1","countryCode":{}}}`: taro.CodeUnavailable,
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.GetPhoneNumber(ctx, driver.PhoneRequest{Code: "c", AccessToken: "T"})
		assert.Equal(t, code, taro.CodeOf(err), body)
	}
}

func TestResetRequest(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"errcode":0,"errmsg":"ok","openid":"o1","session_key":"bmV3LWtleS0xMjM0NTY3OA=="}`)
	defer rec.Close()
	d := newDriver(t, rec)
	got, err := d.ResetSession(ctx, driver.ResetRequest{OpenID: "o1", SessionKey: docKey, AccessToken: "ACCESS_TOKEN"})
	require.NoError(t, err)
	assert.Equal(t, driver.LoginResponse{OpenID: "o1", SessionKey: "bmV3LWtleS0xMjM0NTY3OA=="}, got)
	r := rec.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/wxa/resetusersessionkey", r.Path)
	assert.Equal(t, map[string][]string{"access_token": {"ACCESS_TOKEN"}, "openid": {"o1"}, "signature": {docKeyEmptySig}, "sig_method": {"hmac_sha256"}}, map[string][]string(r.Query))
	assert.NotContains(t, r.RawQuery, docKey, "the key itself never travels")
	for body, code := range map[string]taro.Code{
		`{"errcode":87009,"errmsg":"invalid signature"}`:  taro.CodeSessionInvalid,
		`{"errcode":87008,"errmsg":"invalid sig_method"}`: taro.CodeInvalidArgument,
		`{"errcode":40001,"errmsg":"invalid credential"}`: taro.CodeTokenInvalid,
		`{"errcode":0,"errmsg":"ok","openid":"o1"}`:       taro.CodeUnavailable,
		`{"openid":"o1","session_key":"k"}`:               taro.CodeUnavailable,
	} {
		rec.Answer(200, "application/json", body)
		_, err := d.ResetSession(ctx, driver.ResetRequest{OpenID: "o1", SessionKey: docKey, AccessToken: "T"})
		assert.Equal(t, code, taro.CodeOf(err), body)
	}
}

// WeChat's published vectors, through the portable API.
func TestPublishedVectorsThroughTheClient(t *testing.T) {
	d, err := weapp.New(weapp.Config{AppID: "wx4f4bc4dec97d474b", Secret: secret})
	require.NoError(t, err)
	c, err := taro.NewClient(d)
	require.NoError(t, err)
	res, err := c.Decrypt(context.Background(), taro.DecryptOption{Platform: taro.Weapp,
		Session:       taro.Session{OpenID: "oGZUI0egBJY1zhBYw2KhdUfwVJJE", SessionKey: "tiihtNczf5v6AKRyjwEUhQ=="},
		IV:            "r7BXXKkLb8qrSNn05n0qiA==",
		EncryptedData: "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="})
	require.NoError(t, err)
	assert.Contains(t, string(res.Data), `"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE"`)
	assert.Contains(t, string(res.Data), `"unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA"`)

	s := taro.Session{OpenID: "o", SessionKey: "HyVFkGl5F5OQWJZZaNzBBg=="}
	raw := `{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}`
	assert.NoError(t, c.VerifyRawData(taro.Weapp, s, raw, "75e81ceda165f4ffa64f4068af58c64b8f54b88c"))
	assert.ErrorIs(t, c.VerifyRawData(taro.Weapp, s, raw, "75e81ceda165f4ffa64f4068af58c64b8f54b88d"), taro.ErrSessionInvalid)
}
