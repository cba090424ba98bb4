package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// client returns a client with every built-in driver pointed at sb (tt as
// a mini-game, so that its key reset is offered).
func client(t *testing.T, sb *sandbox.Sandbox) *taro.Client {
	t.Helper()
	ds, err := platforms.New(sandbox.Settings(sb))
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds})
	require.NoError(t, err)
	return c
}

func logIn(t *testing.T, sb *sandbox.Sandbox, c *taro.Client, p taro.Platform, openid string) taro.Session {
	t.Helper()
	code, err := sb.Login(p, openid)
	require.NoError(t, err)
	res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: p, Code: code})
	require.NoError(t, err)
	return res.Session
}

// Login, then decrypt what the client API handed over, on every platform;
// data encrypted with a key a newer login replaced is "not this key".
func TestLoginThenDecrypt(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := client(t, sb)
	ctx := context.Background()
	for _, p := range sandbox.Platforms() {
		t.Run(string(p), func(t *testing.T) {
			s := logIn(t, sb, c, p, "dec-user")
			data, iv, err := sb.Encrypt(p, "dec-user", []byte(`{"nickName":"Band","gender":1}`))
			if !opens(t, sb, p) {
				require.Error(t, err, "no client data the server opens (no key on Alipay and DingTalk; none documented on WeCom and Feishu)")
				_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: s, EncryptedData: "AAAAAAAAAAAAAAAAAAAAAA==", IV: "AAAAAAAAAAAAAAAAAAAAAA=="})
				assert.ErrorIs(t, err, taro.ErrNotSupported)
				return
			}
			require.NoError(t, err)
			var got []string
			res, err := c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: s, EncryptedData: data, IV: iv,
				Success:  func(taro.DecryptResult) { got = append(got, "success") },
				Fail:     func(taro.DecryptResult) { got = append(got, "fail") },
				Complete: func(taro.DecryptResult) { got = append(got, "complete") }})
			require.NoError(t, err)
			assert.Equal(t, []string{"success", "complete"}, got)
			assert.Equal(t, "decrypt:ok", res.ErrMsg)
			var v map[string]any
			require.NoError(t, json.Unmarshal(res.Data, &v))
			assert.Equal(t, "Band", v["nickName"])
			if p != taro.Swan {
				assert.Equal(t, sb.App(p).ID, v["watermark"].(map[string]any)["appid"])
			} else {
				assert.JSONEq(t, `{"nickName":"Band","gender":1}`, string(res.Data), "Baidu's framing is removed")
			}
			b, _ := json.Marshal(res)
			assert.NotContains(t, string(b), s.SessionKey)

			// The user logs in again: data sealed with the new key does
			// not open with the old one.
			s2 := logIn(t, sb, c, p, "dec-user")
			data2, iv2, _ := sb.Encrypt(p, "dec-user", []byte(`{"a":1}`))
			res, err = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: s, EncryptedData: data2, IV: iv2})
			assert.ErrorIs(t, err, taro.ErrSessionInvalid)
			assert.Equal(t, "decrypt:fail session invalid: data does not open with this session key", res.ErrMsg)
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), s.SessionKey)
			_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: s2, EncryptedData: data2, IV: iv2})
			assert.NoError(t, err)

			// Malformed input is refused before anything is opened.
			_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: s2, EncryptedData: "%%%", IV: iv2})
			assert.ErrorIs(t, err, taro.ErrInvalidArgument)
			_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: s2, EncryptedData: data2})
			assert.ErrorIs(t, err, taro.ErrInvalidArgument)
			_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: taro.Session{OpenID: "x"}, EncryptedData: data2, IV: iv2})
			assert.ErrorIs(t, err, taro.ErrInvalidArgument)
		})
	}
	_, err := c.Decrypt(ctx, taro.DecryptOption{Platform: taro.H5, Session: taro.Session{OpenID: "u", SessionKey: "k"}, EncryptedData: "AAAA", IV: "AAAA"})
	assert.ErrorIs(t, err, taro.ErrNotSupported)
}

