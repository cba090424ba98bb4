package drivertest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tarogo/adapter/platforms/qq"
	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
	"github.com/tarogo/adapter/taro/drivertest"
)

// noMarkerDriver is broken on purpose: it takes a session check answer
// without WeChat's explicit errcode 0 as a success.
type noMarkerDriver struct{ *weapp.Driver }

func (d noMarkerDriver) CheckSession(ctx context.Context, req driver.CheckRequest) error {
	err := d.Driver.CheckSession(ctx, req)
	if errors.Is(err, driverkit.ErrNotUnderstood) {
		return nil // "no error code, so it must be fine"
	}
	return err
}

// noSecretDriver is broken on purpose: it exchanges codes with a request
// of its own that never hands the app secret to be scrubbed, and repeats
// the platform's message in its error.
type noSecretDriver struct {
	*qq.Driver
	base, secret string
	hc           *http.Client
}

func (d noSecretDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	q := url.Values{"appid": {d.AppID()}, "secret": {d.secret}, "js_code": {req.Code}, "grant_type": {"authorization_code"}}
	var out driver.LoginResponse
	err := driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodGet, URL: d.base + "/sns/jscode2session?" + q.Encode()}, // no Secrets
		func(b []byte) error {
			var r struct {
				ErrCode    int    `json:"errcode"`
				ErrMsg     string `json:"errmsg"`
				OpenID     string `json:"openid"`
				SessionKey string `json:"session_key"`
			}
			if err := driverkit.Decode(b, &r); err != nil {
				return err
			}
			if r.ErrCode != 0 || r.OpenID == "" {
				return driver.Errorf(driver.CodeUnavailable, "qq said: %s", r.ErrMsg)
			}
			out = driver.LoginResponse{OpenID: r.OpenID, SessionKey: r.SessionKey}
			return nil
		})
	return out, err
}

// TestBrokenDriverUnderKit runs the kit against one broken driver (named
// by TARO_KIT_BROKEN); TestBrokenDriversFailTheKit runs it in a process
// of its own and expects it to fail. It does nothing otherwise.
func TestBrokenDriverUnderKit(t *testing.T) {
	switch os.Getenv("TARO_KIT_BROKEN") {
	case "no-marker":
		drivertest.RunConformanceTests(t, sandboxtest.New(taro.Weapp, func(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
			d, err := weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp), HTTPClient: sb.HTTPClient()})
			return noMarkerDriver{d}, err
		}))
	case "no-secret":
		drivertest.RunConformanceTests(t, sandboxtest.New(taro.QQ, func(sb *sandbox.Sandbox, app sandbox.App) (driver.Driver, error) {
			d, err := qq.New(qq.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ), HTTPClient: sb.HTTPClient()})
			return noSecretDriver{Driver: d, base: sb.BaseURL(taro.QQ), secret: app.Secret, hc: sb.HTTPClient()}, err
		}))
	}
}

// The kit fails a driver that takes an answer without the platform's
// explicit success marker for a success, and one that never hands its
// secret to be scrubbed, each with a message that names the rule.
func TestBrokenDriversFailTheKit(t *testing.T) {
	if os.Getenv("TARO_KIT_BROKEN") != "" {
		t.Skip("the inner run")
	}
	t.Parallel() // the kit runs in child processes of this binary
	for broken, rule := range map[string]string{
		"no-marker": "rule: only an explicit yes",
		"no-secret": "rule: secrets stay in",
	} {
		t.Run(broken, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			// The test binary runs itself again: nothing is built twice.
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.count=1", "-test.run=^TestBrokenDriverUnderKit$")
			cmd.Env = append(os.Environ(), "TARO_KIT_BROKEN="+broken)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed the %s driver:\n%s", broken, tail(string(out), 20))
			}
			if !strings.Contains(string(out), rule) {
				t.Fatalf("the kit failed the %s driver without naming the rule %q:\n%s", broken, rule, tail(string(out), 30))
			}
		})
	}
}
