package login_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
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
