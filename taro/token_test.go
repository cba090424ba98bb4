package taro_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// counter is a fetch function that mints tok-1, tok-2, … with a lifetime.
type counter struct {
	n    atomic.Int64
	life time.Duration
	gate chan struct{} // when set, each fetch waits for it
}

func (c *counter) fetch(ctx context.Context) (driver.Token, error) {
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return driver.Token{}, ctx.Err()
		}
	}
	return driver.Token{Value: fmt.Sprintf("tok-%d", c.n.Add(1)), ExpiresIn: c.life}, nil
}

// The TokenSource on its own: one fetch for 100 concurrent callers, one
// across two processes sharing a store, the refresh margin, Invalidate's
// compare-and-delete and its one refetch.
func TestTokenSource(t *testing.T) {
	ctx := context.Background()
	t.Run("one fetch for concurrent callers", func(t *testing.T) {
		f := &counter{life: time.Hour, gate: make(chan struct{})}
		s := taro.NewTokenSource(taro.NewMemoryTokenStore(), "app", f.fetch, taro.TokenSourceOptions{})
		var g errgroup.Group
		var started sync.WaitGroup
		for range 100 {
			started.Add(1)
			g.Go(func() error {
				started.Done()
				v, err := s.Token(ctx)
				if err == nil && v != "tok-1" {
					err = fmt.Errorf("got %s", v)
				}
				return err
			})
		}
		started.Wait()
		close(f.gate)
		require.NoError(t, g.Wait())
		assert.Equal(t, int64(1), f.n.Load())
	})
	t.Run("one fetch across processes sharing a store", func(t *testing.T) {
		store := taro.NewMemoryTokenStore()
		f := &counter{life: time.Hour}
		a := taro.NewTokenSource(store, "app", f.fetch, taro.TokenSourceOptions{})
		b := taro.NewTokenSource(store, "app", f.fetch, taro.TokenSourceOptions{})
		var g errgroup.Group
		for i := range 50 {
			s := a
			if i%2 == 1 {
				s = b
			}
			g.Go(func() error { _, err := s.Token(ctx); return err })
		}
		require.NoError(t, g.Wait())
		assert.Equal(t, int64(1), f.n.Load())
	})
	t.Run("refresh margin", func(t *testing.T) {
		now := time.Unix(1_700_000_000, 0)
		clock := func() time.Time { return now }
		f := &counter{life: time.Hour}
		s := taro.NewTokenSource(taro.NewMemoryTokenStore(), "app", f.fetch, taro.TokenSourceOptions{Now: clock})
		v, err := s.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, "tok-1", v)
		now = now.Add(54 * time.Minute)
		v, _ = s.Token(ctx)
		assert.Equal(t, "tok-1", v, "still within its life less five minutes")
		now = now.Add(time.Minute)
		v, _ = s.Token(ctx)
		assert.Equal(t, "tok-2", v, "replaced five minutes before its announced expiry")
	})
	t.Run("invalidate", func(t *testing.T) {
		store := taro.NewMemoryTokenStore()
		f := &counter{life: time.Hour}
		a := taro.NewTokenSource(store, "app", f.fetch, taro.TokenSourceOptions{})
		b := taro.NewTokenSource(store, "app", f.fetch, taro.TokenSourceOptions{})
		v, _ := a.Token(ctx)
		require.Equal(t, "tok-1", v)
		require.NoError(t, a.Invalidate(ctx, "tok-1"))
		v, _ = a.Token(ctx)
		assert.Equal(t, "tok-2", v, "the refetch")
		// b still holds nothing locally; a stale replica invalidating the
		// old token does not throw away the fresh one.
		require.NoError(t, b.Invalidate(ctx, "tok-1"))
		v, _ = b.Token(ctx)
		assert.Equal(t, "tok-2", v, "compare-and-delete kept the fresh token")
		assert.Equal(t, int64(2), f.n.Load())

		// Many callers that saw one rejection share one refetch.
		var g errgroup.Group
		for range 20 {
			g.Go(func() error {
				if err := a.Invalidate(ctx, "tok-2"); err != nil {
					return err
				}
				_, err := a.Token(ctx)
				return err
			})
		}
		require.NoError(t, g.Wait())
		assert.Equal(t, int64(3), f.n.Load())
	})
	t.Run("a platform that hands out the same token again", func(t *testing.T) {
		var n atomic.Int64
		fetch := func(context.Context) (driver.Token, error) {
			n.Add(1)
			return driver.Token{Value: "stable", ExpiresIn: time.Hour}, nil
		}
		s := taro.NewTokenSource(taro.NewMemoryTokenStore(), "app", fetch, taro.TokenSourceOptions{})
		_, _ = s.Token(ctx)
		require.NoError(t, s.Invalidate(ctx, "stable"))
		for range 10 {
			v, err := s.Token(ctx)
			require.NoError(t, err)
			assert.Equal(t, "stable", v)
		}
		assert.Equal(t, int64(2), n.Load(), "one refetch, then the local copy")
	})
}

// The memory store's fetch lock: one holder at a time, released by its
// unlock or by its ttl, and a stale unlock does not free a later holder's.
func TestMemoryTokenStoreLock(t *testing.T) {
	ctx := context.Background()
	var s taro.MemoryTokenStore
	var _ taro.TokenLocker = &s
	unlock, ok, err := s.LockToken(ctx, "k", time.Hour)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, _ = s.LockToken(ctx, "k", time.Hour)
	assert.False(t, ok, "held")
	_, ok, _ = s.LockToken(ctx, "other", time.Hour)
	assert.True(t, ok, "another key's lock is its own")
	unlock(ctx)
	unlock2, ok, _ := s.LockToken(ctx, "k", time.Hour)
	require.True(t, ok, "released by unlock")
	unlock(ctx) // stale
	_, ok, _ = s.LockToken(ctx, "k", time.Hour)
	assert.False(t, ok, "a stale unlock leaves the new holder's lock")
	unlock2(ctx)
	_, ok, _ = s.LockToken(ctx, "e", -time.Second)
	require.True(t, ok)
	_, ok, _ = s.LockToken(ctx, "e", time.Hour)
	assert.True(t, ok, "an expired lock is free")
}
