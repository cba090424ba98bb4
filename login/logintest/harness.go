package logintest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// Stores are what the replicas of one service share.
type Stores struct {
	Sessions taro.SessionStore
	Tickets  login.Store
	// Tokens may be nil (each replica then keeps its own).
	Tokens taro.TokenStore
	// Forget deletes a user's session record, as an eviction would.
	Forget func(ctx context.Context, id taro.SessionKeyID) error
	// Advance moves the stores' clock forward by d. Nil means the stores
	// keep real time (a real Redis); the suite then waits for short
	// durations instead.
	Advance func(d time.Duration)
}

// Clock is a settable clock for stores that take one (the memory stores'
// Now).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Memory returns the memory stores on one clock, as Run wants them.
func Memory(t *testing.T) Stores {
	clock := NewClock(time.Now())
	sessions := &taro.MemorySessionStore{Now: clock.Now}
	tickets := login.NewMemoryStore(sessions)
	tickets.Now = clock.Now
	return Stores{Sessions: sessions, Tickets: tickets, Forget: sessions.ForgetSession, Advance: clock.Advance}
}

var key = []byte("0123456789abcdef0123456789abcdef")

// Replica is one replica of a service: a client, a manager on the shared
// stores, and its routes over real HTTP.
type Replica struct {
	Client  *taro.Client
	Manager *login.Manager
	URL     string
}

// replica builds a replica against sb. Zero configs take the suite's
// defaults; cfg.Client, Store and Key are filled in.
func replica(t *testing.T, sb *sandbox.Sandbox, st Stores, tc taro.Config, lc login.Config) *Replica {
	t.Helper()
	ds, err := platforms.New(sandbox.Settings(sb))
	require.NoError(t, err)
	return replicaWith(t, ds, st, tc, lc)
}

// twoReplicas starts a sandbox with opts (closed when t ends) and two
// replicas of its apps on one set of stores from newStores, both
// configured with tc and lc.
func twoReplicas(t *testing.T, newStores func(t *testing.T) Stores, opts sandbox.Options, tc taro.Config, lc login.Config) (Stores, *sandbox.Sandbox, *Replica, *Replica) {
	t.Helper()
	st := newStores(t)
	sb := sandbox.NewServer(opts)
	t.Cleanup(sb.Close)
	return st, sb, replica(t, sb, st, tc, lc), replica(t, sb, st, tc, lc)
}

// twoApps starts two sandboxes, closed when t ends: one of the default
// apps and one of otherApps (the same platforms, other ids and secrets).
func twoApps(t *testing.T) (defaults, others *sandbox.Sandbox) {
	t.Helper()
	defaults, others = sandbox.NewServer(sandbox.Options{}), sandbox.NewServer(sandbox.Options{Apps: otherApps})
	t.Cleanup(defaults.Close)
	t.Cleanup(others.Close)
	return defaults, others
}

// replicaOf is a replica serving the drivers ds.
func replicaOf(t *testing.T, ds []taro.Driver, st Stores, lc login.Config) *Replica {
	t.Helper()
	return replicaWith(t, ds, st, taro.Config{}, lc)
}

func replicaWith(t *testing.T, ds []taro.Driver, st Stores, tc taro.Config, lc login.Config) *Replica {
	t.Helper()
	tc.Drivers, tc.Sessions, tc.Tokens = ds, st.Sessions, st.Tokens
	tc.Retry = taro.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	c, err := taro.New(tc)
	require.NoError(t, err)
	lc.Client, lc.Store, lc.Key = c, st.Tickets, key
	m, err := login.New(lc)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /login", m.Handler())
	mux.Handle("POST /logout", m.LogoutHandler())
	mux.Handle("POST /logout-all", m.LogoutAllHandler())
	mux.Handle("GET /sessions", m.SessionsHandler())
	mux.Handle("GET /me", m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context())
		_ = json.NewEncoder(w).Encode(map[string]string{"openid": u.OpenID})
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &Replica{Client: c, Manager: m, URL: srv.URL}
}

// Answer is an HTTP answer of a replica.
type Answer struct {
	Status int
	Body   map[string]any
}

func (r *Replica) do(t *testing.T, method, path, ticket, body string) Answer {
	t.Helper()
	req, err := http.NewRequest(method, r.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if ticket != "" {
		req.Header.Set("Authorization", "Bearer "+ticket)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return Answer{resp.StatusCode, m}
}

// me is the status of GET /me with ticket.
func (r *Replica) me(t *testing.T, ticket string) int {
	t.Helper()
	return r.do(t, "GET", "/me", ticket, "").Status
}

// login logs openid in over HTTP and returns the ticket.
func (r *Replica) login(t *testing.T, sb *sandbox.Sandbox, p taro.Platform, openid string) string {
	t.Helper()
	code, err := sb.Login(p, openid)
	require.NoError(t, err)
	a := r.do(t, "POST", "/login", "", fmt.Sprintf(`{"platform":%q,"code":%q}`, p, code))
	require.Equal(t, 200, a.Status, a.Body)
	return a.Body["ticket"].(string)
}

// wait lets d pass on the stores' clock.
func wait(st Stores, d time.Duration) {
	if st.Advance != nil {
		st.Advance(d)
		return
	}
	time.Sleep(d)
}

// short is a duration the suite can wait out: an hour on a settable
// clock, two seconds on a real one.
func short(st Stores) time.Duration {
	if st.Advance != nil {
		return time.Hour
	}
	return 2 * time.Second
}
