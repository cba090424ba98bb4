package drivertest

import (
	"context"
	"sync/atomic"

	"github.com/tarogo/adapter/taro/driver"
)

// spyCounter counts calls into a driver's capabilities.
type spyCounter struct{ n atomic.Int64 }

type spyBase struct {
	driver.Driver
	c *spyCounter
}

type spyChecker struct {
	x driver.SessionChecker
	c *spyCounter
}

func (s spyChecker) CheckSession(ctx context.Context, r driver.CheckRequest) error {
	s.c.n.Add(1)
	return s.x.CheckSession(ctx, r)
}

type spyAuth struct {
	x driver.Authenticator
	c *spyCounter
}

func (s spyAuth) Code2Session(ctx context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
	s.c.n.Add(1)
	return s.x.Code2Session(ctx, r)
}

type spyTokens struct {
	x driver.TokenFetcher
	c *spyCounter
}

func (s spyTokens) FetchToken(ctx context.Context) (driver.Token, error) {
	s.c.n.Add(1)
	return s.x.FetchToken(ctx)
}

// spyOn wraps d so that every call into its checker, authenticator and
// token fetcher is counted, keeping exactly d's set of capabilities (so the
// portable layer treats the wrapper as it treats d). FromNative is not
// counted: it does no I/O.
func spyOn(d driver.Driver) (driver.Driver, *spyCounter) {
	c := &spyCounter{}
	b := spyBase{d, c}
	ck, hasC := d.(driver.SessionChecker)
	au, hasA := d.(driver.Authenticator)
	tf, hasT := d.(driver.TokenFetcher)
	sc, sa, st := spyChecker{ck, c}, spyAuth{au, c}, spyTokens{tf, c}
	var out driver.Driver
	switch {
	case hasC && hasA && hasT:
		out = struct {
			spyBase
			spyChecker
			spyAuth
			spyTokens
		}{b, sc, sa, st}
	case hasC && hasA:
		out = struct {
			spyBase
			spyChecker
			spyAuth
		}{b, sc, sa}
	case hasC && hasT:
		out = struct {
			spyBase
			spyChecker
			spyTokens
		}{b, sc, st}
	case hasA && hasT:
		out = struct {
			spyBase
			spyAuth
			spyTokens
		}{b, sa, st}
	case hasC:
		out = struct {
			spyBase
			spyChecker
		}{b, sc}
	case hasA:
		out = struct {
			spyBase
			spyAuth
		}{b, sa}
	case hasT:
		out = struct {
			spyBase
			spyTokens
		}{b, st}
	default:
		out = b
	}
	return out, c
}
