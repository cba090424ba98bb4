// Command quicklogin is the README's login service, whole: the login
// endpoint, a route behind Require, logout, on Redis, with every platform
// configured in the environment (eval "$(taro sandbox --env --addr A)"
// configures a shell for a sandbox). LOGIN_KEY is 32 bytes that seal the
// tickets; keep it secret and the same on every replica.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

func main() {
	h, closeStore, err := service(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	defer closeStore()
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", h))
}

// readme:begin quicklogin
func service(env func(string) string) (http.Handler, func() error, error) {
	drivers, err := platforms.FromEnv(env) // TARO_QQ_APPID, TARO_QQ_SECRET, …
	if err != nil {
		return nil, nil, err
	}
	store, err := redisstore.Open(env("TARO_REDIS_URL"), redisstore.Options{})
	if err != nil {
		return nil, nil, err
	}
	client, err := taro.New(taro.Config{Drivers: drivers, Tokens: store, Sessions: store})
	if err != nil {
		return nil, nil, err
	}
	m, err := login.New(login.Config{Client: client, Store: store, Key: []byte(env("LOGIN_KEY"))})
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", m.Handler()) // {"platform","code"} → {"ticket",…}
	mux.Handle("POST /logout", m.LogoutHandler())
	mux.Handle("GET /me", m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context()) // Authorization: Bearer <ticket>
		fmt.Fprintf(w, "hello %s on %s\n", u.OpenID, u.Platform)
	})))
	return mux, store.Close, nil
}

// readme:end quicklogin
