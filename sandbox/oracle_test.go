package sandbox_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/cbcr"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// weappClient is a WeChat client against sb with cfg's options.
func weappClient(t *testing.T, sb *sandbox.Sandbox, cfg taro.Config) *taro.Client {
	t.Helper()
	app := sb.App(taro.Weapp)
	ds, err := platforms.New(map[taro.Platform]platforms.Settings{taro.Weapp: {AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp)}})
	require.NoError(t, err)
	cfg.Drivers = ds
	c, err := taro.New(cfg)
	require.NoError(t, err)
	return c
}

// forgedPhone is what the attack wants the victim service to accept.
func forgedPhone(appID string) []byte {
	return []byte(`{"phoneNumber":"+8613999999999","purePhoneNumber":"13999999999","countryCode":"86","watermark":{"appid":"` + appID + `","timestamp":1700000000}}`)
}

// The CBC-R attack against taro.Decrypt. Through a leaky control (the
// same key, an oracle-prone service) it forges a phone number that
// Decrypt then accepts, which shows the attack works. Through Decrypt it
// learns nothing: every failure is one answer, with or without the
// failure budget, and the budget then refuses the key whatever data it
// is given, until a newer login.
func TestCBCRAttackThroughDecrypt(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	ctx := context.Background()
	appID := sb.App(taro.Weapp).ID
	via := func(c *taro.Client, s taro.Session, answers map[string]int) cbcr.Oracle {
		return func(iv, data []byte) (string, error) {
			res, err := c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s,
				EncryptedData: base64.StdEncoding.EncodeToString(data), IV: base64.StdEncoding.EncodeToString(iv)})
			b, _ := json.Marshal(res)
			ans := taro.CodeOf(err).String() + " " + string(b)
			answers[ans]++
			return ans, nil
		}
	}

	// The control: the attack forges through a leaky oracle on the key.
	unlimited := weappClient(t, sb, taro.Config{DecryptFailures: -1})
	s := logIn(t, sb, unlimited, taro.Weapp, "victim")
	raw, err := base64.StdEncoding.DecodeString(s.SessionKey)
	require.NoError(t, err)
	control := cbcr.New(cbcr.Leaky(raw), 100000)
	iv, data, err := control.Forge(forgedPhone(appID))
	require.NoError(t, err, "the attack must forge through a leaky oracle")
	res, err := unlimited.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s,
		EncryptedData: base64.StdEncoding.EncodeToString(data), IV: base64.StdEncoding.EncodeToString(iv)})
	require.NoError(t, err, "what the attack forged opens")
	assert.Contains(t, string(res.Data), "+8613999999999")

	// Through Decrypt without a budget: one answer for everything.
	answers := map[string]int{}
	a := cbcr.New(via(unlimited, s, answers), 100000)
	_, _, err = a.Forge(forgedPhone(appID))
	assert.ErrorIs(t, err, cbcr.ErrNoOracle)
	assert.Equal(t, 256, a.Queries)
	assert.Len(t, answers, 1)

	// Through Decrypt with the default budget: the same, and the key is
	// then refused, genuine data too.
	c := weappClient(t, sb, taro.Config{})
	s = logIn(t, sb, c, taro.Weapp, "victim")
	answers = map[string]int{}
	a = cbcr.New(via(c, s, answers), 100000)
	_, _, err = a.Forge(forgedPhone(appID))
	assert.ErrorIs(t, err, cbcr.ErrNoOracle)
	assert.Equal(t, 256, a.Queries)
	assert.Len(t, answers, 1)
	genuine, giv, err := sb.Encrypt(taro.Weapp, "victim", []byte(`{"nickName":"Band"}`))
	require.NoError(t, err)
	res, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: genuine, IV: giv})
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "the spent key is refused")
	assert.Equal(t, "decrypt:fail session invalid: "+taro.DetailNotThisKey, res.ErrMsg, "in the same words as any failure")

	s = logIn(t, sb, c, taro.Weapp, "victim")
	genuine, giv, _ = sb.Encrypt(taro.Weapp, "victim", []byte(`{"nickName":"Band"}`))
	_, err = c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: genuine, IV: giv})
	assert.NoError(t, err, "a newer login's key has a budget of its own")
}

// The failure budget: DecryptFailures failures, then the key is refused;
// a success does not count; replicas sharing a store share the count.
func TestDecryptFailureBudget(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	ctx := context.Background()
	store := taro.NewMemorySessionStore()
	a := weappClient(t, sb, taro.Config{Sessions: store, DecryptFailures: 3})
	b := weappClient(t, sb, taro.Config{Sessions: store, DecryptFailures: 3})
	s := logIn(t, sb, a, taro.Weapp, "u")
	good, iv, err := sb.Encrypt(taro.Weapp, "u", []byte(`{"a":1}`))
	require.NoError(t, err)
	bad := base64.StdEncoding.EncodeToString(make([]byte, 32))
	open := func(c *taro.Client, data string) error {
		_, err := c.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: data, IV: iv})
		return err
	}
	for range 5 {
		require.NoError(t, open(a, good), "successes spend nothing")
	}
	assert.ErrorIs(t, open(a, bad), taro.ErrSessionInvalid)
	assert.ErrorIs(t, open(b, bad), taro.ErrSessionInvalid)
	require.NoError(t, open(b, good))
	assert.ErrorIs(t, open(a, bad), taro.ErrSessionInvalid)
	assert.ErrorIs(t, open(b, good), taro.ErrSessionInvalid, "three failures on two replicas spend the budget")
	assert.ErrorIs(t, open(a, good), taro.ErrSessionInvalid)
}
