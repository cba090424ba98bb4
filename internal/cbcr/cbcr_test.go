package cbcr

import (
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Through the leaky control the attack forges: what it builds decrypts,
// under a key it never saw, to the plaintext it chose.
func TestForgesThroughALeakyOracle(t *testing.T) {
	key := []byte("0123456789abcdef")
	want := []byte(`{"phoneNumber":"+8613999999999","watermark":{"appid":"wx0000000000000001"}}`)
	a := New(Leaky(key), 100000)
	iv, data, err := a.Forge(want)
	require.NoError(t, err)
	block, _ := aes.NewCipher(key)
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	n := int(plain[len(plain)-1])
	assert.Equal(t, string(want), string(plain[:len(plain)-n]))
	assert.Less(t, a.Queries, 6*256*16+100)
}

// An oracle that answers everything alike gives the attack nothing, and it
// stops after one sweep of the first byte.
func TestLearnsNothingFromOneAnswer(t *testing.T) {
	a := New(func(iv, data []byte) (string, error) { return "401 session invalid", nil }, 100000)
	_, _, err := a.Forge([]byte(`{}`))
	assert.ErrorIs(t, err, ErrNoOracle)
	assert.Equal(t, 256, a.Queries)

	a = New(Leaky([]byte("0123456789abcdef")), 300)
	_, _, err = a.Forge([]byte(`{}`))
	assert.ErrorIs(t, err, ErrBudget)
	assert.Equal(t, 300, a.Queries)
}
