// Package drivertest is the conformance kit for platform drivers: every
// driver's tests run RunConformanceTests, and a driver that passes behaves
// as the portable API promises. Each case is a subtest named after the rule
// it checks and says, when it fails, why the rule exists (the style of
// testing/slogtest).
//
// # Adding a platform driver in six steps
//
// A platform is one directory, and needs nothing from this module but its
// public packages: example_sandbox_test.go is such a driver with its fake,
// and TestADriverOutsideTheModulePassesTheKit builds and tests that file
// as a module of its own.
//
//  1. Make a package for the platform (for example platforms/alipay) with a
//     Config (AppID, Secret, BaseURL, HTTPClient) and New(Config) (*Driver,
//     error) that rejects an incomplete config (driverkit.ConfigBase). Every
//     URL, JSON field and error code of the platform stays in this package.
//  2. Implement driver.Driver: Platform() and AppID().
//  3. Implement the capabilities the platform offers on its server API:
//     driver.Authenticator (code to session), driver.SessionChecker (a
//     server-side session check) and, if that check needs an application
//     access token, driver.TokenFetcher; driver.Decrypter,
//     driver.RawDataVerifier, driver.PhoneNumberGetter and
//     driver.SessionResetter where the platform has them. Implement none
//     and the platform is "not supported"; implement only Authenticator and
//     the portable layer answers checks from its session store.
//  4. Talk to the platform with package taro/driverkit: driverkit.Call (bounded,
//     redirect-refusing, query-free errors, secrets removed from echoes),
//     driverkit.Status and driverkit.Object to accept a success only on the
//     platform's explicit success marker, and map every error answer to a
//     *driver.Error with the right driver.Code (session invalid, invalid
//     code, credentials, rate limited, token invalid, unavailable for
//     busy/5xx/unreadable bodies). Do not retry: the portable layer does.
//     A driver that needs an app id and a secret declares
//     `type Config = driverkit.AppConfig` and embeds driverkit.AppDriver
//     (driverkit.New makes New one statement), which print the secret
//     redacted; otherwise implement fmt.Formatter and json.Marshaler on
//     the Config and the Driver (driverkit.FormatRedacted, ConfigJSON) so
//     that nothing prints the secret: the kit fails a driver whose
//     printed form holds one.
//  5. Optionally implement driver.NativeNormalizer for the platform's client
//     callback objects (driverkit.ParseNative).
//  6. Write the platform's fake beside the driver (platforms/alipay/alipayfake)
//     against package sandbox/fake: a *fake.Spec is a fake, described as
//     data (the platform's name, default app, code lifetime, key size,
//     endpoints, client-side sealing, Paths: the platform's real paths
//     and shapes over the sandbox's platform-neutral state, and Faults:
//     its own busy, rate-limit and token answers), and declares each
//     endpoint's success marker (fake.Spec.Markers, or a SuccessMarker
//     method), which the kit strips to check that the driver refuses an
//     answer that is no explicit yes. A fake verifies what it receives
//     with its own code, not the driver's. In the driver's test, run the
//     kit against it, as below; platforms/dd/ddfake is a short one to
//     copy.
//
// A driver's test:
//
//	func TestConformance(t *testing.T) {
//		drivertest.RunConformanceTests(t, sandboxtest.New(alipay.Platform, func(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
//			return alipay.New(alipay.Config{AppID: app.ID, PrivateKey: app.PrivateKey, AlipayPublicKey: app.AlipayPublicKey,
//				AESKey: app.AESKey, BaseURL: sb.BaseURL(alipay.Platform), HTTPClient: sb.HTTPClient()})
//		}, alipayfake.New()))
//	}
//
// Inside this module, a new platform is its directory (the driver, its
// Plugin registered from init, and its fake), its plugin's line in the
// bundle, platforms.All (which the CLI, the demo and platforms.FromEnv
// read), and its fake's line in the sandbox's list.
//
// The Example in this package shows a complete minimal driver (over an
// in-memory platform, to stay short) and its test.
package drivertest

import (
	"context"
	"testing"

	"github.com/tarogo/adapter/taro/driver"
)

// Harness is what a driver's test supplies to the kit.
type Harness interface {
	// MakeDriver returns a new driver, talking to the harness's fake
	// platform if it has one.
	MakeDriver(ctx context.Context) (driver.Driver, error)
	// Secrets lists configured values that must never appear in an error,
	// errMsg or log record (the app secret, for instance).
	Secrets() []string
	// Close releases what the harness holds.
	Close()
}

// ConfigHarness is a Harness that also hands the kit the Config its
// driver is built from, so that the kit checks that the Config prints no
// secret either (fmt verbs, json.Marshal, slog). Config may return nil.
type ConfigHarness interface {
	Harness
	Config() any
}

// LoginHarness is a Harness whose fake platform can issue login codes, so
// the kit can log users in and check real sessions.
type LoginHarness interface {
	Harness
	// LoginCode makes the platform issue a fresh login code for openid, as
	// the client's login() would. Each new code may rotate the user's
	// session key.
	LoginCode(ctx context.Context, openid string) (string, error)
}

// Endpoint names a server API of a platform, for fault injection and
// request counting. The values are the sandbox's names (package
// sandbox/fake), so a harness over the sandbox converts one to the other;
// the kit keeps its own type so that it imports no fake.
type Endpoint string

