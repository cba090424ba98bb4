package sandbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// The SDKs' request shapes for the two APIs peers call that the sandbox
// did not serve: WeChat's checkencryptedmsg (silenceper's
// CheckEncryptedData: POST ?access_token=, JSON {"encrypted_msg_hash"}) and
// Baidu's getSessionKey v2 (the official SDK: POST with access_token,
// code, sp_sdk_ver and sp_sdk_lang in the query and a form content type;
// other clients GET).
func TestSDKShapedRequestsForDataCheckAndBaiduV2(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()

	// WeChat: a stable token, data the sandbox encrypted, its hash.
	app := sb.App(taro.Weapp)
	base := sb.BaseURL(taro.Weapp)
	tok := post(t, base+"/cgi-bin/stable_token", "application/json",
		fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q}`, app.ID, app.Secret))["access_token"].(string)
	_, err := sb.Login(taro.Weapp, "sdk")
	require.NoError(t, err)
	data, _, err := sb.Encrypt(taro.Weapp, "sdk", []byte(`{"phoneNumber":"13800138000"}`))
	require.NoError(t, err)
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	check := func(body string) map[string]any {
		return post(t, base+"/wxa/business/checkencryptedmsg?access_token="+url.QueryEscape(tok), "application/json", body)
	}
	m := check(`{"encrypted_msg_hash":"` + hash(data) + `"}`)
	assert.Equal(t, float64(0), m["errcode"])
	assert.Equal(t, true, m["vaild"], "the doc's spelling")
	assert.NotZero(t, m["create_time"])
	raw, _ := base64.StdEncoding.DecodeString(data)
	assert.Equal(t, float64(1), check(`{"encrypted_msg_hash":"` + hash(string(raw)) + `"}`)["errcode"], "the hash is over the base64 text, not the bytes")
	assert.Equal(t, float64(1), check(`{"encrypted_msg_hash":"` + hash("not ours") + `"}`)["errcode"])
	assert.Equal(t, float64(40097), check(`{"encrypted_msg_hash":"xyz"}`)["errcode"])
	assert.Equal(t, float64(47001), check(`{"encrypted_msg_hash":`)["errcode"])
	assert.Equal(t, float64(44002), check(``)["errcode"])
	assert.Equal(t, float64(40001), post(t, base+"/wxa/business/checkencryptedmsg?access_token=bad", "application/json", `{"encrypted_msg_hash":"`+hash(data)+`"}`)["errcode"])
	require.NoError(t, sb.Advance(72*time.Hour+time.Minute))
	tok = post(t, base+"/cgi-bin/stable_token", "application/json",
		fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q}`, app.ID, app.Secret))["access_token"].(string)
	assert.Equal(t, float64(1), check(`{"encrypted_msg_hash":"` + hash(data) + `"}`)["errcode"], "only the last three days")

	// Baidu v2.
	sapp := sb.App(taro.Swan)
	sbase := sb.BaseURL(taro.Swan)
	stok := get(t, sbase+"/oauth/2.0/token?"+url.Values{"grant_type": {"client_credentials"}, "client_id": {sapp.ID},
		"client_secret": {sapp.Secret}, "scope": {"smartapp_snsapi_base"}}.Encode())["access_token"].(string)
	for _, method := range []string{"POST", "GET"} {
		code, err := sb.Login(taro.Swan, "sdk-"+method)
		require.NoError(t, err)
		q := url.Values{"access_token": {stok}, "code": {code}, "sp_sdk_ver": {"1.1.0"}, "sp_sdk_lang": {"go"}}.Encode()
		var m map[string]any
		if method == "POST" {
			m = post(t, sbase+"/rest/2.0/smartapp/getsessionkey?"+q, "application/x-www-form-urlencoded", "")
		} else {
			m = get(t, sbase+"/rest/2.0/smartapp/getsessionkey?"+q)
		}
		assert.Equal(t, float64(0), m["errno"], method)
		d, _ := m["data"].(map[string]any)
		require.NotNil(t, d, "%s: %v", method, m)
		assert.Equal(t, "sdk-"+method, d["open_id"], "open_id, not openid")
		key, _ := sb.SessionKey(taro.Swan, "sdk-"+method)
		assert.Equal(t, key, d["session_key"])
		again := get(t, sbase+"/rest/2.0/smartapp/getsessionkey?"+q)
		assert.NotEqual(t, float64(0), again["errno"], "a code is single-use")
	}
	bad := get(t, sbase+"/rest/2.0/smartapp/getsessionkey?"+url.Values{"access_token": {"bad"}, "code": {"c"}}.Encode())
	assert.Equal(t, float64(110), bad["error_code"])
}

