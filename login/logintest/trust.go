package logintest

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// oneAnswer: a genuine ticket that is superseded, idle, too old, logged
// out or unknown to the store gets the same status, errMsg, body and
// header as a forged one; server code still learns the reason with
// errors.Is.
func oneAnswer(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	d := short(st)
	r := replica(t, sb, st, taro.Config{MaxSessionAge: 3*d + d/4}, login.Config{IdleTimeout: 2 * d})
	other := replica(t, sb, Memory(t), taro.Config{}, login.Config{}) // another store: unknown tickets
	ctx := context.Background()

	forged := "v1." + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("x", 80)))
	answer := func(ticket string) (int, string, string) {
		req, _ := http.NewRequest("GET", r.URL+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+ticket)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("WWW-Authenticate")
	}
	fs, fb, fh := answer(forged)
	require.Equal(t, 401, fs)
	same := func(name, ticket string, reason error) {
		t.Helper()
		s, b, h := answer(ticket)
		assert.Equal(t, fs, s, name)
		assert.Equal(t, fb, b, name)
		assert.Equal(t, fh, h, name)
		_, err := r.Manager.Resolve(ctx, ticket)
		assert.ErrorIs(t, err, taro.ErrSessionInvalid, name)
		assert.ErrorIs(t, err, reason, name)
	}
	superseded := r.login(t, sb, taro.QQ, "victim")
	r.login(t, sb, taro.QQ, "victim")
	same("superseded", superseded, login.ErrTicketSuperseded)
	loggedOut := r.login(t, sb, taro.QQ, "leaver")
	require.Equal(t, 200, r.do(t, "POST", "/logout", loggedOut, "").Status)
	same("logged out", loggedOut, login.ErrTicketUnknown)
	same("unknown to the store", other.login(t, sb, taro.QQ, "elsewhere"), login.ErrTicketUnknown)
	idle := r.login(t, sb, taro.Weapp, "idler")
	tooOld := r.login(t, sb, taro.QQ, "old")
	// Keep tooOld used (not idle) until it is older than MaxSessionAge.
	for range 3 {
		wait(st, d)
		require.Equal(t, 200, r.me(t, tooOld))
	}
	same("idle", idle, login.ErrTicketIdle)
	wait(st, d/2)
	same("too old", tooOld, login.ErrTicketTooOld)
	_, err := r.Manager.Resolve(ctx, forged)
	assert.ErrorIs(t, err, login.ErrTicketForged)
}

