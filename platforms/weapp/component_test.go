package weapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// redisURL is the Redis of TARO_REDIS_URL (CI's), or a miniredis.
func redisURL(t *testing.T) string {
	if u := os.Getenv("TARO_REDIS_URL"); u != "" {
		return u
	}
	mr := miniredis.RunT(t)
	return "redis://" + mr.Addr() + "/0"
}

// componentSandbox is a sandbox with a component that two weapp apps
// authorized; it returns their refresh tokens by app id.
func componentSandbox(t *testing.T, comp sandbox.Component) (*sandbox.Sandbox, map[string]string) {
	sb := sandbox.NewServer(sandbox.Options{})
	t.Cleanup(sb.Close)
	require.NoError(t, sb.AddComponent(comp))
	refresh := map[string]string{}
	for _, id := range []string{"wx-shop-1", "wx-shop-2"} {
		require.NoError(t, sb.AddApp(taro.Weapp, sandbox.App{ID: id, Secret: id + "-secret"}))
		rt, err := sb.Authorize(comp.AppID, id)
		require.NoError(t, err)
		refresh[id] = rt
	}
	return sb, refresh
}

// replica is one process of a component's service: its Component, its
// event URL, and a taro client whose apps come from a source.
type replica struct {
	comp   *weapp.Component
	events *httptest.Server
	client *taro.Client
}

func newReplica(t *testing.T, sb *sandbox.Sandbox, cfg weapp.ComponentConfig, refresh map[string]string, st *redisstore.Store) replica {
	cfg.BaseURL, cfg.HTTPClient = sb.BaseURL(taro.Weapp), sb.HTTPClient()
	cfg.Tokens = st
	comp, err := weapp.NewComponent(cfg)
	require.NoError(t, err)
	events := httptest.NewServer(comp.Handler())
	t.Cleanup(events.Close)
	c, err := taro.New(taro.Config{Tokens: st, Sessions: st, Apps: taro.AppSourceFunc(func(ctx context.Context, p taro.Platform, appID string) (taro.Driver, error) {
		rt, ok := refresh[appID]
		if p != taro.Weapp || !ok {
			return nil, fmt.Errorf("%w: %s", taro.ErrNoDriver, appID)
		}
		return comp.Driver(appID, rt)
	})})
	require.NoError(t, err)
	return replica{comp, events, c}
}

