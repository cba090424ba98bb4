package driverkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarogo/adapter/taro/driver"
)

// Decode unmarshals a platform's JSON object into v, with errors that say
// what the body was instead (an HTML page, cut-off JSON, not an object).
func Decode(b []byte, v any) error {
	t := bytes.TrimSpace(b)
	switch {
	case len(t) == 0:
		return errors.New("empty response body")
	case t[0] == '<':
		return errors.New("an HTML page instead of JSON")
	case t[0] != '{':
		return errors.New("response is not a JSON object")
	}
	if err := json.Unmarshal(t, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) && strings.Contains(err.Error(), "unexpected end") {
			return errors.New("truncated JSON")
		}
		if errors.As(err, &se) {
			return fmt.Errorf("malformed JSON at byte %d", se.Offset)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("JSON field %q has the wrong type (%s)", te.Field, te.Value)
		}
		return errors.New("malformed JSON")
	}
	return nil
}

// Code is a platform error code that may arrive as a JSON number or string.
type Code string

// UnmarshalJSON accepts a number, a string or null.
func (c *Code) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*c = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = Code(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		// encoding/json has already checked the token is a valid number.
		*c = Code(b)
	default:
		return &json.UnmarshalTypeError{Value: "non-number, non-string error code", Type: reflect.TypeOf(*c)}
	}
	return nil
}

// Status is a platform's success-marker field (errcode, err_no, result):
// its code, and whether the answer carried it explicitly as the JSON
// number 0. Only that is a yes; a missing field, null, "" or "0" as a
// string is not.
type Status struct {
	Code Code
	// Set reports that the field was present (null included).
	Set bool
	// Zero reports that the field was the JSON number 0.
	Zero bool
}

// UnmarshalJSON records the field's presence and value.
func (s *Status) UnmarshalJSON(b []byte) error {
	s.Set = true
	s.Zero = string(bytes.TrimSpace(b)) == "0"
	if err := s.Code.UnmarshalJSON(b); err != nil {
		return err
	}
	if !s.Zero && s.Code != "" && s.Code[0] != '"' {
		// 0.0, -0 or 0e0: a zero, but not the platform's success form.
		if f, err := strconv.ParseFloat(string(s.Code), 64); err == nil && f == 0 {
			s.Code = ""
		}
	}
	return nil
}

// Failed reports whether the field holds a platform error code: present,
// not empty and not zero.
func (s Status) Failed() bool { return s.Code != "" && !s.Zero && s.Code != "0" }

// ErrNotUnderstood is what a decoder returns for an answer that is valid
// JSON but neither an explicit success nor a platform error: the call
// fails (CodeUnavailable) instead of being taken for a success.
var ErrNotUnderstood = errors.New("answer not understood: no explicit success marker")

// NotUnderstood returns ErrNotUnderstood with what was missing.
func NotUnderstood(what string) error { return fmt.Errorf("%w (%s)", ErrNotUnderstood, what) }

// IsZero reports whether the code is absent or "0".
func (c Code) IsZero() bool { return c == "" || c == "0" }

// RawField returns the raw JSON of the field at path in the object b, as
// encoding/json would see it (the last of duplicate keys wins). Fuzz
// oracles use it to check independently what a decoder accepted.
func RawField(b []byte, path ...string) (json.RawMessage, bool) {
	cur := json.RawMessage(bytes.TrimSpace(b))
	for _, p := range path {
		var m map[string]json.RawMessage
		if json.Unmarshal(cur, &m) != nil {
			return nil, false
		}
		v, ok := m[p]
		if !ok {
			return nil, false
		}
		cur = json.RawMessage(bytes.TrimSpace(v))
	}
	return cur, true
}

// NonEmptyString reports whether raw is a JSON string other than "".
func NonEmptyString(raw json.RawMessage) bool {
	var s string
	return json.Unmarshal(raw, &s) == nil && s != ""
}