// holdingStore holds PutTicket until released: a login in flight, whose
// session is recorded and whose ticket is not yet stored.
type holdingStore struct {
	login.Store
	hold    atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (h *holdingStore) PutTicket(ctx context.Context, id login.TicketID, rec login.TicketRecord, keep int) error {
	if h.hold.Load() {
		h.entered <- struct{}{}
		<-h.release
	}
	return h.Store.PutTicket(ctx, id, rec, keep)
}

// logoutAllInFlight: a login that recorded its session before a LogoutAll
// (on another replica) and stores its ticket after it is refused; a
// login after it is not.
func logoutAllInFlight(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	hs := &holdingStore{Store: st.Tickets, entered: make(chan struct{}), release: make(chan struct{})}
	held := st
	held.Tickets = hs
	lc := login.Config{Sessions: login.PerDevice}
	a := replica(t, sb, held, taro.Config{}, lc)
	b := replica(t, sb, st, taro.Config{}, lc)
	for _, p := range []taro.Platform{taro.QQ, taro.Weapp} {
		before := b.login(t, sb, p, "inflight")
		hs.hold.Store(true)
		var inFlight string
		var g errgroup.Group
		g.Go(func() error {
			code, err := sb.Login(p, "inflight")
			if err != nil {
				return err
			}
			res, err := a.Manager.Login(context.Background(), taro.LoginOption{Platform: p, Code: code})
			inFlight = res.Ticket
			return err
		})
		<-hs.entered // the session is recorded; the ticket is not stored
		hs.hold.Store(false)
		require.Equal(t, 200, b.do(t, "POST", "/logout-all", before, "").Status)
		close(hs.release)
		require.NoError(t, g.Wait())
		hs.release = make(chan struct{})
		for _, r := range []*Replica{a, b} {
			assert.Equal(t, 401, r.me(t, before), "%s", p)
			assert.Equal(t, 401, r.me(t, inFlight), "%s: a login in flight across LogoutAll", p)
		}
		_, err := b.Manager.Resolve(context.Background(), inFlight)
		assert.ErrorIs(t, err, login.ErrTicketLoggedOutAll)
		after := a.login(t, sb, p, "inflight")
		for _, r := range []*Replica{a, b} {
			assert.Equal(t, 200, r.me(t, after), "%s: a login after LogoutAll", p)
		}
		u, err := a.Manager.Resolve(context.Background(), after)
		require.NoError(t, err)
		infos, err := a.Manager.Sessions(context.Background(), u)
		require.NoError(t, err)
		assert.Len(t, infos, 1, "%s: only the login after LogoutAll is listed", p)
	}
}

// loginResetsBudget: a spent Decrypt budget does not outlive a login that
// records the same key (the platform kept it).
func loginResetsBudget(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	sb := sandbox.NewServer(sandbox.Options{KeepKeyOnLogin: true})
	defer sb.Close()
	a := replica(t, sb, st, taro.Config{}, login.Config{})
	b := replica(t, sb, st, taro.Config{}, login.Config{})
	ctx := context.Background()
	code, err := sb.Login(taro.Weapp, "budget-reset")
	require.NoError(t, err)
	res, err := a.Client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)
	good, iv, err := sb.Encrypt(taro.Weapp, "budget-reset", []byte(`{"a":1}`))
	require.NoError(t, err)
	bad := base64.StdEncoding.EncodeToString(make([]byte, 32))
	open := func(r *Replica, s taro.Session, data string) error {
		_, err := r.Client.Decrypt(ctx, taro.DecryptOption{Platform: taro.Weapp, Session: s, EncryptedData: data, IV: iv})
		return err
	}
	for range taro.DefaultDecryptFailures {
		assert.ErrorIs(t, open(a, res.Session, bad), taro.ErrSessionInvalid)
	}
	assert.ErrorIs(t, open(b, res.Session, good), taro.ErrSessionInvalid, "the budget is spent")
	code, err = sb.Login(taro.Weapp, "budget-reset")
	require.NoError(t, err)
	again, err := b.Client.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	require.NoError(t, err)
	require.Equal(t, res.Session.SessionKey, again.Session.SessionKey, "the platform kept the key")
	assert.NoError(t, open(a, again.Session, good), "a login that records the key resets its budget")
}

// envelopeBound: Alipay's phone envelope belongs to the first user who
// presents it, across replicas and under concurrent presentations.
func envelopeBound(t *testing.T, newStores func(t *testing.T) Stores) {
	st := newStores(t)
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	a := replica(t, sb, st, taro.Config{}, login.Config{})
	b := replica(t, sb, st, taro.Config{}, login.Config{})
	ctx := context.Background()
	env, err := sb.PhoneCode(taro.Alipay, "first", "13800138000")
	require.NoError(t, err)
	phone := func(r *Replica, openid string) error {
		_, err := r.Client.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Alipay, Response: env, OpenID: openid})
		return err
	}
	assert.ErrorIs(t, phone(a, ""), taro.ErrInvalidArgument, "OpenID is required")
	require.NoError(t, phone(a, "first"))
	require.NoError(t, phone(b, "first"), "the same user again, on another replica")
	for _, r := range []*Replica{a, b} {
		assert.ErrorIs(t, phone(r, "thief"), taro.ErrInvalidCode)
	}
	require.NoError(t, phone(a, "first"))

	// Concurrent first presentations of a new envelope: exactly one wins.
	env2, err := sb.PhoneCode(taro.Alipay, "second", "13900139000")
	require.NoError(t, err)
	var mu sync.Mutex
	won := map[string]bool{}
	var g errgroup.Group
	for i := range 16 {
		r := a
		if i%2 == 1 {
			r = b
		}
		who := string(rune('a' + i))
		g.Go(func() error {
			_, err := r.Client.GetPhoneNumber(ctx, taro.PhoneOption{Platform: taro.Alipay, Response: env2, OpenID: who})
			if err == nil {
				mu.Lock()
				won[who] = true
				mu.Unlock()
			} else if !assert.ErrorIs(t, err, taro.ErrInvalidCode) {
				return err
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	assert.Len(t, won, 1, "exactly one user owns the envelope")
	_ = time.Second
}
