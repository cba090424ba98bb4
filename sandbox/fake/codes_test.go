package fake

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type toy struct{ Spec }

func (toy) Routes(Router)                     {}
func (toy) FaultBody(Endpoint, FaultKind) any { return nil }

func testState(c *clock) *State {
	spec := Spec{Platform: "toy", CodeLife: 5 * time.Minute, KeyBytes: 16}
	return NewState(toy{spec}, App{ID: "a", Secret: "s"}, c.now, time.Hour, false)
}

// Codes are forgotten as they expire, without a scan of the table, and
// past MaxLiveCodes minting is a clear error until some expire.
func TestCodeTableBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	st := testState(c)
	first, err := st.Login("u", false)
	require.NoError(t, err)
	for i := range MaxLiveCodes - 1 {
		_, err := st.Login(fmt.Sprint("u", i%10), false)
		require.NoError(t, err)
	}
	assert.Equal(t, MaxLiveCodes, st.CodeCount())
	_, err = st.Login("u", false)
	assert.ErrorIs(t, err, ErrTooManyCodes)
	_, err = st.PhoneCode("u", "13800138000")
	assert.NoError(t, err, "phone codes have a table of their own")
	openid, r := st.Redeem(first, false)
	assert.Equal(t, CodeOK, r)
	assert.Equal(t, "u", openid)
	_, r = st.Redeem(first, false)
	assert.Equal(t, CodeUsed, r, "a used code stays known until it expires")
	_, err = st.Login("u", false)
	assert.ErrorIs(t, err, ErrTooManyCodes, "a used code is still live")

	c.t = c.t.Add(5 * time.Minute)
	_, r = st.Redeem(first, false)
	assert.Equal(t, CodeUsed, r)
	fresh, err := st.Login("u", false)
	require.NoError(t, err, "expired codes make room")
	assert.Equal(t, 1, st.CodeCount(), "the expired generation was dropped whole")
	_, r = st.Redeem(first, false)
	assert.Equal(t, CodeUnknown, r)

	// Codes of the generation before stay redeemable until they expire.
	c.t = c.t.Add(4 * time.Minute)
	mid, err := st.Login("v", false)
	require.NoError(t, err)
	c.t = c.t.Add(2 * time.Minute) // a new generation: fresh expired, mid lives
	_, err = st.Login("w", false)
	require.NoError(t, err)
	_, r = st.Redeem(fresh, true)
	assert.Equal(t, CodeUnknown, r, "an anonymous redemption of a plain code")
	_, r = st.Redeem(fresh, false)
	assert.Equal(t, CodeExpired, r)
	openid, r = st.Redeem(mid, false)
	assert.Equal(t, CodeOK, r, "a live code of the previous generation")
	assert.Equal(t, "v", openid)
	assert.Equal(t, 3, st.CodeCount())
	c.t = c.t.Add(10 * time.Minute)
	_, err = st.Login("x", false)
	require.NoError(t, err)
	assert.Equal(t, 1, st.CodeCount(), "both generations expired")
}

// BenchmarkLogin is a login (minting a code, as sandbox.Login does; then
// also redeeming it, as code2session does) with 1k and with 100k live
// codes in the table: no step scans the table.
func BenchmarkLogin(b *testing.B) {
	for _, bc := range []struct {
		live   int
		redeem bool
	}{{1_000, false}, {100_000, false}, {1_000, true}, {100_000, true}} {
		live, redeem := bc.live, bc.redeem
		name := fmt.Sprint("mint/live=", live)
		if redeem {
			name = fmt.Sprint("mint+redeem/live=", live)
		}
		b.Run(name, func(b *testing.B) {
			c := &clock{t: time.Unix(1_800_000_000, 0)}
			st := testState(c)
			// The clock moves a code's life every live logins, so codes
			// expire as fast as they are minted: the table stays at live.
			step := 5 * time.Minute / time.Duration(live)
			for i := range live {
				_, _ = st.Login(fmt.Sprint("u", i%100), false)
				c.t = c.t.Add(step)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				code, err := st.Login("bench", false)
				if err != nil {
					b.Fatal(err)
				}
				if redeem {
					if _, r := st.Redeem(code, false); r != CodeOK {
						b.Fatal(r)
					}
				}
				c.t = c.t.Add(step)
			}
			b.StopTimer()
			if n := st.CodeCount(); n > 2*live+1 {
				b.Fatalf("%d codes held, want at most %d", n, 2*live+1)
			}
		})
	}
}