// The endpoints the kit knows.
const (
	EndpointCode2Session Endpoint = "code2session"
	EndpointToken        Endpoint = "token"
	EndpointCheckSession Endpoint = "checksession"
	EndpointPhoneNumber  Endpoint = "phonenumber"
	EndpointResetKey     Endpoint = "resetkey"
)

// Fault is a failure a FaultHarness can make its fake platform produce
// (by the sandbox's names for them, package sandbox/fake's FaultKind).
type Fault string

// The faults and what the portable API must turn each into.
const (
	FaultBusy         Fault = "busy"           // "system busy" error answer → Unavailable, retried
	FaultRateLimit    Fault = "rate_limit"     // quota answer → RateLimited, not retried
	FaultTokenInvalid Fault = "token_invalid"  // access token rejected → one refetch, then success
	FaultServerError  Fault = "server_error"   // HTTP 502 → Unavailable, retried
	FaultHTML         Fault = "html"           // HTML error page with 200 → Unavailable, retried
	FaultTruncated    Fault = "truncated_json" // cut-off JSON → Unavailable, retried
	FaultReset        Fault = "reset"          // connection closed without an answer → Unavailable, retried
	FaultSlow         Fault = "slow"           // answer slower than the caller's deadline → DeadlineExceeded
)

// The probes a ProbeHarness injects: answers that test the driver's
// discipline rather than its handling of an outage.
const (
	// FaultNoMarker: a successful answer without the platform's explicit
	// success marker (the member its fake declares) → refused, never a
	// success.
	FaultNoMarker Fault = "no_marker"
	// FaultEchoSecret: an error answer that echoes the app's secret →
	// scrubbed from the error, errMsg and logs.
	FaultEchoSecret Fault = "echo_secret"
)

// Faults lists every fault.
func Faults() []Fault {
	return []Fault{FaultBusy, FaultRateLimit, FaultTokenInvalid, FaultServerError, FaultHTML, FaultTruncated, FaultReset, FaultSlow}
}

// FaultHarness is a LoginHarness whose fake platform can fail on purpose
// and count requests.
type FaultHarness interface {
	LoginHarness
	// InjectFault makes the next n requests to ep answer with f. It
	// returns false when the platform has no such endpoint or the fault
	// does not apply to it (no token on a platform without tokens).
	InjectFault(ep Endpoint, f Fault, n int) bool
	// ClearFaults removes every pending fault.
	ClearFaults()
	// Requests returns how many requests ep has received so far.
	Requests(ep Endpoint) int
}

// ProbeHarness is a FaultHarness over a fake that speaks the platform's
// wire format (the sandbox's), which can also probe the driver's
// discipline: the kit strips the success marker the fake declares from an
// otherwise good answer (the driver must refuse it), and has the fake echo
// the app's secret in an error (the driver must scrub it, whether or not
// it handed the secret to be scrubbed).
type ProbeHarness interface {
	FaultHarness
	// InjectProbe makes the next n requests to ep answer with probe p
	// (FaultNoMarker, FaultEchoSecret). It returns false when the fake
	// cannot: no success marker declared for ep, say.
	InjectProbe(ep Endpoint, p Fault, n int) bool
}

// EncryptHarness is a LoginHarness whose fake platform can encrypt data
// for a user the way the platform's client APIs do (getUserInfo,
// getPhoneNumber …), with the user's current session key. The kit then
// checks a Decrypter end to end.
type EncryptHarness interface {
	LoginHarness
	// Encrypt seals the JSON object payload for openid; it returns
	// encryptedData and iv.
	Encrypt(ctx context.Context, openid string, payload []byte) (encryptedData, iv string, err error)
}

// PhoneHarness is a Harness whose fake platform can mint phone-number
// codes (what the client's getPhoneNumber button yields), for a
// driver.PhoneNumberGetter.
type PhoneHarness interface {
	Harness
	PhoneCode(ctx context.Context, openid, phone string) (string, error)
}

// RunConformanceTests runs the kit against the driver newHarness builds. Each
// subtest gets a fresh harness.
func RunConformanceTests(t *testing.T, newHarness func(ctx context.Context, t *testing.T) (Harness, error)) {
	t.Helper()
	ctx := context.Background()
	setup := func(t *testing.T) *env {
		h, err := newHarness(ctx, t)
		if err != nil {
			t.Fatalf("making the harness: %v", err)
		}
		t.Cleanup(h.Close)
		d, err := h.MakeDriver(ctx)
		if err != nil {
			t.Fatalf("MakeDriver: %v", err)
		}
		if d == nil || d.Platform() == "" {
			t.Fatal("MakeDriver returned a nil driver or one with an empty Platform()")
		}
		return &env{t: t, ctx: ctx, h: h, d: d}
	}
	// Which cases apply depends on the driver's capabilities and the
	// harness's; only those run, so that no case is skipped silently.
	var probe *env
	t.Run("driver/is valid", func(t *testing.T) { probe = setup(t) })
	if probe == nil {
		return
	}
	for _, c := range append(cases, useCases...) {
		if c.applies != nil && !c.applies(probe) {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			c.run(setup(t))
		})
	}
}
