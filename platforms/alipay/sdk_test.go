package alipay_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/alipay"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Alipay's own SDKs against the sandbox, with requests built as they build
// them (the SDKs themselves are not served by the module proxy here): the
// Java SDK puts the common parameters in the query string and the business
// ones in the body; smartwalle/alipay and go-pay/gopay post everything in
// the body. Each reads the answer as it does: gopay slices the signed text
// between `_response":` and `,"sign"`, and verifies it.
func TestSDKShapedRequests(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Alipay)
	key, err := driverkit.ParseRSAPrivateKey(app.PrivateKey)
	require.NoError(t, err)
	pub, err := driverkit.ParseRSAPublicKey(app.AlipayPublicKey)
	require.NoError(t, err)
	gateway := sb.BaseURL(taro.Alipay) + "/gateway.do"
	for _, style := range []string{"java", "go"} {
		t.Run(style, func(t *testing.T) {
			code, err := sb.Login(taro.Alipay, "sdk-user-"+style)
			require.NoError(t, err)
			common := url.Values{"app_id": {app.ID}, "method": {"alipay.system.oauth.token"}, "format": {"json"}, "charset": {"utf-8"},
				"sign_type": {"RSA2"}, "timestamp": {time.Now().In(alipay.China).Format("2006-01-02 15:04:05")}, "version": {"1.0"}}
			biz := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
			all := url.Values{}
			for k, v := range common {
				all[k] = v
			}
			for k, v := range biz {
				all[k] = v
			}
			sig, err := driverkit.SignRSA2(key, []byte(alipay.SignContent(all)))
			require.NoError(t, err)
			var resp *http.Response
			if style == "java" {
				common.Set("sign", sig)
				resp, err = http.Post(gateway+"?"+common.Encode(), "application/x-www-form-urlencoded;charset=utf-8", strings.NewReader(biz.Encode()))
			} else {
				all.Set("sign", sig)
				resp, err = http.Post(gateway, "application/x-www-form-urlencoded;charset=utf-8", strings.NewReader(all.Encode()))
			}
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			text := string(body)
			start := strings.Index(text, `_response":`) + len(`_response":`)
			end := strings.LastIndex(text, `,"sign"`)
			require.True(t, start > len(`_response":`) && end > start, text)
			signed := text[start:end]
			s := driverkit.ParseObject(body)
			answerSig, _ := s.String("sign")
			assert.True(t, driverkit.VerifyRSA2(pub, []byte(signed), answerSig), "the answer verifies as gopay reads it")
			assert.Contains(t, signed, `"open_id":"sdk-user-`+style+`"`)

			// A request signed by another key is refused as Alipay does.
			c := "A"
			if sig[10] == 'A' {
				c = "B"
			}
			all.Set("sign", sig[:10]+c+sig[11:])
			resp, err = http.Post(gateway, "application/x-www-form-urlencoded", strings.NewReader(all.Encode()))
			require.NoError(t, err)
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Contains(t, string(body), `"sub_code":"isv.invalid-signature"`)
		})
	}
}
