// Package logintest is the suite of the login state's guarantees, run
// against the stores the replicas of one service share: login order
// decides (1,000 concurrent logins leave one valid ticket), every age is
// measured by the store's clock (replicas an hour fast or slow agree),
// tickets are bound to their app, an evicted session record fails closed,
// the session policies, Sessions, LogoutAll and IdleTimeout over HTTP
// across two replicas, and the Decrypt failure budget across replicas.
//
// login's own tests run it on the memory stores, and store/redisstore's on
// Redis and Redis Cluster. A new store runs it with one call:
//
//	func TestLoginSuite(t *testing.T) {
//		logintest.Run(t, func(t *testing.T) logintest.Stores { … })
//	}
package logintest

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// Run runs the suite; newStores makes fresh shared stores for each test.
func Run(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Run("ConcurrentLoginsLeaveOneTicket", func(t *testing.T) { concurrentLogins(t, newStores) })
	// The three that wait on a real clock run side by side (each on
	// stores of its own), after the others.
	t.Run("SkewedClocks", func(t *testing.T) { t.Parallel(); skewedClocks(t, newStores) })
	t.Run("TicketsBoundToTheirApp", func(t *testing.T) { crossApp(t, newStores) })
	t.Run("EvictedRecordFailsClosed", func(t *testing.T) { evicted(t, newStores) })
	t.Run("PerDevice", func(t *testing.T) { perDevice(t, newStores) })
	t.Run("OnePerUser", func(t *testing.T) { onePerUser(t, newStores) })
	t.Run("IdleTimeout", func(t *testing.T) { t.Parallel(); idle(t, newStores) })
	t.Run("DecryptBudgetAcrossReplicas", func(t *testing.T) { decryptBudget(t, newStores) })
	t.Run("SeveralAppsOfOnePlatform", func(t *testing.T) { severalApps(t, newStores) })
	t.Run("OneAnswerForRefusedTickets", func(t *testing.T) { t.Parallel(); oneAnswer(t, newStores) })
	t.Run("LogoutAllEndsLoginsInFlight", func(t *testing.T) { logoutAllInFlight(t, newStores) })
	t.Run("LoginResetsDecryptBudget", func(t *testing.T) { loginResetsBudget(t, newStores) })
	t.Run("AlipayEnvelopeBoundToFirstUser", func(t *testing.T) { envelopeBound(t, newStores) })
}

// severalApps: one Client and one Manager serve two weapp apps (each app
// its own sandbox); POST /login chooses with "appid"; the same openid on
// both apps is two users; a service of app B alone refuses app A's
// tickets.
func severalApps(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	main, lite := twoApps(t)
	appA, appB := main.App(taro.Weapp), lite.App(taro.Weapp)
	ds, err := platforms.NewApps(map[taro.Platform][]platforms.Settings{taro.Weapp: {
		{AppID: appA.ID, Secret: appA.Secret, BaseURL: main.BaseURL(taro.Weapp)},
		{AppID: appB.ID, Secret: appB.Secret, BaseURL: lite.BaseURL(taro.Weapp)},
	}})
	require.NoError(t, err)
	both := replicaOf(t, ds, st, login.Config{})
	onlyB := replica(t, lite, st, taro.Config{}, login.Config{})

	loginTo := func(r *Replica, sb *sandbox.Sandbox, appID string) Answer {
		code, err := sb.Login(taro.Weapp, "same-openid")
		require.NoError(t, err)
		return r.do(t, "POST", "/login", "", fmt.Sprintf(`{"platform":"weapp","appid":%q,"code":%q}`, appID, code))
	}
	calls := main.Requests(taro.Weapp, sandbox.Code2Session) + lite.Requests(taro.Weapp, sandbox.Code2Session)
	code, _ := main.Login(taro.Weapp, "same-openid")
	ans := both.do(t, "POST", "/login", "", fmt.Sprintf(`{"platform":"weapp","code":%q}`, code))
	assert.Equal(t, 400, ans.Status, "no appid on a platform with two apps")
	assert.Contains(t, ans.Body["errMsg"], "AppID")
	assert.Equal(t, calls, main.Requests(taro.Weapp, sandbox.Code2Session)+lite.Requests(taro.Weapp, sandbox.Code2Session), "refused before any I/O")

	a := loginTo(both, main, appA.ID)
	require.Equal(t, 200, a.Status, a.Body)
	b := loginTo(both, lite, appB.ID)
	require.Equal(t, 200, b.Status, b.Body)
	ta, tb := a.Body["ticket"].(string), b.Body["ticket"].(string)
	assert.Equal(t, 200, both.me(t, ta), "app B's login does not supersede the same openid on app A")
	assert.Equal(t, 200, both.me(t, tb))
	ua, err := both.Manager.Resolve(context.Background(), ta)
	require.NoError(t, err)
	assert.Equal(t, appA.ID, ua.AppID)
	assert.Equal(t, 401, onlyB.me(t, ta), "a service of app B alone refuses app A's ticket")
	assert.Equal(t, 200, onlyB.me(t, tb))

	// A login to the wrong app's sandbox is that app's bad code.
	wrong := loginTo(both, main, appB.ID)
	assert.Equal(t, 400, wrong.Status)
}