// DecryptOption.Verify asks the platform (WeChat's checkencryptedmsg)
// before decrypting: data it vouches for opens; data it does not is
// ErrSessionInvalid, the one answer; a busy answer is retried; on a
// platform that cannot verify it is ErrNotSupported before any I/O.
func TestDecryptVerify(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	ctx := context.Background()
	app := sb.App(taro.Weapp)
	d, err := weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp), HTTPClient: sb.HTTPClient()})
	require.NoError(t, err)
	qapp := sb.App(taro.QQ)
	dq, err := qq.New(qq.Config{AppID: qapp.ID, Secret: qapp.Secret, BaseURL: sb.BaseURL(taro.QQ), HTTPClient: sb.HTTPClient()})
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{d, dq}, Retry: taro.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	require.NoError(t, err)
	login := func(p taro.Platform, openid string) taro.Session {
		code, err := sb.Login(p, openid)
		require.NoError(t, err)
		res, err := c.Code2Session(ctx, taro.LoginOption{Platform: p, Code: code})
		require.NoError(t, err)
		return res.Session
	}
	s := login(taro.Weapp, "verify")
	data, iv, err := sb.Encrypt(taro.Weapp, "verify", []byte(`{"phoneNumber":"13800138000"}`))
	require.NoError(t, err)
	opt := taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: data, IV: iv, Verify: true}
	res, err := c.Decrypt(ctx, opt)
	require.NoError(t, err)
	assert.Contains(t, string(res.Data), "13800138000")
	assert.Equal(t, 1, sb.Requests(taro.Weapp, sandbox.CheckData))

	// Data the platform did not produce (made with the right key, but not
	// by WeChat): opens without Verify, refused with it, with the one
	// answer of every failure.
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: "AAAA" + data[4:], IV: iv})
	wrong := err
	require.ErrorIs(t, wrong, taro.ErrSessionInvalid)
	forged, fiv, err := fake.SealWeChat(s.SessionKey, app.ID, []byte(`{"phoneNumber":"13900139000"}`), sb.Now())
	require.NoError(t, err)
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: forged, IV: fiv})
	require.NoError(t, err, "the data opens with the key")
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: forged, IV: fiv, Verify: true})
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "the platform does not vouch for it")
	assert.Equal(t, wrong.Error(), err.Error(), "one answer for every failure")

	// A busy answer is retried.
	sb.ResetCounters()
	require.NoError(t, sb.Inject(taro.Weapp, sandbox.CheckData, sandbox.Busy, 1))
	_, err = c.Decrypt(ctx, opt)
	require.NoError(t, err)
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.CheckData))

	// Older than three days.
	require.NoError(t, sb.Advance(73*time.Hour))
	_, err = c.Decrypt(ctx, opt)
	assert.ErrorIs(t, err, taro.ErrSessionInvalid)

	// A platform that cannot verify: NotSupported before any I/O.
	sq := login(taro.QQ, "verify")
	qdata, qiv, err := sb.Encrypt(taro.QQ, "verify", []byte(`{"a":1}`))
	require.NoError(t, err)
	sb.ResetCounters()
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.QQ, Session: sq, EncryptedData: qdata, IV: qiv, Verify: true})
	assert.ErrorIs(t, err, taro.ErrNotSupported)
	for _, ep := range sandbox.Endpoints() {
		assert.Zero(t, sb.Requests(taro.QQ, ep), "no I/O: %s", ep)
	}
}

// Baidu's getSessionKey v2 as a swan option: the access-token-gated login
// answering open_id; a used code is InvalidCode; a stale token is
// refetched once.
func TestBaiduSessionKeyV2(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	ctx := context.Background()
	app := sb.App(taro.Swan)
	_, err := swan.New(swan.Config{AppID: app.ID, Secret: app.Secret, LegacyLogin: true, SessionKeyV2: true})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument, "one login at a time")
	d, err := swan.New(swan.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Swan), HTTPClient: sb.HTTPClient(), SessionKeyV2: true})
	require.NoError(t, err)
	c, err := taro.NewClient(d)
	require.NoError(t, err)
	code, err := sb.Login(taro.Swan, "v2-user")
	require.NoError(t, err)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	require.NoError(t, err)
	assert.Equal(t, "v2-user", res.OpenID)
	key, _ := sb.SessionKey(taro.Swan, "v2-user")
	assert.Equal(t, key, res.Session.SessionKey)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	assert.ErrorIs(t, err, taro.ErrInvalidCode)

	sb.ExpireTokens(taro.Swan)
	sb.ResetCounters()
	code, err = sb.Login(taro.Swan, "v2-user")
	require.NoError(t, err)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Swan, Code: code})
	require.NoError(t, err, "a stale token is refetched once")
	assert.Equal(t, 1, sb.Requests(taro.Swan, sandbox.Token))
	assert.Equal(t, 2, sb.Requests(taro.Swan, sandbox.Code2Session))
}
