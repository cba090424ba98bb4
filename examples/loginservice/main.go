// Command loginservice is the start of a mini-program backend: login with
// tickets, an authenticated /me, the user's sessions, a /profile endpoint
// that reads the nickname and avatar out of getUserInfo's encryptedData, and
// a /phone endpoint that exchanges a getPhoneNumber code on the platform's
// server API — on every platform configured in the environment. Copy it and
// grow it.
//
// It never shows a client what it decrypted beyond the two fields it uses:
// encryptedData is AES-CBC without a MAC, and an endpoint that echoes or
// otherwise reveals what a client's ciphertext decrypts to lets the client
// forge data. taro.Decrypt answers every failure to open alike and limits
// the failures per session key (taro.Config.DecryptFailures); keep it that
// way when you grow this.
//
//	TARO_WEAPP_APPID=wx.. TARO_WEAPP_SECRET=.. \
//	LOGIN_KEY=$(openssl rand -hex 32) TARO_REDIS_URL=redis://127.0.0.1:6379/0 \
//	go run ./examples/loginservice --addr 127.0.0.1:8080
//
// Routes:
//
//	POST /login    {"platform":"weapp","appid":"…","code":"…"} → {"errMsg":"login:ok","ticket":"…","openid":"…","expiresIn":604800}
//	POST /logout   Authorization: Bearer <ticket>
//	POST /logout-all  Authorization: Bearer <ticket>: ends every session of the user
//	GET  /me       Authorization: Bearer <ticket> → {"platform","appid","openid","unionid"}
//	GET  /sessions Authorization: Bearer <ticket> → {"errMsg":"sessions:ok","sessions":[…]}
//	POST /profile  Authorization: Bearer <ticket>, {"encryptedData":"…","iv":"…"} → {"errMsg":"profile:ok","nickName":"…","avatarUrl":"…"}
//	POST /phone    Authorization: Bearer <ticket>, {"code":"…"} (Alipay: {"response":"…"}) → {"errMsg":"phone:ok","phoneNumber":"…","purePhoneNumber":"…","countryCode":"…"}
//
// Several apps of one platform (a main app and a lite app, or tenants) are
// comma-separated lists in TARO_<PLATFORM>_APPID and _SECRET (and
// _BASE_URL, one for all or one per app); the login body's "appid" then
// chooses. Without TARO_REDIS_URL it keeps tickets and sessions in memory
// (one replica only).
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
	mux.Handle("POST /logout-all", m.LogoutAllHandler())
	mux.Handle("GET /me", m.Require(http.HandlerFunc(me)))
	mux.Handle("GET /sessions", m.SessionsHandler())
	mux.Handle("POST /profile", m.Require(profile(client)))
	mux.Handle("POST /phone", m.Require(phone(client)))
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
	writeJSON(w, http.StatusOK, map[string]string{"platform": string(u.Platform), "appid": u.AppID, "openid": u.OpenID, "unionid": u.UnionID})
}

// fail answers a failed call of api with the status of its code and an
// errMsg that holds only that code: the same answer for every way a call
// can fail with that code.
func fail(w http.ResponseWriter, api string, err error) {
	code := taro.CodeOf(err)
	writeJSON(w, taro.HTTPStatus(code), map[string]string{"errMsg": api + ":fail " + code.String(), "code": code.String()})
}

// readBody decodes the request's JSON body (at most 64 KiB) into v.
func readBody(w http.ResponseWriter, r *http.Request, api, shape string, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errMsg": api + ":fail the body must be " + shape, "code": taro.CodeInvalidArgument.String()})
		return false
	}
	return true
}

// profile reads the nickname and avatar out of the encryptedData that
// getUserInfo handed the mini program, with the user's session key, which
// never left the server. It answers those two fields and nothing else of
// what it decrypted, whatever else the data holds.
func profile(client *taro.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context())
		var req struct {
			EncryptedData string `json:"encryptedData"`
			IV            string `json:"iv"`
		}
		if !readBody(w, r, "profile", `{"encryptedData","iv"}`, &req) {
			return
		}
		res, err := client.Decrypt(r.Context(), taro.DecryptOption{Platform: u.Platform, Session: u.Session(), EncryptedData: req.EncryptedData, IV: req.IV})
		if err != nil {
			fail(w, "profile", err)
			return
		}
		// Decrypt answers only JSON objects. A field that is missing or
		// not a string reads as empty, so the answer's shape never depends
		// on the data.
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(res.Data, &fields)
		str := func(name string) string {
			var v string
			_ = json.Unmarshal(fields[name], &v)
			return v
		}
		writeJSON(w, http.StatusOK, map[string]string{"errMsg": "profile:ok", "nickName": str("nickName"), "avatarUrl": str("avatarUrl")})
	})
}

// phone exchanges the code getPhoneNumber handed the mini program for the
// user's phone number, on the platform's server API; on Alipay the client
// sends the signed envelope my.getPhoneNumber handed it instead
// ({"response":"…"}), verified and opened offline.
func phone(client *taro.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.UserFrom(r.Context())
		var req struct {
			Code     string `json:"code"`
			Response string `json:"response"`
		}
		if !readBody(w, r, "phone", `{"code"} or, on Alipay, {"response"}`, &req) {
			return
		}
		res, err := client.GetPhoneNumber(r.Context(), taro.PhoneOption{Platform: u.Platform, AppID: u.AppID, Code: req.Code, Response: req.Response, OpenID: u.OpenID})
		if err != nil {
			fail(w, "phone", err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"errMsg": "phone:ok", "phoneNumber": res.PhoneNumber, "purePhoneNumber": res.PurePhoneNumber, "countryCode": res.CountryCode})
	})
}
