package driver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
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

// RedactText returns s with every occurrence of each secret (as is, and in
// its URL-escaped forms) replaced by Redacted, and reports whether it
// changed anything. When a secret shorter than MinRedactLen occurs in s,
// the whole of s is replaced by Withheld. Empty secrets are ignored.
func RedactText(s string, secrets ...string) (string, bool) {
	if s == "" {
		return s, false
	}
	changed := false
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, form := range forms(sec) {
			if !strings.Contains(s, form) {
				continue
			}
			if len(form) < MinRedactLen {
				return Withheld, true
			}
			s = strings.ReplaceAll(s, form, Redacted)
			changed = true
		}
	}
	return s, changed
}

// forms lists the ways a secret may be echoed: as is, query-escaped and
// path-escaped.
func forms(sec string) []string {
	out := []string{sec}
	if q := url.QueryEscape(sec); q != sec {
		out = append(out, q)
	}
	if p := url.PathEscape(sec); p != sec && p != out[len(out)-1] {
		out = append(out, p)
	}
	return out
}

// containsSecret reports whether s holds any form of any secret.
func containsSecret(s string, secrets []string) bool {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, form := range forms(sec) {
			if strings.Contains(s, form) {
				return true
			}
		}
	}
	return false
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