// 1,000 concurrent logins of one user, on two replicas, with the platform
// re-issuing the same key every time: exactly one ticket stays valid.
func concurrentLogins(t *testing.T, newStores func(t *testing.T) Stores) {
	for _, p := range []taro.Platform{taro.QQ, taro.Weapp} {
		t.Run(string(p), func(t *testing.T) {
			_, sb, a, b := twoReplicas(t, newStores, sandbox.Options{KeepKeyOnLogin: true}, taro.Config{}, login.Config{CheckInterval: time.Hour})
			const n = 1000
			tickets := make([]string, n)
			var g errgroup.Group
			g.SetLimit(32)
			ctx := context.Background()
			for i := range n {
				g.Go(func() error {
					code, err := sb.Login(p, "crowd")
					if err != nil {
						return err
					}
					m := a.Manager
					if i%2 == 1 {
						m = b.Manager
					}
					res, err := m.Login(ctx, taro.LoginOption{Platform: p, Code: code})
					tickets[i] = res.Ticket
					return err
				})
			}
			require.NoError(t, g.Wait())
			valid := 0
			for i, tk := range tickets {
				r := a
				if i%2 == 0 {
					r = b
				}
				if _, err := r.Manager.Resolve(ctx, tk); err == nil {
					valid++
				} else {
					require.ErrorIs(t, err, taro.ErrSessionInvalid)
				}
			}
			assert.Equal(t, 1, valid, "exactly one ticket of 1,000 concurrent logins is valid")
		})
	}
}

// Replicas an hour fast and an hour slow: a fresh session is valid on
// both, and one past taro.Config.MaxSessionAge or the ticket's TTL is
// invalid on both, since every age is read off the store's clock.
func skewedClocks(t *testing.T, newStores func(t *testing.T) Stores) {
	for _, limit := range []string{"MaxSessionAge", "TTL"} {
		t.Run(limit, func(t *testing.T) {
			st := newStores(t)
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			age := short(st)
			var tc taro.Config
			var lc login.Config
			if limit == "MaxSessionAge" {
				tc.MaxSessionAge = age
			} else {
				lc.TTL = age
			}
			fastNow := func() time.Time { return time.Now().Add(time.Hour) }
			slowNow := func() time.Time { return time.Now().Add(-time.Hour) }
			tcFast, lcFast, tcSlow, lcSlow := tc, lc, tc, lc
			tcFast.Now, lcFast.Now, tcSlow.Now, lcSlow.Now = fastNow, fastNow, slowNow, slowNow
			fast := replica(t, sb, st, tcFast, lcFast)
			slow := replica(t, sb, st, tcSlow, lcSlow)
			var tickets []string
			for _, p := range []taro.Platform{taro.QQ, taro.Weapp} {
				for i, r := range []*Replica{fast, slow} {
					ticket := r.login(t, sb, p, fmt.Sprintf("skewed-%d", i))
					tickets = append(tickets, ticket)
					assert.Equal(t, 200, fast.me(t, ticket), "%s: a fresh session is valid on the fast replica", p)
					assert.Equal(t, 200, slow.me(t, ticket), "%s: and on the slow one", p)
				}
			}
			wait(st, age+age/4)
			for _, ticket := range tickets {
				assert.Equal(t, 401, fast.me(t, ticket), "past its %s on the store's clock", limit)
				assert.Equal(t, 401, slow.me(t, ticket), "past its %s on the store's clock, on the slow replica too", limit)
			}
		})
	}
}