// Data for another app is refused as every failure to open is: one
// ErrSessionInvalid with one errMsg (saying more would be an oracle).
func TestDecryptRefusesAnotherAppsData(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	apps := map[taro.Platform]sandbox.App{}
	for _, p := range sandbox.Platforms() {
		apps[p] = sandbox.App{ID: "other-" + string(p), Secret: "s"}
	}
	other := sandbox.NewServer(sandbox.Options{Apps: apps})
	defer other.Close()
	c := client(t, sb)
	for _, p := range sandbox.Platforms() {
		if !opens(t, sb, p) {
			continue // no client data the server opens
		}
		s := logIn(t, sb, c, p, "u")
		// The other app's sandbox seals with this user's key, for its own app.
		_, _ = other.Login(p, "u")
		data, iv, err := mpcryptoSeal(p, s.SessionKey, other.App(p).ID)
		require.NoError(t, err)
		res, err := c.Decrypt(context.Background(), taro.DecryptOption{Platform: p, Session: s, EncryptedData: data, IV: iv})
		assert.ErrorIs(t, err, taro.ErrSessionInvalid, "%s", p)
		assert.Equal(t, "decrypt:fail session invalid: "+taro.DetailNotThisKey, res.ErrMsg, "%s", p)
	}
}

func mpcryptoSeal(p taro.Platform, key, appID string) (string, string, error) {
	if p == taro.Swan {
		return fake.SealBaidu(key, appID, []byte(`{"a":1}`))
	}
	return fake.SealWeChat(key, appID, []byte(`{"a":1}`), sandboxNow)
}

func TestVerifyRawData(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := client(t, sb)
	raw := `{"nickName":"Band","gender":1}`
	for _, p := range []taro.Platform{taro.Weapp, taro.QQ, taro.TT} {
		s := logIn(t, sb, c, p, "raw-user")
		sig := driverkit.RawDataSignature(raw, s.SessionKey)
		assert.NoError(t, c.VerifyRawData(p, s, raw, sig), "%s", p)
		assert.ErrorIs(t, c.VerifyRawData(p, s, raw+" ", sig), taro.ErrSessionInvalid, "%s", p)
		assert.ErrorIs(t, c.VerifyRawData(p, s, raw, "not-a-signature"), taro.ErrInvalidArgument, "%s", p)
		assert.ErrorIs(t, c.VerifyRawData(p, taro.Session{OpenID: "x"}, raw, sig), taro.ErrInvalidArgument, "%s", p)
	}
	s := logIn(t, sb, c, taro.Swan, "raw-user")
	assert.ErrorIs(t, c.VerifyRawData(taro.Swan, s, raw, driverkit.RawDataSignature(raw, s.SessionKey)), taro.ErrNotSupported, "Baidu signs no rawData")
	assert.ErrorIs(t, c.VerifyRawData(taro.H5, s, raw, "x"), taro.ErrNotSupported)
}

func TestPhoneNumberByCode(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := client(t, sb)
	ctx := context.Background()
	code, err := sb.PhoneCode(taro.Weapp, "u1", "13800138000")
	require.NoError(t, err)
	res, err := c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)
	assert.Equal(t, taro.PhoneResult{ErrMsg: "getPhoneNumber:ok", PhoneNumber: "13800138000", PurePhoneNumber: "13800138000", CountryCode: "86"}, res)
	res, err = c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp, Code: code})
	assert.ErrorIs(t, err, taro.ErrInvalidCode, "a code is single-use")
	assert.Equal(t, "40029", res.PlatformCode)
	assert.Equal(t, 1, sb.Requests(taro.Weapp, sandbox.Token), "one token fetch for both calls")

	// A rejected token is refetched once.
	require.NoError(t, sb.Inject(taro.Weapp, sandbox.PhoneNumber, sandbox.TokenInvalid, 1))
	code, _ = sb.PhoneCode(taro.Weapp, "u1", "13800138000")
	_, err = c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.Token))

	for _, p := range []taro.Platform{taro.QQ, taro.Swan, taro.H5} {
		_, err := c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: p, Code: "c"})
		assert.ErrorIs(t, err, taro.ErrNotSupported, "%s hands phone numbers as encryptedData", p)
	}
	_, err = c.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Weapp})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
}

