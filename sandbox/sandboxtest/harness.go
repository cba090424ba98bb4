// Package sandboxtest adapts the sandbox to the drivertest kit, so that a
// platform driver's test is a few lines — for the built-in drivers and for
// a driver written outside this module whose fake is added to the sandbox:
//
//	func TestConformance(t *testing.T) {
//		drivertest.RunConformanceTests(t, sandboxtest.New(myplatform.Platform, func(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
//			return myplatform.New(myplatform.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(myplatform.Platform), HTTPClient: sb.HTTPClient()})
//		}, myfake.New())) // the platform's fake (a fake.Spec and its routes); built-in platforms need none
//	}
//
// Recorder is an HTTP server that records requests and answers what a test
// tells it, for asserting a driver's request shapes byte for byte.
package sandboxtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

// MakeFunc builds the driver under test for a platform of sb.
type MakeFunc func(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error)

// Sandbox is a drivertest.FaultHarness backed by a sandbox server.
type Sandbox struct {
	SB   *sandbox.Sandbox
	P    taro.Platform
	Make MakeFunc
	// ConfigOf, when set, is the driver's Config for app, for the kit's
	// check that it prints no secret (drivertest.ConfigHarness).
	ConfigOf func(sb *sandbox.Sandbox, app sandbox.App) any
}

// New returns a constructor for RunConformanceTests: each case gets a new
// sandbox serving the built-in platforms and fakes (a platform's own fake,
// for a driver written outside this module), and make builds the driver
// under test for platform p against it.
func New(p taro.Platform, make MakeFunc, fakes ...fake.Platform) func(context.Context, *testing.T) (drivertest.Harness, error) {
	return func(context.Context, *testing.T) (drivertest.Harness, error) {
		// Slow faults outlast the kit's 300ms deadline but end with the test.
		sb := sandbox.NewServer(sandbox.Options{SlowDelay: 3 * time.Second, Fakes: fakes})
		return &Sandbox{SB: sb, P: p, Make: make}, nil
	}
}

// NewWithConfig is New with the driver's Config too (config builds it for
// an app), so that the kit also checks that the Config prints no secret.
func NewWithConfig(p taro.Platform, make MakeFunc, config func(sb *sandbox.Sandbox, app sandbox.App) any, fakes ...fake.Platform) func(context.Context, *testing.T) (drivertest.Harness, error) {
	base := New(p, make, fakes...)
	return func(ctx context.Context, t *testing.T) (drivertest.Harness, error) {
		h, err := base(ctx, t)
		if err != nil {
			return nil, err
		}
		h.(*Sandbox).ConfigOf = config
		return h, nil
	}
}

// Config implements drivertest.ConfigHarness; nil without ConfigOf.
func (h *Sandbox) Config() any {
	if h.ConfigOf == nil {
		return nil
	}
	return h.ConfigOf(h.SB, h.SB.App(h.P))
}

// MakeDriver implements drivertest.Harness.
func (h *Sandbox) MakeDriver(context.Context) (driver.Driver, error) {
	return h.Make(h.SB, h.SB.App(h.P))
}

// Secrets implements drivertest.Harness.
func (h *Sandbox) Secrets() []string {
	app := h.SB.App(h.P)
	out := []string{app.Secret}
	if app.PrivateKey != "" {
		out = append(out, pemBody(app.PrivateKey))
	}
	return out
}

// pemBody is a line from the middle of a PEM key: what a leak would show.
func pemBody(key string) string {
	lines := strings.Split(strings.TrimSpace(key), "\n")
	if len(lines) < 3 {
		return key
	}
	return lines[len(lines)/2]
}

// Close implements drivertest.Harness.
func (h *Sandbox) Close() { h.SB.Close() }

// LoginCode implements drivertest.LoginHarness.
func (h *Sandbox) LoginCode(_ context.Context, openid string) (string, error) {
	return h.SB.Login(h.P, openid)
}

// InjectFault implements drivertest.FaultHarness.
func (h *Sandbox) InjectFault(ep drivertest.Endpoint, f drivertest.Fault, n int) bool {
	return h.SB.Inject(h.P, sandbox.Endpoint(ep), sandbox.FaultKind(f), n) == nil
}

// InjectProbe implements drivertest.ProbeHarness.
func (h *Sandbox) InjectProbe(ep drivertest.Endpoint, p drivertest.Fault, n int) bool {
	return h.SB.Inject(h.P, sandbox.Endpoint(ep), sandbox.FaultKind(p), n) == nil
}

// ClearFaults implements drivertest.FaultHarness.
func (h *Sandbox) ClearFaults() { h.SB.ClearFaults() }

// Requests implements drivertest.FaultHarness.
func (h *Sandbox) Requests(ep drivertest.Endpoint) int {
	return h.SB.Requests(h.P, sandbox.Endpoint(ep))
}

// Encrypt implements drivertest.EncryptHarness.
func (h *Sandbox) Encrypt(_ context.Context, openid string, payload []byte) (string, string, error) {
	return h.SB.Encrypt(h.P, openid, payload)
}

// PhoneCode implements drivertest.PhoneHarness.
func (h *Sandbox) PhoneCode(_ context.Context, openid, phone string) (string, error) {
	return h.SB.PhoneCode(h.P, openid, phone)
}
