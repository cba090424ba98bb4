// Package httpx is the HTTP and JSON plumbing the platform drivers share:
// bounded bodies, strict JSON, and transport failures turned into
// driver errors whose text never carries a URL's query (where app secrets
// and access tokens travel).
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/tarogo/adapter/taro/driver"
)

// MaxBody caps the response bodies the drivers read.
const MaxBody = 64 << 10

// DefaultClient is used when a driver's Config has no HTTPClient.
var DefaultClient = &http.Client{Timeout: 15 * time.Second}

// Request is one call to a platform API.
type Request struct {
	Method string
	// URL is the full URL, query included.
	URL string
	// Body and ContentType, for POST.
	Body        []byte
	ContentType string
}

// where names a request for errors: method, host and path, never the query.
func where(method, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return method + " (unparsable URL)"
	}
	return method + " " + u.Host + u.Path
}

// Call sends r with hc (nil means DefaultClient) and hands the body of a
// 2xx answer to parse. Every failure is a *driver.Error: transport errors,
// non-2xx statuses (429 as CodeRateLimited) and bodies over MaxBody are
// CodeUnavailable, and so is any error parse returns that is not already a
// *driver.Error (an HTML page, malformed or truncated JSON), prefixed with
// the method, host and path.
func Call(ctx context.Context, hc *http.Client, r Request, parse func(body []byte) error) error {
	if hc == nil {
		hc = DefaultClient
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return driver.Errorf(driver.CodeInvalidArgument, "%s: building the request failed", where(r.Method, r.URL))
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &driver.Error{Code: driver.CodeUnavailable, Err: transportError(where(r.Method, r.URL), err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return &driver.Error{Code: driver.CodeUnavailable, Err: transportError(where(r.Method, r.URL)+": reading the body", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code := driver.CodeUnavailable
		if resp.StatusCode == http.StatusTooManyRequests {
			code = driver.CodeRateLimited
		}
		return &driver.Error{Code: code, PlatformCode: fmt.Sprintf("HTTP %d", resp.StatusCode),
			Err: fmt.Errorf("%s: unexpected HTTP status %d", where(r.Method, r.URL), resp.StatusCode)}
	}
	if len(b) > MaxBody {
		return driver.Errorf(driver.CodeUnavailable, "%s: response body larger than %d bytes", where(r.Method, r.URL), MaxBody)
	}
	if err := parse(b); err != nil {
		var de *driver.Error
		if errors.As(err, &de) {
			return err
		}
		return &driver.Error{Code: driver.CodeUnavailable, Err: fmt.Errorf("%s: %w", where(r.Method, r.URL), err)}
	}
	return nil
}

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

// transportError keeps the cause of a transport failure but not the URL
// that *url.Error would print.
func transportError(where string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &opError{where: where, err: err}
}

type opError struct {
	where string
	err   error
}

func (e *opError) Error() string { return e.where + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

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

// IsZero reports whether the code is absent or "0".
func (c Code) IsZero() bool { return c == "" || c == "0" }

// JoinURL joins a base URL and a path.
func JoinURL(base, path string) string { return strings.TrimRight(base, "/") + path }