func TestResetSession(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := client(t, sb)
	ctx := context.Background()
	for _, p := range []taro.Platform{taro.Weapp, taro.TT} {
		t.Run(string(p), func(t *testing.T) {
			old := logIn(t, sb, c, p, "reset-user")
			res, err := c.ResetSession(ctx, taro.Option{Platform: p, Session: old})
			require.NoError(t, err)
			assert.Equal(t, "resetSession:ok", res.ErrMsg)
			assert.NotEqual(t, old.SessionKey, res.Session.SessionKey)
			cur, _ := sb.SessionKey(p, "reset-user")
			assert.Equal(t, cur, res.Session.SessionKey)
			b, _ := json.Marshal(res)
			assert.NotContains(t, string(b), res.Session.SessionKey, "the result's JSON never carries the key")

			checks := sb.Requests(p, sandbox.CheckSession)
			_, err = c.CheckSession(ctx, taro.Option{Platform: p, Session: old})
			assert.ErrorIs(t, err, taro.ErrSessionInvalid, "the old key is invalid at once")
			assert.Equal(t, checks, sb.Requests(p, sandbox.CheckSession), "decided by the store")
			_, err = c.CheckSession(ctx, taro.Option{Platform: p, Session: res.Session})
			assert.NoError(t, err)
			// Resetting with the dead key is refused by the platform.
			_, err = c.ResetSession(ctx, taro.Option{Platform: p, Session: old})
			assert.ErrorIs(t, err, taro.ErrSessionInvalid)
		})
	}
	for _, p := range []taro.Platform{taro.QQ, taro.Swan, taro.H5} {
		_, err := c.ResetSession(ctx, taro.Option{Platform: p, Session: taro.Session{OpenID: "u", SessionKey: "k"}})
		assert.ErrorIs(t, err, taro.ErrNotSupported, "%s", p)
	}
	// A Douyin mini-app has no reset.
	app := sb.App(taro.TT)
	d, _ := tt.New(tt.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.TT)})
	ma, _ := taro.NewClient(d)
	_, err := ma.ResetSession(ctx, taro.Option{Platform: taro.TT, Session: taro.Session{OpenID: "u", SessionKey: "k"}})
	assert.ErrorIs(t, err, taro.ErrNotSupported)
}

// The app's access token, shared: one fetch under concurrency, and
// invalidating a stale token changes nothing.
func TestAccessTokenOnEveryPlatform(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := client(t, sb)
	ctx := context.Background()
	for _, p := range sandbox.Platforms() {
		t.Run(string(p), func(t *testing.T) {
			if p == taro.Alipay {
				_, err := c.AccessToken(ctx, p)
				assert.ErrorIs(t, err, taro.ErrNotSupported, "Alipay's APIs are signed, not token-gated")
				return
			}
			var wg sync.WaitGroup
			toks := make([]string, 50)
			for i := range toks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tok, err := c.AccessToken(ctx, p)
					assert.NoError(t, err)
					toks[i] = tok
				}()
			}
			wg.Wait()
			assert.Equal(t, 1, sb.Requests(p, sandbox.Token), "one fetch for 50 concurrent callers")
			for _, tok := range toks {
				assert.Equal(t, toks[0], tok)
			}
			require.NoError(t, c.InvalidateAccessToken(ctx, p, "some-stale-token"))
			tok, _ := c.AccessToken(ctx, p)
			assert.Equal(t, toks[0], tok, "a stale token's invalidation changes nothing")
			assert.Equal(t, 1, sb.Requests(p, sandbox.Token))
			require.NoError(t, c.InvalidateAccessToken(ctx, p, tok))
			tok2, err := c.AccessToken(ctx, p)
			require.NoError(t, err)
			// WeChat's stable token is the same for every fetch in normal
			// mode; DingTalk and Feishu answer the current token while it
			// has long to live, as they document.
			if p != taro.Weapp && p != taro.DingTalk && p != taro.Lark {
				assert.NotEqual(t, tok, tok2)
			}
			assert.Equal(t, 2, sb.Requests(p, sandbox.Token), "an invalidated token is fetched again")
		})
	}
	_, err := c.AccessToken(ctx, taro.H5)
	assert.ErrorIs(t, err, taro.ErrNotSupported)
	assert.ErrorIs(t, c.InvalidateAccessToken(ctx, taro.Weapp, ""), taro.ErrInvalidArgument)
}

var sandboxNow = time.Unix(1_700_000_000, 0)

// opens reports whether p's driver opens client data (driver.Decrypter).
func opens(t *testing.T, sb *sandbox.Sandbox, p taro.Platform) bool {
	t.Helper()
	d, err := platforms.Driver(p, sandbox.AppSettings(sb.App(p), sb.BaseURL(p), sb.HTTPClient()))
	require.NoError(t, err)
	return driver.Has(d, driver.CapDecrypter)
}
