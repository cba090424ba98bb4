package redisstore_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

var testSecret = []byte("a-32-byte-secret-for-the-tests!!")

// With Options.Secret, a dump of Redis confirms no session key and replays
// no token, and a writer of Redis cannot forge a record for a key.
func TestSecretKeysFingerprintsAndSealsTokens(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t)
	s := b.store(redisstore.Options{Secret: testSecret})

	m := hmac.New(sha256.New, testSecret)
	m.Write([]byte("the-session-key"))
	var want taro.Fingerprint
	copy(want[:], m.Sum(nil))
	assert.Equal(t, want, s.Fingerprint("the-session-key"), "HMAC-SHA256(secret, session key)")
	assert.NotEqual(t, taro.FingerprintOf("the-session-key"), s.Fingerprint("the-session-key"))
	plain := b.store(redisstore.Options{})
	assert.Equal(t, taro.FingerprintOf("k"), plain.Fingerprint("k"), "without a secret: SHA-256")

	const tok = "ACCESS-TOKEN-abcdef-0123456789"
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	require.NoError(t, s.SetToken(ctx, "weapp:app", taro.StoredToken{Value: tok, ExpiresAt: exp}))
	dump := dumpAll(t, b)
	assert.NotContains(t, dump, tok, "no token in clear")
	got, ok, err := s.Token(ctx, "weapp:app")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, tok, got.Value)
	assert.True(t, exp.Equal(got.ExpiresAt))

	other := b.store(redisstore.Options{Secret: []byte("another-secret-of-32-bytes-long!")})
	_, _, err = other.Token(ctx, "weapp:app")
	assert.Error(t, err, "a sealed token opens only with its secret")
	_, _, err = plain.Token(ctx, "weapp:app")
	assert.Error(t, err, "a store without the secret cannot read a sealed token")

	// A record moved to another key does not open (the key is bound in).
	raw, err := b.get(ctx, b.prefix+"token:{weapp%3Aapp}")
	require.NoError(t, err)
	require.NoError(t, b.set(ctx, b.prefix+"token:{weapp%3Aother}", raw, time.Hour.Milliseconds()))
	_, _, err = s.Token(ctx, "weapp:other")
	assert.Error(t, err)
	// An unsealed record written by someone without the secret is refused.
	require.NoError(t, b.set(ctx, b.prefix+"token:{weapp%3Aforged}", fmt.Sprintf("%d:FORGED", exp.UnixMilli()), time.Hour.Milliseconds()))
	_, _, err = s.Token(ctx, "weapp:forged")
	assert.Error(t, err)

	// Compare-and-delete works on the sealed form.
	require.NoError(t, s.DeleteToken(ctx, "weapp:app", "some-other-token"))
	_, ok, _ = s.Token(ctx, "weapp:app")
	assert.True(t, ok, "a stale value does not drop the token")
	require.NoError(t, s.DeleteToken(ctx, "weapp:app", tok))
	_, ok, _ = s.Token(ctx, "weapp:app")
	assert.False(t, ok)

	// Options never print the secret.
	o := redisstore.Options{Secret: testSecret}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, o), string(testSecret))
		assert.NotContains(t, fmt.Sprintf(verb, o), fmt.Sprintf("%x", testSecret))
	}
	_, err = redisstore.Open("redis://127.0.0.1:1/0", redisstore.Options{Secret: []byte("short")})
	assert.Error(t, err, "a secret under 16 bytes is refused")
}

// A full login and check through a client on a keyed store: the record
// holds the keyed fingerprint, and a record forged with SHA-256 of a key
// the attacker chose is not accepted.
func TestSecretStoreWithClient(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t)
	s := b.store(redisstore.Options{Secret: testSecret})
	d := &loginOnly{}
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{d}, Sessions: s, Tokens: s})
	require.NoError(t, err)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "c1"})
	require.NoError(t, err)
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: res.Session})
	require.NoError(t, err)
	assert.NotContains(t, dumpAll(t, b), taro.FingerprintOf(res.Session.SessionKey).String(), "no plain SHA-256 of the key")

	// An attacker who can write Redis records SHA-256 of a key they chose.
	chosen := "attacker-chosen-key"
	key := b.prefix + "u:{qq:app:" + res.OpenID + "}"
	chosenFP := taro.FingerprintOf(chosen)
	require.NoError(t, b.rdb.Do(ctx, b.rdb.B().Hset().Key(key).FieldValue().FieldValue("s",
		fmt.Sprintf("%d:0:3600000:", time.Now().UnixMicro())+string(chosenFP[:])).Build()).Error())
	_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: taro.Session{OpenID: res.OpenID, SessionKey: chosen}})
	assert.ErrorIs(t, err, taro.ErrSessionInvalid)
}

// loginOnly is a qq-like driver: logins, and checks from the store.
type loginOnly struct{ n int }

func (*loginOnly) Platform() driver.Platform { return taro.QQ }
func (*loginOnly) AppID() string             { return "app" }
func (d *loginOnly) Code2Session(context.Context, driver.LoginRequest) (driver.LoginResponse, error) {
	d.n++
	return driver.LoginResponse{OpenID: "user", SessionKey: fmt.Sprintf("session-key-%d", d.n)}, nil
}

// dumpAll returns every key and value under the test's prefix.
func dumpAll(t *testing.T, b *backend) string {
	t.Helper()
	ctx := context.Background()
	keys, err := b.keys(ctx)
	require.NoError(t, err)
	var sb strings.Builder
	for _, k := range keys {
		v, err := b.get(ctx, k)
		if err != nil { // a user's hash
			m, _ := b.rdb.Do(ctx, b.rdb.B().Hgetall().Key(k).Build()).AsStrMap()
			for f, fv := range m {
				v += hex.EncodeToString([]byte(f)) + ":" + f + "=" + fv + ";"
			}
		}
		sb.WriteString(k + "=" + v + "\n")
	}
	return sb.String()
}

// Two replicas whose clocks disagree by a minute share one Redis: the
// login Redis records last is the current one on both.
func TestClockSkewCannotReorderLogins(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t)
	s := b.store(redisstore.Options{})
	d := &loginOnly{}
	fast, err := taro.New(taro.Config{Drivers: []taro.Driver{d}, Sessions: s, Tokens: s, Now: func() time.Time { return time.Now().Add(time.Minute) }})
	require.NoError(t, err)
	slow, err := taro.New(taro.Config{Drivers: []taro.Driver{d}, Sessions: s, Tokens: s})
	require.NoError(t, err)
	first, err := fast.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "a"})
	require.NoError(t, err)
	second, err := slow.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: "b"})
	require.NoError(t, err)
	for _, c := range []*taro.Client{fast, slow} {
		_, err := c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: second.Session})
		assert.NoError(t, err, "the later login is current")
		_, err = c.CheckSession(ctx, taro.Option{Platform: taro.QQ, Session: first.Session})
		assert.ErrorIs(t, err, taro.ErrSessionInvalid, "the earlier login was rotated away")
	}
}
