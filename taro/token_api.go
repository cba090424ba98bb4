package taro

import (
	"time"

	"context"

	"github.com/tarogo/adapter/taro/driver"
)

// AccessToken returns the app's access token on p: the library's one
// managed token (cached until shortly before it expires, fetched once under
// concurrency, shared through the token store across replicas), for callers
// of the platform's other server APIs. When such an API rejects it, call
// InvalidateAccessToken. Targets without server APIs answer
// ErrNotSupported.
func (c *Client) AccessToken(ctx context.Context, p Platform) (string, error) {
	return c.AccessTokenFor(ctx, p, "")
}

// AccessTokenFor is AccessToken for the app appID of p (empty: the
// platform's only app).
func (c *Client) AccessTokenFor(ctx context.Context, p Platform, appID string) (string, error) {
	ctx, obs := c.tele().observe(ctx, APIAccessToken, c.label(p))
	tok, err := c.accessToken(ctx, p, appID, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return "", err
	}
	return tok, nil
}

func (c *Client) accessToken(ctx context.Context, p Platform, appID string, at time.Time) (string, *Error) {
	const api = APIAccessToken
	e, _, perr := begin[driver.TokenFetcher](ctx, c, target{api, p, appID, at}, nil, driver.CapTokenFetcher)
	if perr != nil {
		return "", perr
	}
	var tok string
	var secrets callSecrets
	if err := c.do(ctx, e, api, true, &secrets, func(t string) error { tok = t; return nil }); err != nil {
		return "", err
	}
	return tok, nil
}

// InvalidateAccessToken drops token from the cache (in this process and in
// the shared token store) if it is still the cached one, so that the next
// AccessToken fetches a new one. Invalidating a token that is no longer
// the cached one changes nothing (compare-and-delete), so a replica holding
// a stale token cannot throw away a fresh one.
func (c *Client) InvalidateAccessToken(ctx context.Context, p Platform, token string) error {
	return c.InvalidateAccessTokenFor(ctx, p, "", token)
}

// InvalidateAccessTokenFor is InvalidateAccessToken for the app appID of p
// (empty: the platform's only app).
func (c *Client) InvalidateAccessTokenFor(ctx context.Context, p Platform, appID, token string) error {
	ctx, obs := c.tele().observe(ctx, "invalidateAccessToken", c.label(p))
	err := c.invalidateAccessToken(ctx, p, appID, token, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return err
	}
	return nil
}

func (c *Client) invalidateAccessToken(ctx context.Context, p Platform, appID, token string, at time.Time) *Error {
	const api = APIAccessToken
	t := target{api, p, appID, at}
	var bad *Error
	if token == "" || len(token) > maxFieldLen {
		bad = t.invalid("token must be 1 to 1024 bytes")
	}
	e, _, perr := begin[driver.TokenFetcher](nil, c, t, bad, driver.CapTokenFetcher)
	if perr != nil {
		return perr
	}
	if err := e.source.Invalidate(ctx, token); err != nil {
		return redact(c.wrap(p, api, err), &callSecrets{Token: token})
	}
	return nil
}
