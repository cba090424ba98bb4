package taro

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation names the library's tracer and meter.
const instrumentation = "github.com/tarogo/adapter/taro"

// Attribute keys of the library's spans and metrics. None ever holds a
// secret, a ticket, an openid or a URL query.
const (
	attrPlatform = attribute.Key("taro.platform")
	attrAppID    = attribute.Key("taro.app_id")
	attrAPI      = attribute.Key("taro.api")
	attrCode     = attribute.Key("taro.code")
	attrRetries  = attribute.Key("taro.retries")
	attrOp       = attribute.Key("taro.store.operation")
	attrOutcome  = attribute.Key("taro.store.outcome")
)

// The global providers as they are before a program installs an SDK
// (this package's variables are initialised before any importer's init).
// While the global providers are these, there is nothing to collect, and
// the client skips its spans and metrics altogether: no cost for programs
// that do not use OpenTelemetry.
var defaultTP, defaultMP = otel.GetTracerProvider(), otel.GetMeterProvider()

// telemetry is a Client's tracer and instruments for one pair of
// providers (OpenTelemetry's API only; the caller brings the SDK and the
// exporters).
type telemetry struct {
	tp           trace.TracerProvider
	mp           metric.MeterProvider
	noTraces     bool // tp is the global default: nothing to collect
	noMetrics    bool // likewise mp
	tracer       trace.Tracer
	calls        metric.Int64Counter
	duration     metric.Float64Histogram
	tokenFetches metric.Int64Counter
	storeOps     metric.Int64Counter
	// sets caches the attribute options of each (platform, api, code),
	// so that a call costs no allocation for its metrics.
	sets sync.Map // callKey → callOpts
}

type callKey struct {
	p    Platform
	api  string
	code Code
}

type callOpts struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

func newTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) *telemetry {
	t := &telemetry{tp: tp, mp: mp, tracer: tp.Tracer(instrumentation), noTraces: tp == defaultTP, noMetrics: mp == defaultMP}
	m := mp.Meter(instrumentation)
	// An instrument the provider cannot make is a no-op one: telemetry
	// never fails a call.
	t.calls, _ = m.Int64Counter("taro.calls", metric.WithDescription("Calls of the portable API, by platform, API and result code."))
	t.duration, _ = m.Float64Histogram("taro.call.duration", metric.WithUnit("s"), metric.WithDescription("Duration of the portable API's calls."))
	t.tokenFetches, _ = m.Int64Counter("taro.token.fetches", metric.WithDescription("Access tokens fetched from the platforms."))
	t.storeOps, _ = m.Int64Counter("taro.store.operations", metric.WithDescription("Session and token store operations, by operation and outcome."))
	return t
}

// call is one observed API call.
type call struct {
	t     *telemetry
	span  trace.Span
	start time.Time
	p     Platform
	api   string
}

// observe starts the span of api on p, named after the API.
func (t *telemetry) observe(ctx context.Context, api string, p Platform) (context.Context, call) {
	c := call{t: t, p: p, api: api}
	if !t.noTraces {
		ctx, c.span = t.tracer.Start(ctx, api)
		if c.span.IsRecording() {
			c.span.SetAttributes(attrPlatform.String(string(p)), attrAPI.String(api))
		}
	}
	if !t.noMetrics {
		c.start = time.Now()
	}
	return ctx, c
}

// end records the call's result: the span's code and status, the calls
// counter and the duration.
func (c call) end(ctx context.Context, err *Error) {
	code := CodeOK
	if err != nil {
		code = err.Code
	}
	if c.span != nil {
		if c.span.IsRecording() {
			c.span.SetAttributes(attrCode.String(code.String()))
			if err != nil {
				// The code, never the platform's text or the Go cause,
				// which could hold what a platform echoed.
				c.span.SetStatus(codes.Error, code.String())
			}
		}
		c.span.End()
	}
	if c.t.noMetrics {
		return
	}
	o := c.t.opts(c.p, c.api, code)
	c.t.calls.Add(ctx, 1, o.add...)
	c.t.duration.Record(ctx, time.Since(c.start).Seconds(), o.record...)
}

func (t *telemetry) opts(p Platform, api string, code Code) callOpts {
	k := callKey{p, api, code}
	if v, ok := t.sets.Load(k); ok {
		return v.(callOpts)
	}
	set := attribute.NewSet(attrPlatform.String(string(p)), attrAPI.String(api), attrCode.String(code.String()))
	o := callOpts{add: []metric.AddOption{metric.WithAttributeSet(set)}, record: []metric.RecordOption{metric.WithAttributeSet(set)}}
	t.sets.Store(k, o)
	return o
}

// appID names the call's app on its span.
func spanAppID(ctx context.Context, appID string) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrAppID.String(appID))
	}
}

// spanRetries records how many times a call was retried, from the number
// of its last attempt.
func spanRetries(ctx context.Context, attempt *int) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrRetries.Int(*attempt - 1))
	}
}

// storeOp observes one store operation: a child span when the call's
// span records, and the counter. Call done with the operation's error.
func (t *telemetry) storeOp(ctx context.Context, op string) (context.Context, storeCall) {
	sc := storeCall{t: t, ctx: ctx, op: op}
	if trace.SpanFromContext(ctx).IsRecording() {
		ctx, sc.span = t.tracer.Start(ctx, "taro.store."+op)
	}
	return ctx, sc
}

// storeCall is one observed store operation.
type storeCall struct {
	t    *telemetry
	ctx  context.Context
	op   string
	span trace.Span
}

func (sc storeCall) done(err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	if sc.span != nil {
		if err != nil {
			sc.span.SetStatus(codes.Error, "store unavailable")
		}
		sc.span.End()
	}
	if !sc.t.noMetrics {
		sc.t.storeOps.Add(sc.ctx, 1, sc.t.storeOpts(sc.op, outcome)...)
	}
}

type storeKey struct{ op, outcome string }

func (t *telemetry) storeOpts(op, outcome string) []metric.AddOption {
	k := storeKey{op, outcome}
	if v, ok := t.sets.Load(k); ok {
		return v.([]metric.AddOption)
	}
	o := []metric.AddOption{metric.WithAttributes(attrOp.String(op), attrOutcome.String(outcome))}
	t.sets.Store(k, o)
	return o
}

// unknownLabel stands, in every span and metric attribute and log, for a
// platform the client does not serve: what a caller (or an attacker
// posting to a login endpoint) names is never an attribute as sent, so
// the number of series stays bounded by the client's configuration.
const unknownLabel = "unknown"

// label is p as telemetry records it: p when the client serves it
// (including the explicitly unsupported ones), "unknown" otherwise.
func (c *Client) label(p Platform) Platform {
	if c.sourced != nil && c.sourced.pluginSeen(p) {
		return p // the warm path of a sourced app: no lock
	}
	c.mu.RLock()
	_, ok := c.drivers[p]
	c.mu.RUnlock()
	if !ok && c.sourced != nil {
		// Apps from Config.Apps: a platform with a registered plugin (a
		// set fixed at build time), remembered once seen.
		ok = c.sourced.pluginKnown(p)
	}
	if !ok {
		return unknownLabel
	}
	return p
}

// tele returns the telemetry of the client's providers: Config's, or the
// global ones as they are now (a program may install its SDK after making
// the client).
func (c *Client) tele() *telemetry {
	tp, mp := c.tracerProvider, c.meterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if t := c.telCache.Load(); t != nil && t.tp == tp && t.mp == mp {
		return t
	}
	t := newTelemetry(tp, mp)
	c.telCache.Store(t)
	return t
}
