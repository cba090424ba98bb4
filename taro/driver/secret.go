package driver

import (
	"fmt"
	"io"
	"strconv"
)

// Secret is a string that never shows itself: String, every fmt verb
// (and so slog's text handler) and MarshalJSON (slog's JSON handler) give
// "[redacted]", and "" for an
// empty secret (the one rule everywhere, so that a missing secret shows).
// The library's types that hold secrets render them through it.
type Secret string

// RedactedSecret is what a non-empty Secret prints.
const RedactedSecret = "[redacted]"

// String returns "[redacted]", or "" when s is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return RedactedSecret
}

// Format implements fmt.Formatter: %q quotes String, every other verb
// prints it as is.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		_, _ = io.WriteString(f, strconv.Quote(s.String()))
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// MarshalJSON writes String as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }
