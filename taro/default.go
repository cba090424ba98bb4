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

// Decrypt calls Default().Decrypt.
func Decrypt(ctx context.Context, opt DecryptOption) (DecryptResult, error) {
	return Default().Decrypt(ctx, opt)
}

// VerifyRawData calls Default().VerifyRawData.
func VerifyRawData(p Platform, s Session, rawData, signature string) error {
	return Default().VerifyRawData(p, s, rawData, signature)
}

// GetPhoneNumber calls Default().GetPhoneNumber.
func GetPhoneNumber(ctx context.Context, opt PhoneOption) (PhoneResult, error) {
	return Default().GetPhoneNumber(ctx, opt)
}

// ResetSession calls Default().ResetSession.
func ResetSession(ctx context.Context, opt Option) (LoginResult, error) {
	return Default().ResetSession(ctx, opt)
}

// AccessToken calls Default().AccessToken.
func AccessToken(ctx context.Context, p Platform) (string, error) {
	return Default().AccessToken(ctx, p)
}

// InvalidateAccessToken calls Default().InvalidateAccessToken.
func InvalidateAccessToken(ctx context.Context, p Platform, token string) error {
	return Default().InvalidateAccessToken(ctx, p, token)
}
