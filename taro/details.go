package taro

import "github.com/tarogo/adapter/taro/driverkit"

// The details of errors, in errMsg after the reason ("session invalid: "
// and the detail), one block so that go doc lists them together.
const (
	// The details of a session-store verdict (App.Verdict).
	DetailSuperseded = "superseded by a newer login"
	DetailTooOld     = "older than the maximum session age"
	DetailNeverSeen  = "no login recorded for this user"

	// The details of the verdicts only a caller holding its own record
	// of a session (package login's tickets) can get.
	DetailIdle    = "unused for longer than the idle timeout"
	DetailGone    = "unknown, expired or logged out"
	DetailRevoked = "logged out of every session"

	// DetailAppIDRequired is the detail of a call without an AppID on a
	// platform the client serves several apps of.
	DetailAppIDRequired = "AppID is required: the platform has several apps"

	// DetailEnvelopeClaimed is the detail of a phone envelope another user
	// presented first.
	DetailEnvelopeClaimed = "the phone-number response was presented by another user"

	// DetailNoSessionKey explains an empty Session.SessionKey: on Douyin an
	// anonymous login (anonymous_code only) yields no session key.
	DetailNoSessionKey = "Session.SessionKey is empty: a session needs the key Code2Session returned (an anonymous login has none; log in with a code)"

	// DetailStoreUnavailable is the detail of a failure of the session store.
	DetailStoreUnavailable = "session store unavailable"

	// DetailNotThisKey is the detail of every failure to open well-formed
	// data, and of a key refused for its spent failure budget.
	DetailNotThisKey = driverkit.NotThisKey
)
