package taro

import (
	"time"
)

// SessionFacts is one read of a session's state: the user's newest login
// record from the session store and what the caller holds of the session,
// by the store's clock. App.Verdict judges it.
type SessionFacts struct {
	// Record is the user's newest login (SessionStore.LookupSession);
	// Found is false when the store holds none.
	Record SessionRecord
	Found  bool
	// Key is the session key the caller holds, judged by the record's
	// fingerprint; "" when the caller holds no key or not the newest
	// login's (only the record's presence and age are judged then).
	Key string
	// Seq, when not zero, is the login sequence number of the caller's
	// session (a login ticket's); with NewestOnly (login's OnePerUser)
	// a Seq other than the record's is superseded.
	Seq        uint64
	NewestOnly bool
	// Gone reports that the caller's own record of the session (a login
	// ticket's) is missing or expired; Replaced, that it is missing
	// because a newer login of the user replaced it (a store that keeps
	// one ticket per user); Revoked, that its login came before a logout
	// of all the user's sessions (login's LogoutAll watermark).
	Gone, Replaced, Revoked bool
	// LastUsed and Idle: a session unused for Idle or longer is idle
	// (Idle 0: no idle timeout).
	LastUsed time.Time
	Idle     time.Duration
	// Now is the store's clock; zero means the record's ReadAt, then the
	// client's clock.
	Now time.Time
	// Cached reports that some of the facts came from a cache that may lag
	// another replica's write (SessionRecord.Cached).
	Cached bool
}

// Verdict is the session store's verdict on f, for CheckSession and for
// package login: err is nil for a valid session, or an *Error with
// ErrSessionInvalid and its Detail (DetailNeverSeen, DetailSuperseded,
// DetailTooOld, DetailIdle, DetailGone, DetailRevoked); readAgain reports
// a refusal drawn from a cache: the caller reads past the cache, asks
// again and answers only that second verdict. It is the one place that
// decides "gone", "idle", "never seen", "revoked", "superseded" (replaced,
// by login order, or by the key's fingerprint) and "too old"
// (Config.MaxSessionAge), in that order, and that no refusal is answered
// from a cache. It does no I/O; api names the call in the error.
func (a *App) Verdict(api string, f SessionFacts) (readAgain bool, err error) {
	if e, again := a.judge(api, f); e != nil {
		return again, e
	}
	return false, nil
}

// judge is Verdict with the *Error.
func (a *App) judge(api string, f SessionFacts) (*Error, bool) {
	if e := a.decide(api, f); e != nil {
		return e, f.Cached || f.Record.Cached
	}
	return nil, false
}

func (a *App) decide(api string, f SessionFacts) *Error {
	c, p := a.c, a.Platform()
	refuse := func(detail string) *Error {
		return &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: detail}
	}
	now := f.Now
	if now.IsZero() {
		now = f.Record.ReadAt
	}
	if now.IsZero() {
		now = c.now()
	}
	switch {
	case f.Replaced:
		return refuse(DetailSuperseded)
	case f.Gone:
		return refuse(DetailGone)
	case f.Idle > 0 && !f.LastUsed.IsZero() && now.Sub(f.LastUsed) >= f.Idle:
		return refuse(DetailIdle)
	case !f.Found:
		e := refuse(DetailNeverSeen)
		if c.memoryStore {
			// The errMsg stays as it is (it may reach users); the Go
			// error and the log tell the operator why.
			e.Err = errPerProcessStore
		}
		return e
	case f.Revoked:
		return refuse(DetailRevoked)
	case f.NewestOnly && f.Seq != 0 && f.Seq != f.Record.Seq:
		return refuse(DetailSuperseded)
	case f.Key != "" && !f.Record.Fingerprint.Equal(c.fingerprint(f.Key)):
		return refuse(DetailSuperseded)
	case c.maxAge > 0 && now.Sub(f.Record.IssuedAt) > c.maxAge:
		return refuse(DetailTooOld)
	}
	return nil
}
