package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MinRedactLen is the shortest secret that RedactText looks for inside a
// text. A shorter secret could match unrelated words (a one-character key
// is inside "stable_token"), so a text that contains one is withheld whole
// instead of being cut up.
const MinRedactLen = 8

// Redacted replaces each secret found in a text.
const Redacted = "[redacted]"

// Withheld replaces a whole text that may contain a secret too short to
// find safely.
const Withheld = "[text withheld: it may contain a secret]"

// MinEchoLen is the shortest part of a secret that RedactText cuts out of
// a text on its own: a platform that echoes a secret truncated still
// echoes a run of it, and any run of this many characters of a secret is
// found.
const MinEchoLen = 12

// RedactText returns s with every echo of each secret replaced by
// Redacted, and reports whether it changed anything. An echo is found
// whatever the letter case and through percent-escapes (either case of
// hex digits), JSON \u escapes and JSON's \/; for a secret of MinEchoLen
// characters or more, any run of MinEchoLen characters of it counts, so a
// truncated echo is cut out too. When a secret shorter than MinRedactLen
// occurs in s, the whole of s is replaced by Withheld. Empty secrets are
// ignored.
func RedactText(s string, secrets ...string) (string, bool) {
	if s == "" {
		return s, false
	}
	spans, withhold := echoes(s, secrets)
	if withhold {
		return Withheld, true
	}
	if len(spans) == 0 {
		return s, false
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(Redacted)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// decoded is a text with its escapes decoded and ASCII letters folded to
// lower case; from[i] and to[i] bound the bytes of the original text that
// decoded byte i came from.
type decoded struct {
	text     []byte
	from, to []int
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func decode(s string) decoded {
	d := decoded{text: make([]byte, 0, len(s)), from: make([]int, 0, len(s)), to: make([]int, 0, len(s))}
	add := func(c byte, from, to int) {
		d.text = append(d.text, lower(c))
		d.from = append(d.from, from)
		d.to = append(d.to, to)
	}
	for i := 0; i < len(s); {
		if s[i] == '%' && i+2 < len(s) && hexVal(s[i+1]) >= 0 && hexVal(s[i+2]) >= 0 {
			add(byte(hexVal(s[i+1])<<4|hexVal(s[i+2])), i, i+3)
			i += 3
			continue
		}
		if s[i] == '\\' && i+5 < len(s) && s[i+1] == 'u' {
			v := 0
			ok := true
			for _, c := range []byte(s[i+2 : i+6]) {
				h := hexVal(c)
				if h < 0 {
					ok = false
					break
				}
				v = v<<4 | h
			}
			if ok {
				var buf [4]byte
				n := utf8.EncodeRune(buf[:], rune(v))
				for _, c := range buf[:n] {
					add(c, i, i+6)
				}
				i += 6
				continue
			}
		}
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '/' {
			add('/', i, i+2)
			i += 2
			continue
		}
		add(s[i], i, i+1)
		i++
	}
	return d
}

// echoes returns the sorted, merged spans of s that echo a secret, or
// withhold when a secret too short to cut out safely occurs in s.
func echoes(s string, secrets []string) (spans [][2]int, withhold bool) {
	var d decoded
	decodedOnce := false
	var marks []bool // marks[i]: decoded byte i echoes a secret
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		if !decodedOnce {
			d, decodedOnce = decode(s), true
			marks = make([]bool, len(d.text))
		}
		low := []byte(strings.ToLower(sec))
		if len(low) < MinEchoLen {
			// The whole secret, wherever it occurs.
			text := d.text
			for off := 0; ; {
				i := bytes.Index(text[off:], low)
				if i < 0 {
					break
				}
				if len(low) < MinRedactLen {
					return nil, true
				}
				for k := off + i; k < off+i+len(low); k++ {
					marks[k] = true
				}
				off += i + 1
			}
			continue
		}
		// Any run of MinEchoLen characters of the secret.
		grams := make(map[string]struct{}, len(low)-MinEchoLen+1)
		for i := 0; i+MinEchoLen <= len(low); i++ {
			grams[string(low[i:i+MinEchoLen])] = struct{}{}
		}
		for i := 0; i+MinEchoLen <= len(d.text); i++ {
			if _, ok := grams[string(d.text[i:i+MinEchoLen])]; ok {
				for k := i; k < i+MinEchoLen; k++ {
					marks[k] = true
				}
			}
		}
	}
	for i := 0; i < len(marks); i++ {
		if !marks[i] {
			continue
		}
		j := i
		for j+1 < len(marks) && marks[j+1] {
			j++
		}
		from, to := d.from[i], d.to[j]
		if n := len(spans); n > 0 && from <= spans[n-1][1] {
			spans[n-1][1] = max(spans[n-1][1], to)
		} else {
			spans = append(spans, [2]int{from, to})
		}
		i = j
	}
	return spans, false
}

// containsSecret reports whether s holds an echo of any secret.
func containsSecret(s string, secrets []string) bool {
	spans, withhold := echoes(s, secrets)
	return withhold || len(spans) > 0
}

// ChainHolds reports whether any layer of err's chain — its Error() text,
// or its %+v or %#v form — holds a secret.
func ChainHolds(err error, secrets ...string) bool {
	found := false
	walk(err, func(e error) bool {
		if containsSecret(e.Error(), secrets) ||
			containsSecret(fmt.Sprintf("%+v", e), secrets) ||
			containsSecret(fmt.Sprintf("%#v", e), secrets) {
			found = true
		}
		return !found
	})
	return found
}

func walk(err error, visit func(error) bool) bool {
	for depth := 0; err != nil && depth < 64; depth++ {
		if !visit(err) {
			return false
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if !walk(e, visit) {
					return false
				}
			}
			return true
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return true
		}
	}
	return true
}

// RedactError returns err unchanged when no layer of its chain holds one of
// secrets. Otherwise it returns an error with err's text redacted by
// RedactText that keeps, of err's identity, only what errors.Is needs to
// stay true: the sentinel of its code, context.Canceled and
// context.DeadlineExceeded. Nothing of the original chain stays reachable.
func RedactError(err error, secrets ...string) error {
	if err == nil || !ChainHolds(err, secrets...) {
		return err
	}
	text, _ := RedactText(err.Error(), secrets...)
	r := &redactedError{msg: text}
	for _, target := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, target) {
			r.keep = append(r.keep, target)
		}
	}
	if c, ok := SentinelCode(err); ok {
		r.keep = append(r.keep, Sentinel(c))
	}
	var de *Error
	if errors.As(err, &de) {
		r.keep = append(r.keep, Sentinel(de.Code))
	}
	return r
}

// redactedError is an error whose text had secrets removed.
type redactedError struct {
	msg  string
	keep []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.keep }

// Scrub removes secrets from e in place: from its platform message and
// from every layer of its cause. It returns e.
func (e *Error) Scrub(secrets ...string) *Error {
	if e == nil {
		return e
	}
	e.PlatformMessage, _ = RedactText(e.PlatformMessage, secrets...)
	e.Err = RedactError(e.Err, secrets...)
	return e
}