// otherApps are apps of the built-in platforms that are not the
// sandbox's defaults.
var otherApps = func() map[taro.Platform]sandbox.App {
	m := map[taro.Platform]sandbox.App{}
	defaults := sandbox.New(sandbox.Options{})
	defer defaults.Close()
	for _, p := range sandbox.Platforms() {
		a := defaults.App(p)
		if a.Secret == "" { // a platform that signs with keys keeps the fake's keys
			a.ID = "other-" + string(p)
			m[p] = a
			continue
		}
		m[p] = sandbox.App{ID: "other-" + string(p), Secret: "s"}
	}
	return m
}()

// Two services of different apps share the stores and the Key: neither
// accepts the other's tickets, on any platform.
func crossApp(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	sb, other := twoApps(t)
	a := replica(t, sb, st, taro.Config{}, login.Config{})
	b := replica(t, other, st, taro.Config{}, login.Config{})
	for _, p := range sb.Platforms() {
		ta := a.login(t, sb, p, "shared-user")
		tb := b.login(t, other, p, "shared-user")
		assert.Equal(t, 200, a.me(t, ta), "%s", p)
		assert.Equal(t, 200, b.me(t, tb), "%s", p)
		assert.Equal(t, 401, b.me(t, ta), "%s: another app's ticket", p)
		assert.Equal(t, 401, a.me(t, tb), "%s: another app's ticket", p)
	}
}

// A user's session record evicted or deleted: the user's tickets fail
// closed on every replica, never answered from a cached platform check,
// until the next login.
func evicted(t *testing.T, newStores func(t *testing.T) Stores) {
	for _, p := range []taro.Platform{taro.Weapp, taro.QQ} {
		t.Run(string(p), func(t *testing.T) {
			st, sb, a, b := twoReplicas(t, newStores, sandbox.Options{}, taro.Config{}, login.Config{CheckInterval: time.Hour})
			require.NotNil(t, st.Forget, "Stores.Forget")
			ticket := a.login(t, sb, p, "evicted")
			require.Equal(t, 200, a.me(t, ticket))
			require.Equal(t, 200, b.me(t, ticket))
			checks := sb.Requests(p, sandbox.CheckSession)
			require.NoError(t, st.Forget(context.Background(), taro.SessionKeyID{Platform: p, AppID: sb.App(p).ID, OpenID: "evicted"}))
			ans := a.do(t, "GET", "/me", ticket, "")
			assert.Equal(t, 401, ans.Status)
			assert.Equal(t, "auth:fail session invalid: "+login.DetailBadTicket, ans.Body["errMsg"])
			_, err := a.Manager.Resolve(context.Background(), ticket)
			assert.ErrorIs(t, err, login.ErrTicketNoSession)
			assert.Equal(t, 401, b.me(t, ticket))
			assert.Equal(t, checks, sb.Requests(p, sandbox.CheckSession), "decided without the platform")
			assert.Equal(t, 200, b.me(t, b.login(t, sb, p, "evicted")), "the next login works")
		})
	}
}

