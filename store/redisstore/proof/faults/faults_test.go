package faults

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// What each fault must become, and how many requests the platform may see.
var faultExpect = map[sandbox.FaultKind]struct {
	code          taro.Code
	min, max      int
	checksOnlyTok bool
}{
	sandbox.Busy:         {taro.CodeUnavailable, 3, 3, false},
	sandbox.RateLimit:    {taro.CodeRateLimited, 1, 1, false},
	sandbox.TokenInvalid: {taro.CodeTokenInvalid, 2, 2, true},
	sandbox.ServerError:  {taro.CodeUnavailable, 3, 3, false},
	sandbox.HTMLBody:     {taro.CodeUnavailable, 3, 3, false},
	sandbox.Truncated:    {taro.CodeUnavailable, 3, 3, false},
	sandbox.Reset:        {taro.CodeUnavailable, 3, 6, false}, // net/http resends an idempotent request once on a dead reused connection
	sandbox.Slow:         {taro.CodeDeadlineExceeded, 1, 1, false},
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, p := range sandbox.Platforms() {
		for _, kind := range sandbox.FaultKinds() {
			for _, ep := range []sandbox.Endpoint{sandbox.Code2Session, sandbox.CheckSession} {
				want := faultExpect[kind]
				t.Run(fmt.Sprintf("%s/%s/%s", p, ep, kind), func(t *testing.T) {
					t.Parallel() // each case has its sandbox, client and keys; a slow case waits out its deadline
					st, _ := redistest.Store(t, redisstore.Options{})
					sb := sandbox.NewServer(sandbox.Options{SlowDelay: 3 * time.Second})
					defer sb.Close()
					c := redistest.Replica(t, sb, p, st, nil)
					if err := sb.Inject(p, ep, kind, 100); err != nil {
						// Not applicable: no check endpoint on qq, swan or kwai, no
						// token on a login. Say so, and prove the sandbox refuses.
						assert.True(t, ep == sandbox.CheckSession && p != taro.Weapp && p != taro.TT || kind == sandbox.TokenInvalid && ep == sandbox.Code2Session, "unexpected refusal: %v", err)
						return
					}
					// The call's deadline starts when the call does, not
					// before the setup, and is long enough for the request to
					// reach the sandbox on a loaded machine (300 ms was not,
					// once in a CI run); the slow answer takes 3 s.
					deadline := func() (context.Context, context.CancelFunc) {
						if kind == sandbox.Slow {
							return context.WithTimeout(context.Background(), time.Second)
						}
						return context.WithTimeout(context.Background(), 10*time.Second)
					}
					var calls []string
					var err error
					before := sb.Requests(p, ep)
					if ep == sandbox.Code2Session {
						code, _ := sb.Login(p, "fault-user")
						ctx, cancel := deadline()
						defer cancel()
						_, err = c.Code2Session(ctx, taro.LoginOption{Platform: p, Code: code,
							Success:  func(taro.LoginResult) { calls = append(calls, "success") },
							Fail:     func(taro.LoginResult) { calls = append(calls, "fail") },
							Complete: func(taro.LoginResult) { calls = append(calls, "complete") }})
						_, recorded, lerr := st.LookupSession(context.Background(), taro.SessionKeyID{Platform: p, AppID: sb.App(p).ID, OpenID: "fault-user"})
						require.NoError(t, lerr)
						assert.False(t, recorded, "nothing is written to the store on failure")
					} else {
						sb.ClearFaults()
						s := redistest.Login(t, sb, c, p, "fault-user")
						require.NoError(t, sb.Inject(p, ep, kind, 100))
						before = sb.Requests(p, ep)
						ctx, cancel := deadline()
						defer cancel()
						_, err = c.CheckSession(ctx, taro.Option{Platform: p, Session: s,
							Success:  func(taro.CallbackResult) { calls = append(calls, "success") },
							Fail:     func(taro.CallbackResult) { calls = append(calls, "fail") },
							Complete: func(taro.CallbackResult) { calls = append(calls, "complete") }})
					}
					tries := sb.Requests(p, ep) - before
					assert.Equal(t, want.code, taro.CodeOf(err), "%v", err)
					assert.Equal(t, []string{"fail", "complete"}, calls, "callbacks exactly once")
					assert.True(t, tries >= want.min && tries <= want.max, "%d requests, want %d..%d", tries, want.min, want.max)
				})
			}
		}
		t.Run(fmt.Sprintf("%s/redis-stopped", p), func(t *testing.T) {
			t.Parallel()
			mr := miniredis.RunT(t)
			st, err := redisstore.Open("redis://"+mr.Addr()+"/0", redisstore.Options{})
			require.NoError(t, err)
			defer st.Close()
			sb := sandbox.NewServer(sandbox.Options{})
			defer sb.Close()
			c := redistest.Replica(t, sb, p, st, nil)
			s := redistest.Login(t, sb, c, p, "redis-user")
			mr.Close()
			var calls []string
			_, err = c.CheckSession(context.Background(), taro.Option{Platform: p, Session: s,
				Fail: func(taro.CallbackResult) { calls = append(calls, "fail") }, Complete: func(taro.CallbackResult) { calls = append(calls, "complete") }})
			if slices.Contains(redistest.KeyedPlatforms(), p) {
				assert.ErrorIs(t, err, taro.ErrUnavailable, "fail closed")
			} else {
				assert.ErrorIs(t, err, taro.ErrNotSupported, "no session key: nothing to check, store or not")
			}
			code, _ := sb.Login(p, "redis-user")
			res, err := c.Code2Session(context.Background(), taro.LoginOption{Platform: p, Code: code,
				Fail: func(taro.LoginResult) { calls = append(calls, "fail") }, Complete: func(taro.LoginResult) { calls = append(calls, "complete") }})
			assert.ErrorIs(t, err, taro.ErrUnavailable)
			assert.Empty(t, res.Session.SessionKey, "a login that could not be recorded hands out no session")
			assert.Equal(t, []string{"fail", "complete", "fail", "complete"}, calls)
		})
	}
}
