// Package toy is a platform driver written outside the adapter module,
// with public packages only: the proof that a new platform is one
// directory. The test in taro/drivertest builds it as a module of its own.
package toy

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Platform is the toy platform.
const Platform driver.Platform = "toy"

// Config configures the driver.
type Config struct {
	AppID, Secret, BaseURL string
	HTTPClient             *http.Client
}

// Driver is the toy driver: a login endpoint; checks from the store.
type Driver struct {
	cfg Config
	hc  *http.Client
	url string
}

// New returns a driver.
func New(cfg Config) (*Driver, error) {
	base, err := driverkit.ConfigBase("toy", cfg.AppID, cfg.Secret, cfg.BaseURL, "https://toy.example")
	if err != nil {
		return nil, err
	}
	return &Driver{cfg: cfg, hc: driverkit.NoRedirect(cfg.HTTPClient), url: driverkit.JoinURL(base, "/login")}, nil
}

// Platform implements driver.Driver.
func (d *Driver) Platform() driver.Platform { return Platform }

// AppID implements driver.Driver.
func (d *Driver) AppID() string { return d.cfg.AppID }

// Code2Session implements driver.Authenticator: POST /login, form app,
// secret, code → {"status":0,"user":…,"key":…} or {"status":N,"message":…}.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
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