// Object is a JSON object's text, read by exact, case-sensitive member
// names. encoding/json matches struct fields case-insensitively ("ErrCode"
// fills errcode); decoders confirm a success against an Object so that only
// the platform's documented field names count as a yes. Reading it
// allocates nothing; a member whose name is written with escapes does not
// match (it fails closed), nor does one that is not valid UTF-8, and of
// duplicate members the last counts, as in encoding/json.
type Object []byte

// ParseObject returns b as an Object (nil when it is not a JSON object).
func ParseObject(b []byte) Object {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	return Object(b)
}

// field returns the raw value of the last member named key.
func (o Object) field(key string) ([]byte, bool) {
	b := []byte(o)
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	var found []byte
	ok := false
	i++
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, false
		}
		if b[i] == '}' {
			return found, ok
		}
		if b[i] != '"' {
			return nil, false
		}
		ke, good := endString(b, i)
		if !good {
			return nil, false
		}
		k := b[i+1 : ke-1]
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipWS(b, i+1)
		ve, good := endValue(b, i)
		if !good {
			return nil, false
		}
		if string(k) == key && utf8.Valid(k) {
			// A name that is not valid UTF-8 never matches: encoding/json
			// reads it as another name (U+FFFD), so it fails closed.
			found, ok = b[i:ve], true
		}
		i = skipWS(b, ve)
		switch {
		case i < len(b) && b[i] == ',':
			i++
		case i < len(b) && b[i] == '}':
			return found, ok
		default:
			return nil, false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endString returns the index just past the string starting at b[i].
func endString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// endValue returns the index just past the value starting at b[i].
func endValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return endString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, ok := endString(b, j)
				if !ok {
					return 0, false
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j, j > i
}

// Get returns the object at key as an Object (nil when it is not one).
func (o Object) Get(key string) Object {
	v, ok := o.field(key)
	if !ok {
		return nil
	}
	return ParseObject(v)
}

// IsZero reports whether key holds exactly the JSON number 0.
func (o Object) IsZero(key string) bool {
	v, ok := o.field(key)
	return ok && string(v) == "0"
}

// IsTrue reports whether key holds exactly the JSON literal true.
func (o Object) IsTrue(key string) bool {
	v, ok := o.field(key)
	return ok && string(v) == "true"
}

// String returns the string at key and whether it is a non-empty string.
func (o Object) String(key string) (string, bool) {
	v, ok := o.field(key)
	if !ok || len(v) < 2 || v[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil || s == "" {
		return "", false
	}
	return s, true
}

// Confirm reports whether key holds exactly the non-empty string want.
func (o Object) Confirm(key, want string) bool {
	v, ok := o.field(key)
	if !ok || len(v) < 2 || v[0] != '"' || want == "" {
		return false
	}
	if bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		return string(v[1:len(v)-1]) == want // no escapes: compare in place
	}
	s, ok := o.String(key)
	return ok && s == want
}

// Positive returns the number at key when it is an integer above zero.
func (o Object) Positive(key string) (int64, bool) {
	var n int64
	v, ok := o.field(key)
	if !ok || json.Unmarshal(v, &n) != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// Token reads an access token from the object: the non-empty string at
// field, living the positive number of seconds at life. Anything else is
// NotUnderstood, naming both members.
func (o Object) Token(field, life string) (driver.Token, error) {
	secs, ok := o.Positive(life)
	tok, has := o.String(field)
	if !ok || !has {
		return driver.Token{}, NotUnderstood("no " + field + " or no positive " + life)
	}
	return driver.Token{Value: tok, ExpiresIn: time.Duration(secs) * time.Second}, nil
}

// Raw returns the value of key exactly as the platform sent it, from its
// first to its last byte (for an object, from its { to the matching }):
// the text a platform's signature covers (Alipay signs the raw text of
// its response member). It reports false when key is absent.
func (o Object) Raw(key string) ([]byte, bool) { return o.field(key) }
