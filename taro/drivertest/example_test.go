package drivertest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/drivertest"
)

// toyPlatform is an in-memory platform: it issues login codes, rotates
// session keys, issues access tokens and can fail on purpose. A real driver
// talks to its platform over HTTP; the toy keeps the example short.
type toyPlatform struct {
	mu     sync.Mutex
	codes  map[string]string // code -> openid
	keys   map[string]string // openid -> current session key
	token  string
	faults map[drivertest.Endpoint][]drivertest.Fault
	counts map[drivertest.Endpoint]int
}

func newToyPlatform() *toyPlatform {
	return &toyPlatform{codes: map[string]string{}, keys: map[string]string{},
		faults: map[drivertest.Endpoint][]drivertest.Fault{}, counts: map[drivertest.Endpoint]int{}}
}

func randHex() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// enter counts a request to ep and returns the fault to answer with, if any.
func (p *toyPlatform) enter(ctx context.Context, ep drivertest.Endpoint) error {
	p.mu.Lock()
	p.counts[ep]++
	var f drivertest.Fault
	if q := p.faults[ep]; len(q) > 0 {
		f, p.faults[ep] = q[0], q[1:]
	}
	p.mu.Unlock()
	switch f {
	case "":
		return nil
	case drivertest.FaultRateLimit:
		return driver.PlatformError(driver.CodeRateLimited, "429", "slow down")
	case drivertest.FaultTokenInvalid:
		return driver.PlatformError(driver.CodeTokenInvalid, "401", "token invalid")
	case drivertest.FaultSlow:
		<-ctx.Done()
		return &driver.Error{Code: driver.CodeUnavailable, Err: ctx.Err()}
	default: // busy, 5xx, HTML, truncated body, reset connection
		return driver.Errorf(driver.CodeUnavailable, "toy platform: %s", f)
	}
}

// toyDriver is a complete minimal driver: step 2 (Driver), step 3
// (Authenticator, SessionChecker, TokenFetcher) and step 4 (errors).
type toyDriver struct {
	p     *toyPlatform
	appID string
}

func (d *toyDriver) Platform() taro.Platform { return "toy" }
func (d *toyDriver) AppID() string           { return d.appID }

func (d *toyDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if err := d.p.enter(ctx, drivertest.EndpointCode2Session); err != nil {
		return driver.LoginResponse{}, err
	}
	d.p.mu.Lock()
	defer d.p.mu.Unlock()
	openid, ok := d.p.codes[req.Code]
	if !ok {
		return driver.LoginResponse{}, driver.PlatformError(driver.CodeInvalidCode, "40029", "invalid code")
	}
	delete(d.p.codes, req.Code)
	return driver.LoginResponse{OpenID: openid, SessionKey: d.p.keys[openid]}, nil
}

func (d *toyDriver) FetchToken(ctx context.Context) (driver.Token, error) {
	if err := d.p.enter(ctx, drivertest.EndpointToken); err != nil {
		return driver.Token{}, err
	}
	d.p.mu.Lock()
	defer d.p.mu.Unlock()
	d.p.token = randHex()
	return driver.Token{Value: d.p.token, ExpiresIn: 2 * time.Hour}, nil
}

func (d *toyDriver) CheckSession(ctx context.Context, req driver.CheckRequest) error {
	if err := d.p.enter(ctx, drivertest.EndpointCheckSession); err != nil {
		return err
	}
	d.p.mu.Lock()
	defer d.p.mu.Unlock()
	if req.AccessToken != d.p.token {
		return driver.PlatformError(driver.CodeTokenInvalid, "401", "token invalid")
	}
	if d.p.keys[req.OpenID] != req.SessionKey { // a real driver sends a signature, never the key
		return driver.PlatformError(driver.CodeSessionInvalid, "87009", "invalid signature")
	}
	return nil
}

// toyHarness is step 6: what the driver's test hands the kit.
type toyHarness struct{ p *toyPlatform }

func (h *toyHarness) MakeDriver(context.Context) (driver.Driver, error) {
	return &toyDriver{p: h.p, appID: "toy-app"}, nil
}
func (h *toyHarness) Secrets() []string { return nil }
func (h *toyHarness) Close()            {}

func (h *toyHarness) LoginCode(_ context.Context, openid string) (string, error) {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	code := randHex()
	h.p.codes[code] = openid
	h.p.keys[openid] = randHex() // every login rotates the key
	return code, nil
}

func (h *toyHarness) InjectFault(ep drivertest.Endpoint, f drivertest.Fault, n int) bool {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	for range n {
		h.p.faults[ep] = append(h.p.faults[ep], f)
	}
	return true
}

func (h *toyHarness) ClearFaults() {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	clear(h.p.faults)
}

func (h *toyHarness) Requests(ep drivertest.Endpoint) int {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	return h.p.counts[ep]
}

// TestConformance is what a driver's test looks like: the README's
// "Adding a platform driver" sample.
//
// readme:begin kit
func TestConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, func(context.Context, *testing.T) (drivertest.Harness, error) {
		// A harness: MakeDriver against your platform's fake, plus the
		// optional LoginHarness, FaultHarness, EncryptHarness, PhoneHarness.
		return &toyHarness{p: newToyPlatform()}, nil
	})
}

// readme:end kit

// Example shows a minimal driver in use; TestConformance above runs the
// kit against it.
func Example() {
	ctx := context.Background()
	h := &toyHarness{p: newToyPlatform()}
	d, _ := h.MakeDriver(ctx)
	client, err := taro.NewClient(d)
	if err != nil {
		panic(err)
	}
	code, _ := h.LoginCode(ctx, "user-1")
	login, _ := client.Code2Session(ctx, taro.LoginOption{Platform: "toy", Code: code})
	fmt.Println(login.ErrMsg, login.OpenID)

	res, _ := client.CheckSession(ctx, taro.Option{Platform: "toy", Session: login.Session})
	fmt.Println(res.ErrMsg)

	_, _ = h.LoginCode(ctx, "user-1") // the user logs in again elsewhere: the key rotates
	res, err = client.CheckSession(ctx, taro.Option{Platform: "toy", Session: login.Session})
	fmt.Println(res.ErrMsg, taro.CodeOf(err))
	// Output:
	// code2Session:ok user-1
	// checkSession:ok
	// checkSession:fail session invalid SessionInvalid
}
