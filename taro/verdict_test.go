package taro_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro"
)

// App.Verdict is pure: each fact alone gives its detail, the order of the
// checks decides when several hold, and only a refusal drawn from a cache
// asks for a second read.
func TestVerdict(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newClient(t, taro.Config{Sessions: taro.NewMemorySessionStore(), MaxSessionAge: time.Hour}, &fakeDriver{platform: taro.QQ})
	app, err := c.App(t.Context(), taro.QQ, "")
	require.NoError(t, err)
	rec := taro.SessionRecord{Fingerprint: taro.FingerprintOf("key"), IssuedAt: now.Add(-time.Minute), Seq: 7, ReadAt: now}
	valid := taro.SessionFacts{Record: rec, Found: true, Key: "key", Seq: 7, NewestOnly: true, LastUsed: now.Add(-time.Second), Idle: time.Minute, Now: now}
	for _, tc := range []struct {
		name   string
		change func(f *taro.SessionFacts)
		detail string
	}{
		{"valid", func(*taro.SessionFacts) {}, ""},
		{"replaced", func(f *taro.SessionFacts) { f.Replaced = true }, taro.DetailSuperseded},
		{"gone", func(f *taro.SessionFacts) { f.Gone = true }, taro.DetailGone},
		{"idle", func(f *taro.SessionFacts) { f.LastUsed = now.Add(-time.Minute) }, taro.DetailIdle},
		{"never seen", func(f *taro.SessionFacts) { f.Found = false }, taro.DetailNeverSeen},
		{"revoked", func(f *taro.SessionFacts) { f.Revoked = true }, taro.DetailRevoked},
		{"older login", func(f *taro.SessionFacts) { f.Seq = 6 }, taro.DetailSuperseded},
		{"older login, every login valid", func(f *taro.SessionFacts) { f.Seq, f.NewestOnly = 6, false }, ""},
		{"another key", func(f *taro.SessionFacts) { f.Key = "old-key" }, taro.DetailSuperseded},
		{"no key: presence and age only", func(f *taro.SessionFacts) { f.Key = "" }, ""},
		{"too old", func(f *taro.SessionFacts) { f.Record.IssuedAt = now.Add(-2 * time.Hour) }, taro.DetailTooOld},
		{"gone before idle before never seen", func(f *taro.SessionFacts) {
			f.Gone, f.LastUsed, f.Found = true, now.Add(-time.Hour), false
		}, taro.DetailGone},
		{"revoked before superseded", func(f *taro.SessionFacts) { f.Revoked, f.Seq = true, 6 }, taro.DetailRevoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := valid
			tc.change(&f)
			again, err := app.Verdict("auth", f)
			if tc.detail == "" {
				assert.NoError(t, err)
				assert.False(t, again)
				return
			}
			var te *taro.Error
			require.ErrorAs(t, err, &te)
			assert.ErrorIs(t, err, taro.ErrSessionInvalid)
			assert.Equal(t, tc.detail, te.Detail)
			assert.False(t, again, "a fresh read's refusal stands")
			f.Cached = true
			again, _ = app.Verdict("auth", f)
			assert.True(t, again, "a refusal from a cache is read again")
			f.Cached, f.Record.Cached = false, true
			again, _ = app.Verdict("auth", f)
			assert.True(t, again, "so is one from a cached session record")
		})
	}
}
