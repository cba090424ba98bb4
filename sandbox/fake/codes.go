package fake

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"
)

// MaxLiveCodes bounds the codes of one kind a platform's state holds:
// past it, minting a code is an error (ErrTooManyCodes) until some
// expire.
const MaxLiveCodes = 200_000

// ErrTooManyCodes is the error of a mint past MaxLiveCodes.
var ErrTooManyCodes = errors.New("sandbox: " + strconv.Itoa(MaxLiveCodes) + " codes of this platform are live; wait until some expire (they live minutes) or advance the clock")

// codeTable holds single-use codes that all live ttl from their minting,
// in two generations: the codes minted since start (cur) and those of the
// generation before (prev). A generation is at least ttl long, so when a
// mint finds the current one a ttl old, every code of the one before has
// expired: it is dropped whole and the current one becomes the previous.
// No code is deleted one by one and nothing is scanned, so a mint and a
// redemption cost O(1) however many codes are live; the table holds the
// live codes and, at most, the expired ones of one generation.
type codeTable[T any] struct {
	ttl       time.Duration
	cur, prev map[codeID]entryOf[T]
	start     time.Time
	// curLast and prevLast are when the last code minted in each
	// generation expires: a generation whose last code has expired is
	// dropped whole.
	curLast, prevLast int64
}

// codeID is a code's 16 random bytes (the code is their hex).
type codeID [16]byte

type entryOf[T any] struct {
	v       T
	expires int64 // Unix nanoseconds
	used    bool
}

func newCodeTable[T any](ttl time.Duration) codeTable[T] {
	return codeTable[T]{ttl: ttl, cur: map[codeID]entryOf[T]{}}
}

// rotate starts a new generation when the current one is ttl old.
func (t *codeTable[T]) rotate(now time.Time) {
	if t.start.IsZero() {
		t.start = now
	}
	n := now.UnixNano()
	if t.prev != nil && n >= t.prevLast {
		t.prev = nil // every code of the previous generation has expired
	}
	if now.Sub(t.start) < t.ttl {
		return
	}
	if n >= t.curLast {
		t.prev = nil // every code of both generations has expired
		clear(t.cur)
	} else {
		t.prev, t.prevLast = t.cur, t.curLast
		t.cur = make(map[codeID]entryOf[T], len(t.cur))
	}
	t.start = now
}

// mint adds a new code for v living ttl from now.
func (t *codeTable[T]) mint(v T, now time.Time) (string, error) {
	t.rotate(now)
	if t.len() >= MaxLiveCodes {
		return "", ErrTooManyCodes
	}
	var id codeID
	_, _ = rand.Read(id[:])
	t.curLast = now.Add(t.ttl).UnixNano()
	t.cur[id] = entryOf[T]{v: v, expires: t.curLast}
	return hex.EncodeToString(id[:]), nil
}

// redeem consumes c: its value, or why not. ok filters the code's value
// (a code of the wrong kind is unknown).
func (t *codeTable[T]) redeem(c string, now time.Time, ok func(T) bool) (T, CodeResult) {
	var zero T
	var id codeID
	if len(c) != 2*len(id) {
		return zero, CodeUnknown
	}
	if _, err := hex.Decode(id[:], []byte(c)); err != nil {
		return zero, CodeUnknown
	}
	gen := t.cur
	e, found := gen[id]
	if !found && t.prev != nil {
		gen = t.prev
		e, found = gen[id]
	}
	switch {
	case !found || (ok != nil && !ok(e.v)):
		return zero, CodeUnknown
	case e.used:
		return zero, CodeUsed
	case now.UnixNano() >= e.expires:
		return zero, CodeExpired
	}
	e.used = true
	gen[id] = e
	return e.v, CodeOK
}

// len is the number of codes held.
func (t *codeTable[T]) len() int { return len(t.cur) + len(t.prev) }