// A component gets its ticket pushed by the sandbox, logs users of two
// authorized apps in through sns/component/jscode2session and checks
// their sessions with the authorizers' tokens, on two replicas sharing
// one Redis: one ticket push, one component token fetch, one authorizer
// token fetch per app.
func TestComponentAcrossTwoReplicas(t *testing.T) {
	ctx := context.Background()
	comp := sandbox.Component{AppID: "wx-component-" + fake.RandomHex(4), Secret: "component-secret", Token: "push-token", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
	sb, refresh := componentSandbox(t, comp)
	cfg := weapp.ComponentConfig{AppID: comp.AppID, Secret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey}
	url := redisURL(t)
	prefix := "taro-test:" + fake.RandomHex(6) + ":" // this run's keys only, on a Redis that other runs share
	var replicas []replica
	for range 2 {
		st, err := redisstore.Open(url, redisstore.Options{Prefix: prefix})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		replicas = append(replicas, newReplica(t, sb, cfg, refresh, st))
	}

	// No ticket yet: Unavailable, saying so, and no wrong answer.
	code, err := sb.LoginApp(taro.Weapp, "wx-shop-1", "early")
	require.NoError(t, err)
	_, err = replicas[0].client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: "wx-shop-1", Code: code})
	assert.ErrorIs(t, err, taro.ErrUnavailable)
	assert.Contains(t, err.Error(), "no component_verify_ticket has arrived")
	assert.Zero(t, sb.Requests(taro.Weapp, sandbox.ComponentToken))

	// WeChat pushes to one replica only.
	require.NoError(t, sb.PushTicket(comp.AppID, replicas[1].events.URL+"/wechat/events"))
	sb.ResetCounters()

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i, r := range replicas {
		for _, app := range []string{"wx-shop-1", "wx-shop-2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := fmt.Sprintf("user-%d-%s", i, app)
				code, err := sb.LoginApp(taro.Weapp, app, user)
				if err != nil {
					errs <- err
					return
				}
				res, err := r.client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, AppID: app, Code: code})
				if err != nil {
					errs <- fmt.Errorf("%s login: %w", user, err)
					return
				}
				if res.OpenID != user || res.AppID != app {
					errs <- fmt.Errorf("%s: got %s on %s", user, res.OpenID, res.AppID)
					return
				}
				if _, err := r.client.CheckSession(ctx, taro.Option{Platform: taro.Weapp, AppID: app, Session: res.Session}); err != nil {
					errs <- fmt.Errorf("%s check: %w", user, err)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, 1, sb.Requests(taro.Weapp, sandbox.ComponentToken), "one component token for both replicas")
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.Token), "one authorizer token per app, shared")
	assert.Equal(t, 4, sb.Requests(taro.Weapp, sandbox.Code2Session))
	assert.Equal(t, 4, sb.Requests(taro.Weapp, sandbox.CheckSession))
	assert.Equal(t, []sandbox.ComponentInfo{{AppID: comp.AppID, Authorized: []string{"wx-shop-1", "wx-shop-2"}, Tickets: 1}}, sb.Components())

	// An app that did not authorize the component: PermissionDenied.
	require.NoError(t, sb.AddApp(taro.Weapp, sandbox.App{ID: "wx-stranger", Secret: "s"}))
	stranger, err := replicas[0].comp.Driver("wx-stranger", "refreshtoken@@@forged")
	require.NoError(t, err)
	sc, err := taro.New(taro.Config{Drivers: []taro.Driver{stranger}})
	require.NoError(t, err)
	code, err = sb.LoginApp(taro.Weapp, "wx-stranger", "u")
	require.NoError(t, err)
	_, err = sc.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	assert.ErrorIs(t, err, taro.ErrPermissionDenied)
}

