// HTTP and JSON: this file is the HTTP and JSON plumbing the platform drivers share:
// bounded bodies, strict JSON, and transport failures turned into
// driver errors whose text never carries a URL's query (where app secrets
// and access tokens travel).

package driverkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tarogo/adapter/taro/driver"
)

// MaxBody caps the response bodies the drivers read.
const MaxBody = 64 << 10

// NewTransport returns the transport DefaultClient uses, for a caller who
// wants the same tuning in a client of their own (with, say, another
// TLSClientConfig): enough idle connections per platform host for the
// concurrency a busy backend sees (http.DefaultTransport keeps 2, so a
// burst of 64 concurrent checks opens a new TLS connection for most of
// them), with dial, TLS-handshake, response-header and idle timeouts.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// DefaultClient is used when a driver's Config has no HTTPClient: the
// tuned transport of NewTransport, a 15s overall timeout, and never a
// redirect.
var DefaultClient = &http.Client{Transport: NewTransport(), Timeout: 15 * time.Second, CheckRedirect: refuseRedirect}

// refuseRedirect stops a client at the first 3xx answer: a redirect would
// carry the access token, signature or app secret to whatever host it
// names.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// NoRedirect returns a shallow copy of hc (DefaultClient when nil) that
// never follows a redirect. The caller's client is not modified. Drivers
// make their copy once, in New, and pass it to Call, which then uses it as
// it is; any other client Call copies on every call.
func NoRedirect(hc *http.Client) *http.Client {
	if hc == nil || refuses(hc) {
		if hc == nil {
			return DefaultClient
		}
		return hc
	}
	c := *hc
	c.CheckRedirect = refuseRedirect
	return &c
}

// refuses reports whether hc is one NoRedirect made (its CheckRedirect is
// refuseRedirect itself).
func refuses(hc *http.Client) bool {
	return hc.CheckRedirect != nil && reflect.ValueOf(hc.CheckRedirect).Pointer() == refusePtr
}

var refusePtr = reflect.ValueOf(refuseRedirect).Pointer()

// Request is one call to a platform API.
type Request struct {
	Method string
	// URL is the full URL, query included.
	URL string
	// Body and ContentType, for POST.
	Body        []byte
	ContentType string
	// Header holds further request headers (a token header, say). Their
	// values are secrets too when listed in Secrets.
	Header map[string]string
	// Secrets are this call's secrets (app secret, access token,
	// signature, session key): they are removed from any text the platform
	// sends back before it reaches an error.
	Secrets []string
}

// tracerName names the tracer of the HTTP attempt spans.
const tracerName = "github.com/tarogo/adapter/taro/driverkit"

type statusKey struct{}

// withStatus carries where Call's span learns the answer's status.
func withStatus(ctx context.Context, p *int) context.Context {
	return context.WithValue(ctx, statusKey{}, p)
}

// where names a request for errors: method, host and path, never the
// query. Only error paths compute it.
func where(method, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return method + " (unparsable URL)"
	}
	return method + " " + u.Host + u.Path
}

