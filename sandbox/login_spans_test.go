package sandbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// The login state has spans of its own (login.login, login.logout,
// login.logout_all, login.resolve) and one per ticket store operation
// (login.store.…), with taro's rules: no secret, no ticket, no openid.
func TestLoginSpans(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.QQ)
	ds, err := platforms.New(map[taro.Platform]platforms.Settings{taro.QQ: sandbox.AppSettings(app, sb.BaseURL(taro.QQ), nil)})
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, TracerProvider: tp})
	require.NoError(t, err)
	m, err := login.New(login.Config{Client: c, Key: []byte("0123456789abcdef0123456789abcdef"), Sessions: login.PerDevice})
	require.NoError(t, err)
	ctx := context.Background()
	var secrets []string
	loginOnce := func() login.Result {
		code, err := sb.Login(taro.QQ, "span-user")
		require.NoError(t, err)
		res, err := m.Login(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
		require.NoError(t, err)
		key, _ := sb.SessionKey(taro.QQ, "span-user")
		secrets = append(secrets, res.Ticket, key, code)
		return res
	}
	a, b := loginOnce(), loginOnce()
	u, err := m.Resolve(ctx, a.Ticket)
	require.NoError(t, err)
	_, err = m.Sessions(ctx, u)
	require.NoError(t, err)
	require.NoError(t, m.Logout(ctx, a.Ticket))
	require.NoError(t, m.LogoutAll(ctx, b.User))
	_, err = m.Resolve(ctx, b.Ticket)
	require.Error(t, err)

	names := map[string]int{}
	for _, s := range spans.GetSpans() {
		names[s.Name]++
		for _, kv := range s.Attributes {
			for _, secret := range append(secrets, "span-user", app.Secret) {
				assert.NotContains(t, kv.Value.Emit(), secret, "span %s attribute %s", s.Name, kv.Key)
			}
		}
		assert.NotContains(t, s.Status.Description, "span-user")
	}
	for _, want := range []string{"login.login", "login.logout", "login.logout_all", "login.resolve",
		"login.store.put_ticket", "login.store.lookup_ticket", "login.store.delete_ticket", "login.store.delete_user_tickets", "login.store.user_tickets"} {
		assert.Positive(t, names[want], "span %s", want)
	}
	var parented bool
	for _, s := range spans.GetSpans() {
		if strings.HasPrefix(s.Name, "login.store.") && s.Parent.IsValid() {
			parented = true
		}
	}
	assert.True(t, parented, "the store's spans are children of the call's")
}
