package login_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// service is a backend built on a Manager: /login, /me, /logout.
type service struct {
	sb  *sandbox.Sandbox
	m   *login.Manager
	srv *httptest.Server
}

func newClient(t testing.TB, sb *sandbox.Sandbox, sessions taro.SessionStore, tokens taro.TokenStore) *taro.Client {
	t.Helper()
	ds, err := platforms.New(sandbox.Settings(sb))
	require.NoError(t, err)
	c, err := taro.New(taro.Config{Drivers: ds, Sessions: sessions, Tokens: tokens,
		Retry: taro.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	require.NoError(t, err)
	return c
}

func newService(t testing.TB, sb *sandbox.Sandbox, cfg login.Config) *service {
	t.Helper()
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	m, err := login.New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /login", m.Handler())
	mux.Handle("POST /logout", m.LogoutHandler())
	mux.Handle("GET /me", m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := login.UserFrom(r.Context())
		if !ok {
			http.Error(w, "no user", 500)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"platform": string(u.Platform), "openid": u.OpenID, "unionid": u.UnionID,
			"hasKey": fmt.Sprint(u.Session().SessionKey != "")})
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &service{sb: sb, m: m, srv: srv}
}

type answer struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (s *service) do(t testing.TB, method, path, ticket, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if ticket != "" {
		req.Header.Set("Authorization", "Bearer "+ticket)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return answer{resp.StatusCode, m, string(b), resp.Header}
}

func (s *service) login(t testing.TB, p taro.Platform, openid string) (answer, string) {
	t.Helper()
	code, err := s.sb.Login(p, openid)
	require.NoError(t, err)
	a := s.do(t, "POST", "/login", "", fmt.Sprintf(`{"platform":%q,"code":%q}`, p, code))
	return a, code
}

func TestLoginFlowOverHTTP(t *testing.T) {
	for _, p := range sandbox.Platforms() {
		t.Run(string(p), func(t *testing.T) {
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			s := newService(t, sb, login.Config{Client: newClient(t, sb, nil, nil)})

			a, code := s.login(t, p, "user-1")
			require.Equal(t, 200, a.status, a.raw)
			assert.Equal(t, "login:ok", a.body["errMsg"])
			assert.Equal(t, "user-1", a.body["openid"])
			assert.Equal(t, float64(7*24*3600), a.body["expiresIn"])
			key, _ := sb.SessionKey(p, "user-1")
			assert.NotContains(t, a.raw, key, "the session key never leaves the server")
			ticket := a.body["ticket"].(string)
			assert.GreaterOrEqual(t, len(ticket), 22, "at least 128 bits")
			assert.NotContains(t, ticket, "user-1", "the ticket is opaque")

			me := s.do(t, "GET", "/me", ticket, "")
			require.Equal(t, 200, me.status, me.raw)
			assert.Equal(t, "user-1", me.body["openid"])
			assert.Equal(t, string(p), me.body["platform"])
			if pl, _ := driver.LookupPlugin(p); pl.Keyless {
				assert.Equal(t, "false", me.body["hasKey"], "Alipay and DingTalk have no session key")
			} else {
				assert.Equal(t, "true", me.body["hasKey"], "the handler reaches the session for Decrypt")
			}

			reused := s.do(t, "POST", "/login", "", fmt.Sprintf(`{"platform":%q,"code":%q}`, p, code))
			assert.Equal(t, 400, reused.status, reused.raw)
			assert.Equal(t, "InvalidCode", reused.body["code"])

			a2, _ := s.login(t, p, "user-1") // the key rotates
			require.Equal(t, 200, a2.status)
			old := s.do(t, "GET", "/me", ticket, "")
			assert.Equal(t, 401, old.status, "a newer login supersedes the old ticket: %s", old.raw)
			assert.Equal(t, "auth:fail session invalid: "+login.DetailBadTicket, old.body["errMsg"], "the one answer of every refused ticket")
			_, rerr := s.m.Resolve(context.Background(), ticket)
			assert.ErrorIs(t, rerr, login.ErrTicketSuperseded, "server code still learns why")
			assert.Contains(t, old.header.Get("WWW-Authenticate"), "Bearer")
			ticket2 := a2.body["ticket"].(string)
			assert.Equal(t, 200, s.do(t, "GET", "/me", ticket2, "").status)

			assert.Equal(t, 200, s.do(t, "POST", "/logout", ticket2, "").status)
			out := s.do(t, "GET", "/me", ticket2, "")
			assert.Equal(t, 401, out.status)
			assert.Equal(t, "auth:fail session invalid: "+login.DetailBadTicket, out.body["errMsg"])
			_, rerr = s.m.Resolve(context.Background(), ticket2)
			assert.ErrorIs(t, rerr, login.ErrTicketUnknown)

			for name, forged := range map[string]string{
				"none":      "",
				"garbage":   "not-a-ticket",
				"tampered":  ticket2[:len(ticket2)-2] + "AA",
				"truncated": ticket2[:20],
				"other key": otherKeyTicket(t, sb, p),
			} {
				a := s.do(t, "GET", "/me", forged, "")
				assert.Equal(t, 401, a.status, name)
				assert.Equal(t, "SessionInvalid", a.body["code"], name)
			}
		})
	}
}

// otherKeyTicket is a valid ticket of another service with another key.
func otherKeyTicket(t *testing.T, sb *sandbox.Sandbox, p taro.Platform) string {
	other := newService(t, sb, login.Config{Client: newClient(t, sb, nil, nil), Key: []byte("ffffffffffffffffffffffffffffffff")})
	a, _ := other.login(t, p, "user-9")
	require.Equal(t, 200, a.status, a.raw)
	return a.body["ticket"].(string)
}

func TestFailuresHaveTheirStatus(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	s := newService(t, sb, login.Config{Client: newClient(t, sb, nil, nil), CheckInterval: -1})
	for name, tc := range map[string]struct {
		method, body string
		status       int
		code         string
	}{
		"malformed body":   {"POST", `{"platform":`, 400, "InvalidArgument"},
		"unknown field":    {"POST", `{"platform":"weapp","code":"c","x":1}`, 400, "InvalidArgument"},
		"no code":          {"POST", `{"platform":"weapp"}`, 400, "InvalidArgument"},
		"unknown platform": {"POST", `{"platform":"wechatpay","code":"c"}`, 404, "NoDriver"},
		"not supported":    {"POST", `{"platform":"h5","code":"c"}`, 400, "NotSupported"},
		"bad code":         {"POST", `{"platform":"qq","code":"nope"}`, 400, "InvalidCode"},
		"huge body":        {"POST", `{"platform":"qq","code":"` + strings.Repeat("x", 5000) + `"}`, 400, "InvalidArgument"},
		"GET is not login": {"GET", ``, 405, "InvalidArgument"},
	} {
		a := s.do(t, tc.method, "/login", "", tc.body)
		if tc.method == "GET" {
			req, _ := http.NewRequest("GET", s.srv.URL+"/login", nil)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			// the mux routes only POST /login; the handler itself refuses GET too
			rec := httptest.NewRecorder()
			s.m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
			assert.Equal(t, 405, rec.Code, name)
			continue
		}
		assert.Equal(t, tc.status, a.status, "%s: %s", name, a.raw)
		assert.Equal(t, tc.code, a.body["code"], name)
		assert.True(t, strings.HasPrefix(a.body["errMsg"].(string), "login:fail "), name)
	}

	// Platform busy: a login is 503, and so is a check the platform must
	// make (weapp with CheckInterval -1), never 401.
	require.NoError(t, sb.Inject(taro.QQ, sandbox.Code2Session, sandbox.Busy, 10))
	a, _ := s.login(t, taro.QQ, "busy-user")
	assert.Equal(t, 503, a.status, a.raw)
	assert.Equal(t, "Unavailable", a.body["code"])
	sb.ClearFaults()
	a, _ = s.login(t, taro.Weapp, "busy-user")
	require.Equal(t, 200, a.status)
	require.NoError(t, sb.Inject(taro.Weapp, sandbox.CheckSession, sandbox.Busy, 10))
	me := s.do(t, "GET", "/me", a.body["ticket"].(string), "")
	assert.Equal(t, 503, me.status, "a platform outage is never 401: %s", me.raw)
	sb.ClearFaults()
	assert.Equal(t, 200, s.do(t, "GET", "/me", a.body["ticket"].(string), "").status)

	// An anonymous-only Douyin login has no session to hand a ticket for.
	anon, _ := sb.AnonymousLogin("anon-1")
	a = s.do(t, "POST", "/login", "", `{"platform":"tt","anonymousCode":"`+anon+`"}`)
	assert.Equal(t, 400, a.status, a.raw)
}

func TestPlatformCheckedOncePerInterval(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	s := newService(t, sb, login.Config{Client: newClient(t, sb, nil, nil), CheckInterval: time.Hour})
	a, _ := s.login(t, taro.Weapp, "u")
	ticket := a.body["ticket"].(string)
	before := sb.Requests(taro.Weapp, sandbox.CheckSession)
	for range 5 {
		require.Equal(t, 200, s.do(t, "GET", "/me", ticket, "").status)
	}
	assert.Equal(t, 1, sb.Requests(taro.Weapp, sandbox.CheckSession)-before, "one platform check for five requests within the interval")
	// qq: the store alone, never the platform.
	a, _ = s.login(t, taro.QQ, "u")
	for range 3 {
		require.Equal(t, 200, s.do(t, "GET", "/me", a.body["ticket"].(string), "").status)
	}
}

func TestTicketsExpireAndKeysRotate(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := newClient(t, sb, nil, nil)
	now := time.Now()
	clock := func() time.Time { return now }
	s := newService(t, sb, login.Config{Client: c, TTL: time.Hour, Now: clock})
	a, _ := s.login(t, taro.QQ, "u")
	ticket := a.body["ticket"].(string)
	assert.Equal(t, float64(3600), a.body["expiresIn"])
	require.Equal(t, 200, s.do(t, "GET", "/me", ticket, "").status)

	// Rotation: a manager with a new key and the old one still opens it.
	newKey := []byte("NEWKEY-0123456789abcdef012345678")
	store := login.NewMemoryStore(c.Sessions())
	m1, err := login.New(login.Config{Client: c, Key: testKey, Store: store})
	require.NoError(t, err)
	res, err := m1.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: mustCode(t, sb, "rot")})
	require.NoError(t, err)
	m2, err := login.New(login.Config{Client: c, Key: newKey, OldKeys: [][]byte{testKey}, Store: store})
	require.NoError(t, err)
	u, err := m2.Resolve(context.Background(), res.Ticket)
	require.NoError(t, err, "the old key still opens")
	assert.Equal(t, "rot", u.OpenID)
	m3, _ := login.New(login.Config{Client: c, Key: newKey, Store: store})
	_, err = m3.Resolve(context.Background(), res.Ticket)
	assert.ErrorIs(t, err, taro.ErrSessionInvalid, "without the old key the ticket is unknown")

	now = now.Add(time.Hour + time.Second)
	assert.Equal(t, 401, s.do(t, "GET", "/me", ticket, "").status, "a ticket expires TTL after login (fixed)")
}

func mustCode(t *testing.T, sb *sandbox.Sandbox, openid string) string {
	code, err := sb.Login(taro.QQ, openid)
	require.NoError(t, err)
	return code
}

func TestConfig(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := newClient(t, sb, nil, nil)
	for _, cfg := range []login.Config{{}, {Client: c}, {Client: c, Key: []byte("short")}, {Client: c, Key: testKey, OldKeys: [][]byte{{1}}}} {
		_, err := login.New(cfg)
		assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	}
	cfg := login.Config{Client: c, Key: testKey}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		assert.NotContains(t, fmt.Sprintf(verb, cfg), string(testKey))
		assert.NotContains(t, fmt.Sprintf(verb, cfg), fmt.Sprintf("%x", testKey))
	}
	m, _ := login.New(cfg)
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: mustCode(t, sb, "fmt")})
	require.NoError(t, err)
	key := res.User.Session().SessionKey
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, res.User), key)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, res), res.Ticket, "a Result never prints its ticket")
		lr := login.LoginResponse{ErrMsg: "login:ok", Ticket: res.Ticket}
		assert.NotContains(t, fmt.Sprintf(verb, lr), res.Ticket)
	}
	_, ok := login.UserFrom(context.Background())
	assert.False(t, ok)
	assert.NoError(t, m.Logout(context.Background(), "garbage"), "nothing to end")
}

// Under PerDevice a newer login whose ticket is not stored yet (its
// session record is, as between Code2Session and PutTicket) leaves the
// other devices' tickets valid; under OnePerUser it supersedes them.
func TestNewerRecordWithoutTicket(t *testing.T) {
	for _, tc := range []struct {
		policy login.SessionPolicy
		status int
	}{{login.PerDevice, 200}, {login.OnePerUser, 401}} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			c := newClient(t, sb, nil, nil)
			s := newService(t, sb, login.Config{Client: c, Sessions: tc.policy})
			a, _ := s.login(t, taro.QQ, "device-user")
			require.Equal(t, 200, a.status, a.raw)
			ticket := a.body["ticket"].(string)
			code, err := sb.Login(taro.QQ, "device-user")
			require.NoError(t, err)
			_, err = c.Code2Session(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: code})
			require.NoError(t, err)
			got := s.do(t, "GET", "/me", ticket, "")
			assert.Equal(t, tc.status, got.status, got.raw)
		})
	}
}
