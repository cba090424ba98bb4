package fake

import (
	"errors"
	"time"

	"github.com/tarogo/adapter/taro"
)

// Spec describes a fake in data. A fake's type that embeds it implements
// every Platform method but Routes and FaultBody, which are the fake's
// own paths and answers.
type Spec struct {
	Platform   taro.Platform
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
