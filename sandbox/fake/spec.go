package fake

import (
	"errors"
	"time"

	"github.com/tarogo/adapter/taro"
)

// Spec describes a fake in data: a *Spec is a Platform. Its paths are
// Paths and its fault answers Faults; a fake with state of its own
// (Alipay's keys) embeds it and adds what it needs.
type Spec struct {
	Platform taro.Platform
	// AppFields are the request members (query, form or JSON body) that
	// name the app the request is for, where a sandbox serves several.
	AppFields  []string
	App        App
	CodeLife   time.Duration
	KeyBytes   int
	Serves     []Endpoint
	TakesToken []Endpoint
	// Seal encrypts a payload as the platform's client APIs do.
	Seal func(sessionKey, appID string, payload []byte, now time.Time) (data, iv string, err error)
	// Markers names, per endpoint, the top-level member of a successful
	// answer without which the answer is no explicit yes.
	Markers map[Endpoint]string
	// Paths are the fake's handlers, registered by Routes.
	Paths []Route
	// Faults is the platform's own answer for a Busy, RateLimit or
	// TokenInvalid fault on an endpoint (FaultBody); nil answers HTTP
	// 503.
	Faults func(ep Endpoint, kind FaultKind) any
}

// AppKeys implements AppNamer with AppFields.
func (s Spec) AppKeys() []string { return s.AppFields }

// FaultBody implements Platform with Faults.
func (s Spec) FaultBody(ep Endpoint, kind FaultKind) any {
	if s.Faults == nil {
		return HTTPAnswer{Status: 503, Text: "Service Unavailable"}
	}
	return s.Faults(ep, kind)
}

// Route is a handler of a fake: pattern (a method and a path relative to
// the platform's prefix) served as endpoint Endpoint.
type Route struct {
	Endpoint Endpoint
	Pattern  string
	Handler  Handler
}

// Routes implements Platform: it registers Paths.
func (s Spec) Routes(r Router) {
	for _, rt := range s.Paths {
		r.Handle(rt.Endpoint, rt.Pattern, rt.Handler)
	}
}

// SuccessMarker implements MarkerDeclarer.
func (s Spec) SuccessMarker(ep Endpoint) string { return s.Markers[ep] }

// Name implements Platform.
func (s Spec) Name() taro.Platform { return s.Platform }

// DefaultApp implements Platform.
func (s Spec) DefaultApp() App { return s.App }

// CodeTTL implements Platform.
func (s Spec) CodeTTL() time.Duration { return s.CodeLife }

// NewSessionKey implements Platform: KeyBytes random bytes in base64.
func (s Spec) NewSessionKey() string { return RandomKey(s.KeyBytes) }

// Endpoints implements Platform.
func (s Spec) Endpoints() []Endpoint { return s.Serves }

// TokenEndpoints implements Platform.
func (s Spec) TokenEndpoints() []Endpoint { return s.TakesToken }

// Encrypt implements Platform.
func (s Spec) Encrypt(sessionKey, appID string, payload []byte, now time.Time) (string, string, error) {
	if s.Seal == nil {
		return "", "", errors.New("sandbox: " + string(s.Platform) + " documents no client encryption the server opens")
	}
	return s.Seal(sessionKey, appID, payload, now)
}