// PerDevice over HTTP on two replicas: each login is a session of its
// own up to MaxPerUser (the oldest ends past it), GET /sessions lists them
// with handles that are not tickets, LogoutSession ends one, POST
// /logout-all ends all on every replica; on weapp a platform answer that
// the newest key is gone ends all the user's tickets.
func perDevice(t *testing.T, newStores func(t *testing.T) Stores) {
	_, sb, a, b := twoReplicas(t, newStores, sandbox.Options{}, taro.Config{}, login.Config{Sessions: login.PerDevice, MaxPerUser: 3, CheckInterval: -1})
	ctx := context.Background()
	for _, p := range []taro.Platform{taro.QQ, taro.Weapp} {
		t.Run(string(p), func(t *testing.T) {
			var tickets []string
			for i := range 4 {
				r := a
				if i%2 == 1 {
					r = b
				}
				tickets = append(tickets, r.login(t, sb, p, "devices"))
			}
			for _, r := range []*Replica{a, b} {
				assert.Equal(t, 401, r.me(t, tickets[0]), "the oldest ends past MaxPerUser")
				for _, tk := range tickets[1:] {
					assert.Equal(t, 200, r.me(t, tk), "a newer login elsewhere leaves the other devices signed in")
				}
			}
			ans := b.do(t, "GET", "/sessions", tickets[2], "")
			require.Equal(t, 200, ans.Status, ans.Body)
			list, _ := ans.Body["sessions"].([]any)
			require.Len(t, list, 3)
			current := 0
			var ids []string
			for _, v := range list {
				s := v.(map[string]any)
				id, _ := s["id"].(string)
				require.NotEmpty(t, id)
				ids = append(ids, id)
				for _, tk := range tickets {
					assert.NotContains(t, tk, id, "a session's ID is no part of its ticket")
				}
				for _, f := range []string{"issuedAt", "lastUsed", "expiresAt"} {
					assert.NotEmpty(t, s[f], f)
				}
				if s["current"] == true {
					current++
				}
			}
			assert.Equal(t, 1, current)

			u, err := a.Manager.Resolve(ctx, tickets[1])
			require.NoError(t, err)
			newest, _ := sb.SessionKey(p, "devices")
			assert.Equal(t, newest, u.Session().SessionKey, "an older device's ticket gives the user's newest key")
			infos, err := a.Manager.Sessions(ctx, u)
			require.NoError(t, err)
			require.Len(t, infos, 3)
			for _, in := range infos {
				assert.False(t, in.IssuedAt.IsZero())
				assert.True(t, in.ExpiresAt.After(in.IssuedAt))
				if in.Current {
					require.NoError(t, a.Manager.LogoutSession(ctx, u, in.ID))
				}
			}
			assert.Equal(t, 401, b.me(t, tickets[1]), "LogoutSession ends that session")
			assert.Equal(t, 200, b.me(t, tickets[2]))

			if p == taro.Weapp {
				// Another backend of the same app logs the user in: the
				// platform rotates the key, and its answer on the next
				// check ends every ticket of the user.
				elsewhere := replica(t, sb, Memory(t), taro.Config{}, login.Config{})
				elsewhere.login(t, sb, p, "devices")
				assert.Equal(t, 401, a.me(t, tickets[2]))
				infos, err := a.Manager.Sessions(ctx, u)
				require.NoError(t, err)
				assert.Empty(t, infos, "the platform's answer ended all the user's tickets")
				assert.Equal(t, 401, b.me(t, tickets[3]))
				return
			}
			ans = a.do(t, "POST", "/logout-all", tickets[3], "")
			require.Equal(t, 200, ans.Status, ans.Body)
			for _, tk := range tickets {
				assert.Equal(t, 401, b.me(t, tk), "LogoutAll on A ends every session on B")
			}
			infos, err = b.Manager.Sessions(ctx, u)
			require.NoError(t, err)
			assert.Empty(t, infos)
		})
	}
}

