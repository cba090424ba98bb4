package redisstore_test

import (
	"testing"
	"time"

	"github.com/tarogo/adapter/login/logintest"
	"github.com/tarogo/adapter/store/redisstore"
)

// The login state's guarantees on Redis: miniredis (its clock advanced by
// hand), and a real Redis or Redis Cluster in CI (real time: the age tests
// wait a few seconds).
func TestLoginSuite(t *testing.T) {
	t.Parallel()
	logintest.Run(t, func(t *testing.T) logintest.Stores {
		b := newBackend(t)
		st := b.store(redisstore.Options{})
		s := logintest.Stores{Sessions: st, Tickets: st, Tokens: st, Forget: st.ForgetSession}
		if b.mr != nil {
			now := time.Now()
			b.mr.SetTime(now)
			s.Advance = func(d time.Duration) {
				now = now.Add(d)
				b.mr.SetTime(now)
				b.mr.FastForward(d)
			}
		}
		return s
	})
}
