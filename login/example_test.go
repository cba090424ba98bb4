package login_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

func Example() {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.QQ)
	d, _ := platforms.Driver(taro.QQ, platforms.Settings{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ)})
	client, _ := taro.NewClient(d)

	// readme:begin login
	m, err := login.New(login.Config{
		Client: client,
		Key:    []byte("0123456789abcdef0123456789abcdef"), // 32 secret bytes, the same on every replica
		// Store: a *redisstore.Store for replicas; nil keeps tickets in memory.
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", m.Handler()) // {"platform","code"} → {"ticket",…}
	mux.Handle("POST /logout", m.LogoutHandler())
	mux.Handle("GET /me", m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context()) // u.Session() for Decrypt; never send it
		fmt.Fprintln(w, u.Platform, u.OpenID)
	})))
	// readme:end login

	code, _ := sb.Login(taro.QQ, "user-1")
	res, err := m.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: code})
	fmt.Println(err, res.User.OpenID, res.ExpiresIn)
	// Output:
	// <nil> user-1 168h0m0s
}

// metadataKey stands in for gRPC's incoming metadata.
type metadataKey struct{}

// Unary is the shape of a gRPC unary handler and interceptor, written here
// without importing gRPC.
type (
	unaryHandler     func(ctx context.Context, req any) (any, error)
	unaryInterceptor func(ctx context.Context, req any, handler unaryHandler) (any, error)
)

// ExampleManager_Resolve shows a gRPC-style interceptor: the ticket from the
// request's metadata, Resolve, and the user in the context.
func ExampleManager_Resolve() {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.QQ)
	d, _ := platforms.Driver(taro.QQ, platforms.Settings{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.QQ)})
	client, _ := taro.NewClient(d)
	m, _ := login.New(login.Config{Client: client, Key: []byte("0123456789abcdef0123456789abcdef")})

	ticketFrom := func(ctx context.Context) string { s, _ := ctx.Value(metadataKey{}).(string); return s } // metadata.FromIncomingContext in gRPC
	var auth unaryInterceptor = func(ctx context.Context, req any, next unaryHandler) (any, error) {
		u, err := m.Resolve(ctx, ticketFrom(ctx))
		switch {
		case errors.Is(err, taro.ErrSessionInvalid):
			return nil, fmt.Errorf("unauthenticated: %w", err) // codes.Unauthenticated
		case err != nil:
			return nil, fmt.Errorf("unavailable: %w", err) // codes.Unavailable: never log the user out for an outage
		}
		return next(login.WithUser(ctx, u), req)
	}

	code, _ := sb.Login(taro.QQ, "user-1")
	res, _ := m.Login(context.Background(), taro.LoginOption{Platform: taro.QQ, Code: code})
	hello := func(ctx context.Context, req any) (any, error) {
		u, _ := login.UserFrom(ctx)
		return "hello " + u.OpenID, nil
	}
	ctx := context.WithValue(context.Background(), metadataKey{}, res.Ticket) // stands in for gRPC metadata
	fmt.Println(auth(ctx, nil, hello))
	fmt.Println(auth(context.Background(), nil, hello))
	// Output:
	// hello user-1 <nil>
	// <nil> unauthenticated: taro: auth: session invalid: no ticket: send Authorization: Bearer <ticket>
}
