package drivertest_test

// This file is a platform added from outside this module: a driver and its
// sandbox fake written with the public packages only. It is compiled and
// run here, and TestADriverOutsideTheModulePassesTheKit copies it, as it
// is, into a module of its own and runs it there.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
	"github.com/tarogo/adapter/taro/drivertest"
)

// acmePlatform is the new platform.
const acmePlatform driver.Platform = "acme"

// acmeConfig configures the driver.
type acmeConfig struct {
	AppID, Secret, BaseURL string
	HTTPClient             *http.Client
}

// acmeDriver logs users in with POST /login; checks come from the store.
type acmeDriver struct {
	cfg acmeConfig
	hc  *http.Client
	url string
}

func newAcme(cfg acmeConfig) (*acmeDriver, error) {
	base, err := driverkit.ConfigBase("acme", cfg.AppID, cfg.Secret, cfg.BaseURL, "https://open.acme.example")
	if err != nil {
		return nil, err
	}
	return &acmeDriver{cfg: cfg, hc: driverkit.NoRedirect(cfg.HTTPClient), url: driverkit.JoinURL(base, "/login")}, nil
}

// String, Format and LogValue print the driver without its secret (the
// kit checks every fmt verb, json.Marshal and slog).
func (d *acmeDriver) String() string {
	return "acme.Driver{" + driverkit.ConfigString("acme", d.cfg.AppID, d.cfg.Secret, d.cfg.BaseURL) + "}"
}
func (d *acmeDriver) Format(f fmt.State, verb rune) { driverkit.FormatRedacted(f, verb, d.String()) }
func (d *acmeDriver) LogValue() slog.Value {
	return driverkit.ConfigLogValue(d.cfg.AppID, d.cfg.Secret, d.cfg.BaseURL)
}

func (d *acmeDriver) Platform() driver.Platform { return acmePlatform }
func (d *acmeDriver) AppID() string             { return d.cfg.AppID }

// Code2Session sends form app, secret, code; the answer is
// {"status":0,"user":…,"key":…} or {"status":N,"message":…}.
func (d *acmeDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	form := url.Values{"app": {d.cfg.AppID}, "secret": {d.cfg.Secret}, "code": {req.Code}}
	var out driver.LoginResponse
	err := driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.url, Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", Secrets: []string{d.cfg.Secret}}, func(b []byte) error {
		var resp struct {
			Status  driverkit.Status `json:"status"`
			Message string           `json:"message"`
			User    string           `json:"user"`
			Key     string           `json:"key"`
		}
		if err := driverkit.Decode(b, &resp); err != nil {
			return err
		}
		if resp.Status.Failed() {
			code := driver.CodeInvalidCode
			switch resp.Status.Code {
			case "1":
				code = driver.CodeUnavailable
			case "2":
				code = driver.CodeRateLimited
			case "3":
				code = driver.CodeCredentials
			}
			return driver.PlatformError(code, string(resp.Status.Code), resp.Message)
		}
		o := driverkit.ParseObject(b)
		if !resp.Status.Zero || !o.IsZero("status") || !o.Confirm("user", resp.User) || !o.Confirm("key", resp.Key) {
			return driverkit.NotUnderstood("no status 0, user or key")
		}
		out = driver.LoginResponse{OpenID: resp.User, SessionKey: resp.Key}
		return nil
	})
	return out, err
}

// acmeFake is the platform's fake for the sandbox.
type acmeFake struct{}

func (acmeFake) Name() taro.Platform             { return "acme" }
func (acmeFake) DefaultApp() fake.App            { return fake.App{ID: "acme-app", Secret: "acme-secret-0123"} }
func (acmeFake) CodeTTL() time.Duration          { return 5 * time.Minute }
func (acmeFake) NewSessionKey() string           { return fake.RandomKey(16) }
func (acmeFake) Endpoints() []fake.Endpoint      { return []fake.Endpoint{fake.Code2Session} }
func (acmeFake) TokenEndpoints() []fake.Endpoint { return nil }

// SuccessMarker declares "status" (0) as the explicit yes of a login
// (fake.MarkerDeclarer), for the kit's probe.
func (acmeFake) SuccessMarker(ep fake.Endpoint) string {
	if ep == fake.Code2Session {
		return "status"
	}
	return ""
}
func (acmeFake) Routes(r fake.Router) { r.Handle(fake.Code2Session, "POST /login", acmeLogin) }
func (acmeFake) FaultBody(_ fake.Endpoint, k fake.FaultKind) any {
	if k == fake.Busy {
		return map[string]any{"status": 1, "message": "busy"}
	}
	return map[string]any{"status": 2, "message": "slow down"}
}
func (acmeFake) Encrypt(key, appID string, payload []byte, now time.Time) (string, string, error) {
	return fake.SealWeChat(key, appID, payload, now)
}

func acmeLogin(w http.ResponseWriter, r *http.Request, st *fake.State) {
	_ = r.ParseForm()
	if r.Form.Get("app") != st.App().ID || r.Form.Get("secret") != st.App().Secret {
		fake.WriteJSON(w, map[string]any{"status": 3, "message": "bad app"})
		return
	}
	openid, res := st.Redeem(r.Form.Get("code"), false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, map[string]any{"status": 4, "message": "bad code"})
		return
	}
	u, _ := st.User(openid)
	fake.WriteJSON(w, map[string]any{"status": 0, "user": openid, "key": u.Key})
}

func makeAcme(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
	return newAcme(acmeConfig{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(acmePlatform), HTTPClient: sb.HTTPClient()})
}

// TestAcmeConformance runs the whole kit against the driver and its fake.
func TestAcmeConformance(t *testing.T) {
	drivertest.RunConformanceTests(t, sandboxtest.New(acmePlatform, makeAcme, acmeFake{}))
}

// Example_sandbox adds a platform's fake to the sandbox and logs a user in
// through the new driver.
func Example_sandbox() {
	sb := sandbox.NewServer(sandbox.Options{Fakes: []fake.Platform{acmeFake{}}})
	defer sb.Close()
	d, _ := makeAcme(sb, sb.App(acmePlatform))
	client, _ := taro.NewClient(d)
	ctx := context.Background()
	code, _ := sb.Login(acmePlatform, "user-1")
	login, _ := client.Code2Session(ctx, taro.LoginOption{Platform: acmePlatform, Code: code})
	res, _ := client.CheckSession(ctx, taro.Option{Platform: acmePlatform, Session: login.Session})
	fmt.Println(login.ErrMsg, login.OpenID, res.ErrMsg)
	// Output:
	// code2Session:ok user-1 checkSession:ok
}
