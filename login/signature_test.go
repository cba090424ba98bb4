package login_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// keyDriver logs everyone in with the session key of the published xpay
// example.
type keyDriver struct{ p taro.Platform }

func (d keyDriver) Platform() driver.Platform { return d.p }
func (keyDriver) AppID() string               { return "wx-pay" }
func (keyDriver) Code2Session(_ context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
	return driver.LoginResponse{OpenID: "o-" + r.Code, SessionKey: "9hAb/NEYUlkaMBEsmFgzig=="}, nil
}

// SessionSignature signs with the key sealed in the ticket's record, for
// the user Require put in the request: WeChat's published xpay example.
func TestSessionSignature(t *testing.T) {
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{keyDriver{taro.QQ}}})
	require.NoError(t, err)
	m, err := login.New(login.Config{Client: c, Key: make([]byte, 32)})
	require.NoError(t, err)
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: "x"})
	require.NoError(t, err)
	body := []byte(`{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}`)
	var sig string
	var serr error
	h := m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig, serr = m.SessionSignature(r.Context(), body)
	}))
	req := httptest.NewRequest("POST", "/pay", nil)
	req.Header.Set("Authorization", "Bearer "+res.Ticket)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code)
	require.NoError(t, serr)
	assert.Equal(t, "089d9e8dc5d308977360c4b79ec600a93d736802802a807d634192328032f6c7", sig)

	_, err = m.SessionSignature(context.Background(), body)
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "no user in the context")
	_, err = m.SessionSignature(login.WithUser(context.Background(), login.User{Platform: taro.QQ, OpenID: "o"}), body)
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "a user made by hand holds no session")
	_, err = m.SessionSignature(login.WithUser(context.Background(), login.User{Platform: taro.Alipay, OpenID: "o"}), body)
	assert.ErrorIs(t, err, taro.ErrNotSupported, "Alipay has no session key")
}

// A ticket of an app from taro.Config.Apps: while the source cannot answer,
// Resolve is an outage (ErrUnavailable, 503), never a refusal; once it
// answers, the ticket is valid again.
func TestTicketOfASourcedAppWhileTheSourceIsDown(t *testing.T) {
	down := false
	src := taro.AppSourceFunc(func(_ context.Context, p taro.Platform, appID string) (taro.Driver, error) {
		if down {
			return nil, errors.New("the merchants database is down")
		}
		return keyDriver{p}, nil
	})
	c, err := taro.New(taro.Config{Apps: src})
	require.NoError(t, err)
	m, err := login.New(login.Config{Client: c, Key: make([]byte, 32)})
	require.NoError(t, err)
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, AppID: "wx-pay", Code: "x"})
	require.NoError(t, err)
	down = true
	c.ForgetApp(taro.QQ, "wx-pay")
	_, err = m.Resolve(context.Background(), res.Ticket)
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	assert.NotErrorIs(t, err, taro.ErrSessionInvalid)
	down = false
	_, err = m.Resolve(context.Background(), res.Ticket)
	assert.NoError(t, err)
}

// merchantDriver is one of a host's apps.
type merchantDriver struct{ id string }

func (merchantDriver) Platform() driver.Platform { return taro.QQ }
func (d merchantDriver) AppID() string           { return d.id }
func (d merchantDriver) Code2Session(_ context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
	return driver.LoginResponse{OpenID: "o-" + r.Code, SessionKey: "k-" + d.id}, nil
}

// POST /login with "appid" works for every app of taro.Config.Apps, with no
// change to the Manager, and the ticket stays bound to its app.
func TestLoginHandlerForSourcedApps(t *testing.T) {
	known := map[string]bool{"merchant-1": true, "merchant-2": true}
	c, err := taro.New(taro.Config{Apps: taro.AppSourceFunc(func(_ context.Context, _ taro.Platform, appID string) (taro.Driver, error) {
		if !known[appID] {
			return nil, fmt.Errorf("%w: %s", taro.ErrNoDriver, appID)
		}
		return merchantDriver{appID}, nil
	})})
	require.NoError(t, err)
	m, err := login.New(login.Config{Client: c, Key: make([]byte, 32)})
	require.NoError(t, err)
	me := m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context())
		fmt.Fprint(w, u.AppID)
	}))
	for _, app := range []string{"merchant-1", "merchant-2"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/login", strings.NewReader(fmt.Sprintf(`{"platform":"qq","appid":%q,"code":"u"}`, app)))
		req.Header.Set("Content-Type", "application/json")
		m.Handler().ServeHTTP(rec, req)
		require.Equal(t, 200, rec.Code, rec.Body.String())
		var body struct{ Ticket, AppID string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.Equal(t, app, body.AppID)
		rec = httptest.NewRecorder()
		req = httptest.NewRequest("GET", "/me", nil)
		req.Header.Set("Authorization", "Bearer "+body.Ticket)
		me.ServeHTTP(rec, req)
		assert.Equal(t, 200, rec.Code)
		assert.Equal(t, app, rec.Body.String(), "the ticket is its app's")
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/login", strings.NewReader(`{"platform":"qq","appid":"merchant-404","code":"u"}`))
	req.Header.Set("Content-Type", "application/json")
	m.Handler().ServeHTTP(rec, req)
	assert.Equal(t, 404, rec.Code, "an app the source does not know: %s", rec.Body.String())
}

// After a key rotation (a second login) SessionSignature signs with the
// newest key, never the old one: under PerDevice the first ticket signs
// with the new key; under OnePerUser it is refused, so nothing is signed.
func TestSessionSignatureAfterKeyRotation(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	body := []byte(`{"openid":"rot-user","env":0}`)
	for _, policy := range []login.SessionPolicy{login.PerDevice, login.OnePerUser} {
		m, err := login.New(login.Config{Client: newClient(t, sb, nil, nil), Key: make([]byte, 32), Sessions: policy})
		require.NoError(t, err)
		ticketOf := func() (string, string) {
			code, err := sb.Login(taro.Weapp, "rot-user")
			require.NoError(t, err)
			res, err := m.Login(context.Background(), taro.LoginOption{Platform: taro.Weapp, Code: code})
			require.NoError(t, err)
			key, _ := sb.SessionKey(taro.Weapp, "rot-user")
			return res.Ticket, key
		}
		sign := func(ticket string) (string, int) {
			var sig string
			h := m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var err error
				sig, err = m.SessionSignature(r.Context(), body)
				require.NoError(t, err)
			}))
			req := httptest.NewRequest("POST", "/pay", nil)
			req.Header.Set("Authorization", "Bearer "+ticket)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return sig, rec.Code
		}
		first, oldKey := ticketOf()
		sig, status := sign(first)
		require.Equal(t, 200, status)
		assert.Equal(t, hmacHex(oldKey, body), sig, "%v: before the rotation", policy)
		second, newKey := ticketOf()
		require.NotEqual(t, oldKey, newKey, "the sandbox rotates the key at login")
		for _, ticket := range []string{first, second} {
			sig, status := sign(ticket)
			if policy == login.OnePerUser && ticket == first {
				assert.Equal(t, http.StatusUnauthorized, status, "superseded: refused, nothing signed")
				assert.Empty(t, sig)
				continue
			}
			require.Equal(t, 200, status)
			assert.Equal(t, hmacHex(newKey, body), sig, "%v: the newest key", policy)
			assert.NotEqual(t, hmacHex(oldKey, body), sig, "%v: never the old key", policy)
		}
	}
}

func hmacHex(key string, data []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}