// Fetch is Call for a parse that returns the answer's value: the value
// parse returned when the call succeeds, T's zero value and Call's error
// when it does not.
func Fetch[T any](ctx context.Context, hc *http.Client, r Request, parse func(body []byte) (T, error)) (T, error) {
	var out T
	if err := Call(ctx, hc, r, func(b []byte) (err error) { out, err = parse(b); return err }); err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// Call sends r with hc (nil means DefaultClient; any other client is used
// through a copy that refuses redirects) and hands the body to parse.
// Every failure is a *driver.Error whose text holds no URL query and none
// of r.Secrets:
//   - transport errors, bodies over MaxBody and 5xx or 408 answers whose body
//     parse cannot classify are CodeUnavailable;
//   - a 3xx answer is CodeUnavailable naming the status and the redirect's
//     host; it is never followed;
//   - a non-2xx answer whose body parse classifies (a platform error code)
//     is that error; otherwise 429 is CodeRateLimited, 401 and 403 are
//     CodeCredentials and any other 4xx is CodeInvalidArgument (a wrong
//     BaseURL or request: a configuration error, not an outage);
//   - any error parse returns that is not a *driver.Error (an HTML page,
//     malformed or truncated JSON, an answer without the success marker) is
//     CodeUnavailable, prefixed with the method, host and path.
func Call(ctx context.Context, hc *http.Client, r Request, parse func(body []byte) error) (err error) {
	hc = NoRedirect(hc)
	status := 0 // the answer's, for the attempt's span
	if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
		// One client span per attempt, with the HTTP client semantic
		// conventions: method, host and path, never the query.
		var span trace.Span
		u, _ := url.Parse(r.URL)
		var host, path string
		if u != nil {
			host, path = u.Hostname(), u.Path
		}
		ctx, span = parent.TracerProvider().Tracer(tracerName).Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("server.address", host), attribute.String("url.path", path)))
		defer func() {
			if status != 0 {
				span.SetAttributes(attribute.Int("http.response.status_code", status))
			}
			if err != nil {
				kind := "transport"
				var de *driver.Error
				if errors.As(err, &de) {
					kind = de.Code.String()
				}
				span.SetAttributes(attribute.String("error.type", kind))
				span.SetStatus(codes.Error, kind)
			}
			span.End()
		}()
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
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if resp != nil {
		status = resp.StatusCode
	}
	if err != nil {
		return (&driver.Error{Code: driver.CodeUnavailable, Err: transportError(where(r.Method, r.URL), err)}).Scrub(r.Secrets...)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return (&driver.Error{Code: driver.CodeUnavailable, Err: transportError(where(r.Method, r.URL)+": reading the body", err)}).Scrub(r.Secrets...)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		host := "nowhere"
		if loc, err := resp.Location(); err == nil && loc.Host != "" {
			host = loc.Host
		}
		return &driver.Error{Code: driver.CodeUnavailable, PlatformCode: fmt.Sprintf("HTTP %d", resp.StatusCode),
			Err: fmt.Errorf("%s: redirect (HTTP %d) to host %q refused: credentials are never sent past a redirect", where(r.Method, r.URL), resp.StatusCode, host)}
	}
	if len(b) > MaxBody {
		return driver.Errorf(driver.CodeUnavailable, "%s: response body larger than %d bytes", where(r.Method, r.URL), MaxBody)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A platform may answer its error codes with a non-2xx status
		// (Baidu's OAuth errors come with 400): the body decides when it
		// carries a platform error code.
		if perr := parse(b); perr != nil {
			var de *driver.Error
			if errors.As(perr, &de) && de.PlatformCode != "" {
				return de.Scrub(r.Secrets...)
			}
		}
		return statusError(where(r.Method, r.URL), resp.StatusCode)
	}
	if err := parse(b); err != nil {
		var de *driver.Error
		if errors.As(err, &de) {
			return de.Scrub(r.Secrets...)
		}
		return (&driver.Error{Code: driver.CodeUnavailable, Err: fmt.Errorf("%s: %w", where(r.Method, r.URL), err)}).Scrub(r.Secrets...)
	}
	return nil
}

// statusError classifies a non-2xx answer whose body said nothing usable.
func statusError(w string, status int) *driver.Error {
	code := driver.CodeUnavailable
	hint := ""
	switch {
	case status == http.StatusTooManyRequests:
		code = driver.CodeRateLimited
	case status == http.StatusRequestTimeout:
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		code, hint = driver.CodeCredentials, " (check the app credentials and the caller's IP allowlist)"
	case status >= 400 && status <= 499:
		code, hint = driver.CodeInvalidArgument, " (check Config.BaseURL: the platform does not serve this request)"
	}
	return &driver.Error{Code: code, PlatformCode: fmt.Sprintf("HTTP %d", status),
		Err: fmt.Errorf("%s: unexpected HTTP status %d%s", w, status, hint)}
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

// JoinURL joins a base URL and a path.
func JoinURL(base, path string) string { return strings.TrimRight(base, "/") + path }
