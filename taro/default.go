package taro

import (
	"context"
	"sync"
)

var (
	defaultOnce   sync.Once
	defaultClient *Client
)

// Default returns the package's default client, which the package-level
// functions use. It serves H5, RN and Harmony with not-supported drivers
// from the start; add platform drivers with Register.
func Default() *Client {
	defaultOnce.Do(func() {
		c, err := New(Config{})
		if err != nil {
			panic("taro: building the default client: " + err.Error()) // unreachable: no user input
		}
		defaultClient = c
	})
	return defaultClient
}

// Register adds d to the default client; see Client.Register.
func Register(d Driver) error { return Default().Register(d) }

// Platforms lists the platforms the default client serves, sorted.
func Platforms() []Platform { return Default().Platforms() }

// CheckSession calls Default().CheckSession.
func CheckSession(ctx context.Context, opt Option) (CallbackResult, error) {
	return Default().CheckSession(ctx, opt)
}

// Code2Session calls Default().Code2Session.
func Code2Session(ctx context.Context, opt LoginOption) (LoginResult, error) {
	return Default().Code2Session(ctx, opt)
}

// FromNative calls Default().FromNative.
func FromNative(p Platform, api string, raw []byte) (CallbackResult, error) {
	return Default().FromNative(p, api, raw)
}
