package host

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// MaxApps bounds the apps one platform of a sandbox serves.
const MaxApps = 10_000

// addState adds app to pl; s.mu is held or pl is not yet shared.
func (s *Sandbox) addState(pl *platform, app App) *fake.State {
	st := fake.NewState(pl.fake, app, s.nowLocked, s.opts.TokenTTL, s.opts.KeepKeyOnLogin)
	st.UseComponents(s.comps)
	pl.apps[app.ID] = st
	pl.order = append(pl.order, app.ID)
	return st
}

// numbered is the i-th copy of app: its id and secret end in "-i"; its
// keys (Alipay's) are the default app's.
func numbered(app App, i int) App {
	suffix := "-" + strconv.Itoa(i)
	app.ID += suffix
	if app.Secret != "" {
		app.Secret += suffix
	}
	return app
}

// app returns p and its app appID's state ("" is the default app); s.mu
// is held.
func (s *Sandbox) app(p taro.Platform, appID string) (*platform, *fake.State, error) {
	pl, err := s.platform(p)
	if err != nil {
		return nil, nil, err
	}
	if appID == "" {
		return pl, pl.st, nil
	}
	st, ok := pl.apps[appID]
	if !ok {
		return nil, nil, fmt.Errorf("sandbox: %s serves no app %q (AddApp adds one)", p, appID)
	}
	return pl, st, nil
}

// AddApp makes p serve one more app, with its own users, codes and
// tokens. app.ID is required and new to p (1 to 128 bytes); so is a
// Secret where p's apps have one, and none where they have keys instead. Credentials app leaves empty that p's
// default app has (Alipay's keys and certificates) are the default
// app's. A platform serves MaxApps at most.
func (s *Sandbox) AddApp(p taro.Platform, app App) error {
	if app.ID == "" || len(app.ID) > 128 || strings.ContainsAny(app.ID, " \t\r\n") {
		return fmt.Errorf("sandbox: App.ID must be 1 to 128 bytes without spaces")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pl, err := s.platform(p)
	if err != nil {
		return err
	}
	if _, ok := pl.apps[app.ID]; ok {
		return fmt.Errorf("sandbox: %s already serves app %q", p, app.ID)
	}
	if len(pl.apps) >= MaxApps {
		return fmt.Errorf("sandbox: %s serves %d apps, the most it may", p, MaxApps)
	}
	def := pl.st.App()
	if (def.Secret != "") != (app.Secret != "") {
		return fmt.Errorf("sandbox: App.Secret is required on %s where its apps have one, and empty where they have keys", p)
	}
	fill := func(f *string, v string) {
		if *f == "" {
			*f = v
		}
	}
	fill(&app.PrivateKey, def.PrivateKey)
	fill(&app.AlipayPublicKey, def.AlipayPublicKey)
	fill(&app.AESKey, def.AESKey)
	fill(&app.AppCertificate, def.AppCertificate)
	fill(&app.AlipayCertificate, def.AlipayCertificate)
	fill(&app.AlipayRootCertificate, def.AlipayRootCertificate)
	s.addState(pl, app)
	return nil
}

// Apps lists the apps p serves, the default app first, then in the order
// they were added.
func (s *Sandbox) Apps(p taro.Platform) []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	pl, ok := s.ps[p]
	if !ok {
		return nil
	}
	out := make([]App, 0, len(pl.order))
	for _, id := range pl.order {
		out = append(out, pl.apps[id].App())
	}
	return out
}

// LoginApp is Login for p's app appID: the code is redeemable by that app
// only.
func (s *Sandbox) LoginApp(p taro.Platform, appID, openid string) (string, error) {
	if appID == "" {
		return "", fmt.Errorf("sandbox: appID is required")
	}
	return s.login(p, appID, openid, false)
}

// PhoneCodeApp is PhoneCode for p's app appID.
func (s *Sandbox) PhoneCodeApp(p taro.Platform, appID, openid, phone string) (string, error) {
	if appID == "" {
		return "", fmt.Errorf("sandbox: appID is required")
	}
	return s.phoneCode(p, appID, openid, phone)
}

// EncryptApp is Encrypt for p's app appID.
func (s *Sandbox) EncryptApp(p taro.Platform, appID, openid string, payload []byte) (encryptedData, iv string, err error) {
	if appID == "" {
		return "", "", fmt.Errorf("sandbox: appID is required")
	}
	return s.encrypt(p, appID, openid, payload)
}

// stateFor picks the app a request to pl is for; s.mu is held. With one
// app it is that app. Otherwise: the app named by a request member the
// fake declares (fake.AppNamer), in the query, a form body or a JSON body,
// else the app that issued the request's access token, else the default
// app, which then answers as the platform answers a stranger.
func (s *Sandbox) stateFor(pl *platform, r *http.Request, body []byte) *fake.State {
	if len(pl.apps) == 1 {
		return pl.st
	}
	fields := requestFields(r, body)
	var keys []string
	if n, ok := pl.fake.(fake.AppNamer); ok {
		keys = n.AppKeys()
	}
	for _, k := range keys {
		for _, v := range fields[k] {
			if st, ok := pl.apps[v]; ok {
				return st
			}
		}
	}
	for _, tok := range fields["access_token"] {
		for _, id := range pl.order {
			if valid, expired := pl.apps[id].TokenState(tok); valid || expired {
				return pl.apps[id]
			}
		}
	}
	return pl.st
}

// requestFields are the query's members, a bearer token, then a form's or
// a JSON object's top-level string members.
func requestFields(r *http.Request, body []byte) url.Values {
	out := url.Values{}
	for k, v := range r.URL.Query() {
		out[k] = append(out[k], v...)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		out["access_token"] = append(out["access_token"], tok) // a bearer token, as OAuth sends it
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, v := range form {
				out[k] = append(out[k], v...)
			}
		}
	case "application/json":
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			for k, raw := range m {
				var v string
				if json.Unmarshal(raw, &v) == nil {
					out[k] = append(out[k], v)
				}
			}
		}
	}
	return out
}
