// Command loginservice is the start of a mini-program backend: login with
// tickets, an authenticated /me, and a /decrypt endpoint that opens what
// getUserInfo or getPhoneNumber hand the mini program — on every platform
// configured in the environment. Copy it and grow it.
//
//	TARO_WEAPP_APPID=wx.. TARO_WEAPP_SECRET=.. \
//	LOGIN_KEY=$(openssl rand -hex 32) TARO_REDIS_URL=redis://127.0.0.1:6379/0 \
//	go run ./examples/loginservice --addr 127.0.0.1:8080
//
// Routes:
//
//	POST /login    {"platform":"weapp","code":"…"} → {"errMsg":"login:ok","ticket":"…","openid":"…","expiresIn":604800}
//	POST /logout   Authorization: Bearer <ticket>
//	GET  /me       Authorization: Bearer <ticket> → {"platform","openid","unionid"}
//	POST /decrypt  Authorization: Bearer <ticket>, {"encryptedData":"…","iv":"…"} → {"errMsg":"decrypt:ok","data":{…}}
//
// Without TARO_REDIS_URL it keeps tickets and sessions in memory (one
// replica only).
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	h, closeAll, err := newServer(os.Getenv, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loginservice:", err)
		os.Exit(2)
	}
	defer closeAll()
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "loginservice:", err)
		os.Exit(1)
	}
}

// newServer builds the service from the environment: the drivers
// (platforms.FromEnv), the stores (Redis at TARO_REDIS_URL, or memory) and
// the login manager (LOGIN_KEY, 64 hexadecimal digits).
func newServer(env func(string) string, logger *slog.Logger) (http.Handler, func(), error) {
	drivers, err := platforms.FromEnv(env)
	if err != nil {
		return nil, nil, err
	}
	key, err := hex.DecodeString(env("LOGIN_KEY"))
	if err != nil || len(key) != 32 {
		return nil, nil, errors.New("LOGIN_KEY must be 64 hexadecimal digits (32 bytes): openssl rand -hex 32")
	}
	cfg := taro.Config{Drivers: drivers, Logger: logger}
	var store login.Store
	closeAll := func() {}
	if u := env("TARO_REDIS_URL"); u != "" {
		st, err := redisstore.Open(u, redisstore.Options{Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		cfg.Sessions, cfg.Tokens, store = st, st, st
		closeAll = func() { _ = st.Close() }
	}
	client, err := taro.New(cfg)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	m, err := login.New(login.Config{Client: client, Store: store, Key: key, Logger: logger})
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", m.Handler())
	mux.Handle("POST /logout", m.LogoutHandler())
	mux.Handle("GET /me", m.Require(http.HandlerFunc(me)))
	mux.Handle("POST /decrypt", m.Require(decrypt(client)))
	return mux, closeAll, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// me answers who the ticket belongs to.
func me(w http.ResponseWriter, r *http.Request) {
	u, _ := login.UserFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"platform": string(u.Platform), "openid": u.OpenID, "unionid": u.UnionID})
}

// decrypt opens the encryptedData a client API handed the mini program
// with the user's session key, which never left the server.
func decrypt(client *taro.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context())
		var req struct {
			EncryptedData string `json:"encryptedData"`
			IV            string `json:"iv"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 512<<10)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"errMsg": "decrypt:fail invalid argument: the body must be {\"encryptedData\",\"iv\"}"})
			return
		}
		res, err := client.Decrypt(r.Context(), taro.DecryptOption{Platform: u.Platform, Session: u.Session(), EncryptedData: req.EncryptedData, IV: req.IV})
		writeJSON(w, taro.HTTPStatus(taro.CodeOf(err)), res)
	})
}
