package platforms_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/platforms/kwai"
	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/platforms/tt"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// Every type that holds a secret redacts it under json.Marshal, slog's
// JSON and text handlers (as a value and nested in a struct), and every
// fmt verb. The one exception is on purpose: the JSON of the login
// handler's answer, which hands the client its ticket.
func TestNoSecretInJSONOrSlog(t *testing.T) {
	const secret = "S3cr3t-Value-0123456789"
	const pass = "hunter2-password"
	base := "https://user:" + pass + "@sandbox.example/weapp?token=" + secret
	ticket := "v1.TICKET-" + secret
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"weapp.Config", weapp.Config{AppID: "wx1", Secret: secret, BaseURL: base}},
		{"tt.Config", tt.Config{AppID: "tt1", Secret: secret, BaseURL: base, MiniGame: true}},
		{"qq.Config", qq.Config{AppID: "qq1", Secret: secret, BaseURL: base}},
		{"swan.Config", swan.Config{AppID: "sw1", Secret: secret, BaseURL: base}},
		{"kwai.Config", kwai.Config{AppID: "ks1", Secret: secret, BaseURL: base}},
		{"platforms.Settings", platforms.Settings{AppID: "wx1", Secret: secret, BaseURL: base}},
		{"taro.Session", taro.Session{OpenID: "o1", SessionKey: secret}},
		{"taro.LoginResult", taro.LoginResult{ErrMsg: "code2Session:ok", OpenID: "o1", Session: taro.Session{OpenID: "o1", SessionKey: secret}}},
		{"redisstore.Options", redisstore.Options{Prefix: "p:", Secret: []byte(secret)}},
		{"login.Config", login.Config{Key: []byte(secret[:16] + secret[:16])}},
		{"login.Result", login.Result{Ticket: ticket, User: login.User{Platform: taro.Weapp, OpenID: "o1"}}},
		{"login.LoginResponse", login.LoginResponse{ErrMsg: "login:ok", Ticket: ticket}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out []string
			b, err := json.Marshal(tc.v)
			require.NoError(t, err)
			if _, ok := tc.v.(login.LoginResponse); ok {
				assert.Contains(t, string(b), ticket, "the login answer's JSON hands the client its ticket")
			} else {
				out = append(out, "json: "+string(b))
				b, err = json.Marshal(struct{ V any }{tc.v})
				require.NoError(t, err)
				out = append(out, "json nested: "+string(b))
			}
			for _, h := range []func(*bytes.Buffer) slog.Handler{
				func(w *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(w, nil) },
				func(w *bytes.Buffer) slog.Handler { return slog.NewTextHandler(w, nil) },
			} {
				var buf bytes.Buffer
				lg := slog.New(h(&buf))
				if _, ok := tc.v.(login.LoginResponse); ok {
					lg.Info("m", "v", tc.v) // nested, it is JSON: the exception
				} else {
					lg.Info("m", "v", tc.v, slog.Any("nested", struct{ V any }{tc.v}))
				}
				out = append(out, "slog: "+buf.String())
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
				out = append(out, fmt.Sprintf(verb, tc.v))
			}
			for _, o := range out {
				assert.NotContains(t, o, secret[:12], o)
				assert.NotContains(t, o, pass, o)
				assert.NotContains(t, o, fmt.Sprintf("%x", secret[:12]), o)
			}
		})
	}
}