// OnePerUser (the default) on two replicas: a newer login ends the
// earlier tickets even when the platform re-issued the same key.
func onePerUser(t *testing.T, newStores func(t *testing.T) Stores) {
	_, sb, a, b := twoReplicas(t, newStores, sandbox.Options{KeepKeyOnLogin: true}, taro.Config{}, login.Config{})
	for _, p := range sb.Platforms() {
		first := a.login(t, sb, p, "single")
		second := b.login(t, sb, p, "single")
		for _, r := range []*Replica{a, b} {
			ans := r.do(t, "GET", "/me", first, "")
			assert.Equal(t, 401, ans.Status, "%s", p)
			assert.Equal(t, "auth:fail session invalid: "+login.DetailBadTicket, ans.Body["errMsg"], "%s", p)
			_, err := r.Manager.Resolve(context.Background(), first)
			assert.ErrorIs(t, err, login.ErrTicketSuperseded, "%s", p)
			assert.Equal(t, 200, r.me(t, second), "%s", p)
		}
		ans := a.do(t, "GET", "/sessions", second, "")
		require.Equal(t, 200, ans.Status)
		assert.Len(t, ans.Body["sessions"], 1, "%s", p)
	}
}

// IdleTimeout on two replicas: use keeps a ticket alive past the idle
// timeout since login; a ticket unused for the idle timeout is invalid
// on both.
func idle(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	d := short(st)
	lc := login.Config{IdleTimeout: d, Sessions: login.PerDevice}
	a := replica(t, sb, st, taro.Config{}, lc)
	b := replica(t, sb, st, taro.Config{}, lc)
	kept := a.login(t, sb, taro.QQ, "idle")
	left := a.login(t, sb, taro.QQ, "idle")
	wait(st, d/2)
	assert.Equal(t, 200, b.me(t, kept))
	wait(st, d*6/10)
	assert.Equal(t, 200, a.me(t, kept), "used %v ago, logged in %v ago", d*6/10, d*11/10)
	ans := b.do(t, "GET", "/me", left, "")
	assert.Equal(t, 401, ans.Status, "unused for longer than the idle timeout")
	assert.Equal(t, "auth:fail session invalid: "+login.DetailBadTicket, ans.Body["errMsg"])
	_, err := b.Manager.Resolve(context.Background(), left)
	assert.ErrorIs(t, err, login.ErrTicketIdle)
	wait(st, d+d/20)
	assert.Equal(t, 401, b.me(t, kept))
	assert.Equal(t, 401, a.me(t, kept))
}

// The Decrypt failure budget is kept in the shared session store: failures
// on two replicas add up, and the key is then refused on both.
func decryptBudget(t *testing.T, newStores func(t *testing.T) Stores) {
	st, sb, a, b := twoReplicas(t, newStores, sandbox.Options{}, taro.Config{DecryptFailures: 2}, login.Config{})
	_, ok := st.Sessions.(taro.DecryptLimiter)
	require.True(t, ok, "the session store keeps the Decrypt failure budget (taro.DecryptLimiter)")
	ctx := context.Background()
	code, err := sb.Login(taro.Weapp, "budget")
	require.NoError(t, err)
	res, err := a.Client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)
	good, iv, err := sb.Encrypt(taro.Weapp, "budget", []byte(`{"a":1}`))
	require.NoError(t, err)
	bad := base64.StdEncoding.EncodeToString(make([]byte, 32))
	open := func(r *Replica, data string) error {
		_, err := r.Client.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: res.Session, EncryptedData: data, IV: iv})
		return err
	}
	require.NoError(t, open(b, good))
	assert.ErrorIs(t, open(a, bad), taro.ErrSessionInvalid)
	require.NoError(t, open(b, good), "one failure of two")
	assert.ErrorIs(t, open(b, bad), taro.ErrSessionInvalid)
	assert.ErrorIs(t, open(a, good), taro.ErrSessionInvalid, "the budget is spent across replicas")
	assert.ErrorIs(t, open(b, good), taro.ErrSessionInvalid)
}
