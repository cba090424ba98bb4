package taro

import (
	"time"

	"context"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/tarogo/adapter/taro/driver"
)

// App is a handle to one app the client serves: its driver, looked up
// once, for packages built on the client (package login) that make
// several calls for one user. It is cheap to make and safe for concurrent
// use.
type App struct {
	c *Client
	e *entry
}

// App returns the handle of p's app appID (empty: the platform's only
// app), from Config.Drivers or Config.Apps. A platform or app the client
// does not serve is ErrNoDriver; an empty appID on a platform with several
// apps, or served through Config.Apps, is ErrInvalidArgument.
func (c *Client) App(ctx context.Context, p Platform, appID string) (*App, error) {
	e, err := c.resolve(ctx, "app", p, appID, nil, time.Time{})
	if err != nil {
		return nil, err
	}
	return &App{c: c, e: e}, nil
}

// Platform is the app's platform.
func (a *App) Platform() Platform { return a.e.d.Platform() }

// AppID is the app's id.
func (a *App) AppID() string { return a.e.d.AppID() }

// ChecksOnPlatform reports whether the platform checks a session on its
// server API (weapp, Douyin mini-games) rather than the session store
// alone.
func (a *App) ChecksOnPlatform() bool { return a.e.traits.ChecksOnPlatform }

// CheckOnPlatform asks the platform alone whether s is valid (the due
// check of a session the caller has already judged against the store): no
// store read, no second verdict. It is observed as checkSession, with the
// access token's policy (a rejected token refetched once) and the retry
// policy. A platform without a server-side check answers nil.
func (a *App) CheckOnPlatform(ctx context.Context, s Session) error {
	c := a.c
	p := a.Platform()
	ctx, obs := c.tele().observe(ctx, APICheckSession, p)
	spanAppID(ctx, a.AppID())
	err := a.checkOnPlatform(ctx, s)
	obs.end(ctx, err)
	if err != nil {
		return err
	}
	return nil
}

func (a *App) checkOnPlatform(ctx context.Context, s Session) *Error {
	checker, ok := driver.Offers[driver.SessionChecker](a.e.d, driver.CapSessionChecker)
	if !ok {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return ctxError(a.Platform(), APICheckSession, cerr, nil)
	}
	secrets := callSecrets{SessionKey: s.SessionKey}
	req := driver.CheckRequest{OpenID: s.OpenID, SessionKey: s.SessionKey}
	return a.c.do(ctx, a.e, APICheckSession, true, &secrets, func(token string) error {
		req.AccessToken = token
		return checker.CheckSession(ctx, req)
	})
}

// Telemetry is what a package built on the client needs to observe its
// own calls as the client does: the client's providers (Config's, or the
// global ones), and whether each collects (false while it is the global
// provider with no SDK installed, so that nothing is recorded for
// nothing).
type Telemetry struct {
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Traces         bool
	Metrics        bool
}

// Telemetry returns the client's providers and whether they collect.
func (c *Client) Telemetry() Telemetry {
	t := c.tele()
	return Telemetry{TracerProvider: t.tp, MeterProvider: t.mp, Traces: !t.noTraces, Metrics: !t.noMetrics}
}