// The component token is refetched once when WeChat says it is invalid.
func TestComponentTokenRefetchedOnce(t *testing.T) {
	ctx := context.Background()
	comp := sandbox.Component{AppID: "wx-component-r", Secret: "cs", Token: "tk", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
	sb, refresh := componentSandbox(t, comp)
	cfg := weapp.ComponentConfig{AppID: comp.AppID, Secret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey,
		BaseURL: sb.BaseURL(taro.Weapp), HTTPClient: sb.HTTPClient()}
	c, err := weapp.NewComponent(cfg)
	require.NoError(t, err)
	events := httptest.NewServer(c.Handler())
	defer events.Close()
	require.NoError(t, sb.PushTicket(comp.AppID, events.URL))
	d, err := c.Driver("wx-shop-1", refresh["wx-shop-1"])
	require.NoError(t, err)
	client, err := taro.New(taro.Config{Drivers: []taro.Driver{d}})
	require.NoError(t, err)
	login := func() error {
		code, err := sb.LoginApp(taro.Weapp, "wx-shop-1", "u")
		require.NoError(t, err)
		_, err = client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
		return err
	}
	require.NoError(t, login())
	sb.ExpireComponentTokens(comp.AppID)
	sb.ResetCounters()
	require.NoError(t, login(), "a rejected component token is refetched once")
	assert.Equal(t, 1, sb.Requests(taro.Weapp, sandbox.ComponentToken))
	assert.Equal(t, 2, sb.Requests(taro.Weapp, sandbox.Code2Session))
}

// Handler stores nothing from a push with a bad signature, a bad
// ciphertext or another component's AppId, and answers each alike.
func TestComponentHandlerRefuses(t *testing.T) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	store := taro.NewMemoryTokenStore()
	var events []weapp.ComponentEvent
	c, err := weapp.NewComponent(weapp.ComponentConfig{AppID: "wx-comp", Secret: "s", Token: "tk", EncodingAESKey: key, Tokens: store,
		OnEvent: func(_ context.Context, e weapp.ComponentEvent) { events = append(events, e) }})
	require.NoError(t, err)
	h := c.Handler()
	push := func(appID, token, msg string, mangle func(enc string) string) *httptest.ResponseRecorder {
		enc, err := fake.SealPush(key, appID, []byte(msg), nil)
		require.NoError(t, err)
		if mangle != nil {
			enc = mangle(enc)
		}
		sig := fake.PushSignature(token, "1700000000", "42", enc)
		r := httptest.NewRequest(http.MethodPost, "/?timestamp=1700000000&nonce=42&encrypt_type=aes&msg_signature="+sig,
			strings.NewReader("<xml><AppId><![CDATA["+appID+"]]></AppId><Encrypt><![CDATA["+enc+"]]></Encrypt></xml>"))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	ticket := func(app string) string {
		return "<xml><AppId>" + app + "</AppId><CreateTime>1700000000</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@x</ComponentVerifyTicket></xml>"
	}
	var bodies []string
	for name, w := range map[string]*httptest.ResponseRecorder{
		"signature":       push("wx-comp", "not-the-token", ticket("wx-comp"), nil),
		"ciphertext":      push("wx-comp", "tk", ticket("wx-comp"), func(e string) string { return "AAAA" + e[4:] }),
		"other component": push("wx-other", "tk", ticket("wx-other"), nil),
		"inner appid":     push("wx-comp", "tk", ticket("wx-other"), nil),
	} {
		assert.Equal(t, http.StatusBadRequest, w.Code, name)
		bodies = append(bodies, w.Body.String())
	}
	for _, b := range bodies {
		assert.Equal(t, bodies[0], b, "one answer whatever failed")
	}
	_, ok, _ := store.Token(context.Background(), "weapp-component:wx-comp:ticket")
	assert.False(t, ok, "nothing stored")

	w := push("wx-comp", "tk", "<xml><AppId>wx-comp</AppId><CreateTime>1700000001</CreateTime><InfoType>authorized</InfoType><AuthorizerAppid>wx-shop</AuthorizerAppid><AuthorizationCode>queryauthcode@@@abc</AuthorizationCode><AuthorizationCodeExpiredTime>1700003600</AuthorizationCodeExpiredTime><PreAuthCode>preauthcode@@@x</PreAuthCode></xml>", nil)
	assert.Equal(t, "success", w.Body.String())
	require.Len(t, events, 1)
	assert.Equal(t, "authorized", events[0].InfoType)
	assert.Equal(t, "wx-shop", events[0].AuthorizerAppID)
	assert.Equal(t, "queryauthcode@@@abc", string(events[0].AuthorizationCode))
	assert.NotContains(t, fmt.Sprintf("%v %+v", events[0], events[0]), "queryauthcode@@@abc", "the code is redacted when printed")

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

func TestComponentConfigRedactsAndValidates(t *testing.T) {
	cfg := weapp.ComponentConfig{AppID: "wx-comp", Secret: "comp-secret-1", Token: "push-token-1", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg, cfg), mustJSON(t, cfg)} {
		for _, secret := range []string{cfg.Secret, cfg.Token, cfg.EncodingAESKey} {
			assert.NotContains(t, s, secret)
		}
	}
	for name, mut := range map[string]func(*weapp.ComponentConfig){
		"AppID":          func(c *weapp.ComponentConfig) { c.AppID = "" },
		"Secret":         func(c *weapp.ComponentConfig) { c.Secret = "" },
		"Token":          func(c *weapp.ComponentConfig) { c.Token = "" },
		"EncodingAESKey": func(c *weapp.ComponentConfig) { c.EncodingAESKey = "short" },
	} {
		c := cfg
		mut(&c)
		_, err := weapp.NewComponent(c)
		assert.ErrorIs(t, err, taro.ErrInvalidArgument, name)
		assert.Contains(t, err.Error(), name)
	}
	c, err := weapp.NewComponent(cfg)
	require.NoError(t, err)
	_, err = c.Driver("", "rt")
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	_, err = c.Driver("wx-app", "")
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.NotContains(t, fmt.Sprint(c), cfg.Secret)
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
