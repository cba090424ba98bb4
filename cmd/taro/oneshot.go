package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// oneShotFlags are the flags check and login share.
type oneShotFlags struct {
	fs       *flag.FlagSet
	platform *string
	baseURL  *string
	appID    *string
	timeout  *time.Duration
	redis    *bool
	miniGame *bool
}

func newOneShotFlags(name string, stderr io.Writer, help ...string) *oneShotFlags {
	fs := newFlags(name, stderr, help...)
	f := &oneShotFlags{fs: fs,
		platform: fs.String("platform", "", "platform: "+platformList()+" (required)"),
		baseURL:  fs.String("base-url", "", "send requests here instead of the platform (e.g. a taro sandbox base URL); default $TARO_<PLATFORM>_BASE_URL"),
		appID:    fs.String("appid", "", "the app, when TARO_<PLATFORM>_APPID lists several (comma-separated)"),
		timeout:  fs.Duration("timeout", 15*time.Second, "give up after this long"),
		redis:    fs.Bool("redis", false, "share tokens and session records with your services through the Redis at $TARO_REDIS_URL"),
		miniGame: fs.Bool("tt-minigame", false, "tt only: the app is a Douyin mini-game (the documented server-side check and key reset)"),
	}
	return f
}

// client parses args and builds a client for the chosen platform from the
// environment; it prints what is wrong and returns a nil client and a
// non-zero code when it cannot. Problems are reported in the order a user
// fixes them: the platform, then the command's own flags (required, checked
// by the command's function, which returns what is missing), then the
// credentials. The returned func releases the Redis connection, if any.
func (f *oneShotFlags) client(args []string, env func(string) string, stderr io.Writer, required func() string) (*taro.Client, taro.Driver, func(), int) {
	noop := func() {}
	if code, ok := parseFlags(f.fs, args, stderr); !ok {
		return nil, nil, noop, code
	}
	name := f.fs.Name()
	p := taro.Platform(*f.platform)
	if p == "" {
		fmt.Fprintf(stderr, "taro %s: --platform is required; valid platforms: %s\n", name, platformList())
		return nil, nil, noop, exitUsage
	}
	if !slices.Contains(serverPlatforms, p) {
		fmt.Fprintf(stderr, "taro %s: unknown platform %q; valid platforms: %s\n", name, p, platformList())
		return nil, nil, noop, exitUsage
	}
	if msg := required(); msg != "" {
		fmt.Fprintf(stderr, "taro %s: %s\n", name, msg)
		return nil, nil, noop, exitUsage
	}
	idVar, secretVar, baseVar := platforms.EnvNames(p)
	appID, secret, msg := pickApp(idVar, secretVar, env(idVar), env(secretVar), *f.appID)
	if msg != "" {
		fmt.Fprintf(stderr, "taro %s: %s (%s needs %s and %s; several apps are comma-separated lists in the same order)\n", name, msg, p, idVar, secretVar)
		return nil, nil, noop, exitUsage
	}
	base := *f.baseURL
	if base == "" {
		base = env(baseVar) // as platforms.FromEnv reads it
	}
	d, err := newDriver(p, env, appID, secret, base, cliHTTPClient, *f.miniGame)
	if err != nil {
		fmt.Fprintf(stderr, "taro %s: %v\n", name, err)
		return nil, nil, noop, exitUsage
	}
	cfg := taro.Config{Drivers: []taro.Driver{d}}
	closeStore := noop
	if *f.redis {
		u := env("TARO_REDIS_URL")
		if u == "" {
			fmt.Fprintf(stderr, "taro %s: --redis needs TARO_REDIS_URL (redis://[user:password@]host:port/db)\n", name)
			return nil, nil, noop, exitUsage
		}
		st, err := redisstore.Open(u, redisstore.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "taro %s: %v\n", name, err)
			return nil, nil, noop, storeExit(err)
		}
		cfg.Sessions, cfg.Tokens = st, st
		closeStore = func() { _ = st.Close() }
	}
	c, err := taro.New(cfg)
	if err != nil {
		closeStore()
		fmt.Fprintf(stderr, "taro %s: %v\n", name, err)
		return nil, nil, noop, exitUsage
	}
	return c, d, closeStore, exitOK
}

// pickApp returns the app id and secret to use from the comma-separated
// lists ids and secrets: the one --appid names, or the only one. msg says
// what is wrong, without any secret.
func pickApp(idVar, secretVar, ids, secrets, want string) (appID, secret, msg string) {
	switch {
	case ids == "":
		return "", "", "missing credentials: " + idVar + " is not set"
	case secrets == "":
		return "", "", "missing credentials: " + secretVar + " is not set"
	}
	idList, secretList := strings.Split(ids, ","), strings.Split(secrets, ",")
	if len(idList) != len(secretList) {
		return "", "", fmt.Sprintf("%s lists %d apps and %s %d secrets", idVar, len(idList), secretVar, len(secretList))
	}
	for i := range idList {
		idList[i], secretList[i] = strings.TrimSpace(idList[i]), strings.TrimSpace(secretList[i])
	}
	if want == "" {
		if len(idList) > 1 {
			return "", "", "several apps are configured (" + strings.Join(idList, ", ") + "): choose one with --appid"
		}
		return idList[0], secretList[0], ""
	}
	for i, id := range idList {
		if id == want {
			return id, secretList[i], ""
		}
	}
	return "", "", fmt.Sprintf("--appid %q is not among the configured apps (%s)", want, strings.Join(idList, ", "))
}

// sessionFlags are the flags naming a session: the openid, and the
// variable holding the key (never the key itself).
type sessionFlags struct{ openid, keyEnv *string }

func (f *oneShotFlags) sessionFlags() sessionFlags {
	return sessionFlags{
		openid: f.fs.String("openid", "", "the user's openid (required)"),
		keyEnv: f.fs.String("session-key-env", "", "name of the environment variable holding the session key (required)"),
	}
}

// missing names the first missing part of the session, or "".
func (sf sessionFlags) missing(env func(string) string) string {
	switch {
	case *sf.openid == "":
		return "--openid is required"
	case *sf.keyEnv == "":
		return "--session-key-env is required (the name of a variable holding the session key)"
	case env(*sf.keyEnv) == "":
		return emptyVar("--session-key-env", *sf.keyEnv)
	}
	return ""
}

func (sf sessionFlags) session(env func(string) string) taro.Session {
	return taro.Session{OpenID: *sf.openid, SessionKey: env(*sf.keyEnv)}
}

func runCheck(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	f := newOneShotFlags("check", stderr,
		"usage: taro check --platform P --openid ID --session-key-env VAR [--base-url URL]",
		"",
		"Asks the platform whether a session is valid. The app id and secret come",
		"from TARO_<PLATFORM>_APPID and TARO_<PLATFORM>_SECRET (e.g. TARO_WEAPP_APPID),",
		"the session key from the variable --session-key-env names: secrets never go",
		"on the command line. Only weapp and Douyin mini-games (--tt-minigame) have a",
		"server-side check; the other platforms' sessions are decided by a session",
		"store (the README's support matrix says which): pass --redis to ask the one",
		"your services share at $TARO_REDIS_URL.",
		"",
		exitHelp,
		"",
		"Example:",
		"  TARO_WEAPP_APPID=wx.. TARO_WEAPP_SECRET=.. SK=.. taro check --platform weapp --openid o6zAJs.. --session-key-env SK",
		"",
		"Flags:")
	sf := f.sessionFlags()
	c, d, closeStore, code := f.client(args, env, stderr, func() string {
		if p := taro.Platform(*f.platform); keyless(p) {
			return "not supported on " + string(p) + ": it has no session key, so there is no session to check"
		}
		return sf.missing(env)
	})
	if c == nil {
		return code
	}
	defer closeStore()
	switch {
	case !hasServerCheck(d) && !*f.redis:
		fmt.Fprintf(stderr, "taro check: %s documents no server-side session check; only a session store can answer (pass --redis to ask the one your services share)\n", d.Platform())
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	res, err := c.CheckSession(ctx, taro.Option{Platform: d.Platform(), Session: sf.session(env)})
	fmt.Fprintln(stdout, res.ErrMsg)
	if err != nil {
		fmt.Fprintf(stderr, "taro check: %v\n", err)
	}
	return exitFor(err)
}

func runLogin(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	f := newOneShotFlags("login", stderr,
		"usage: taro login --platform P --code CODE [--anonymous-code CODE] [--base-url URL] [--session-key-out FILE]",
		"",
		"Exchanges a login code (from the mini program's login()) for a session and prints the",
		"openid, unionid and the SHA-256 fingerprint of the session key — never the key itself.",
		"--session-key-out writes the key to FILE (created with mode 0600) for scripts, for example",
		"SK=$(cat FILE) taro check … --session-key-env SK.",
		"Credentials come from TARO_<PLATFORM>_APPID and TARO_<PLATFORM>_SECRET. With --redis the",
		"login is recorded in the session store your services share at $TARO_REDIS_URL.",
		"",
		exitHelp,
		"",
		"Example:",
		"  TARO_QQ_APPID=.. TARO_QQ_SECRET=.. taro login --platform qq --code 0a1b2c..",
		"",
		"Flags:")
	code := f.fs.String("code", "", "the login code")
	anon := f.fs.String("anonymous-code", "", "the anonymous login code (tt only)")
	keyOut := f.fs.String("session-key-out", "", "write the session key to this file (mode 0600); it is printed nowhere")
	var out *os.File // the --session-key-out file, made before the code is spent
	c, d, closeStore, rc := f.client(args, env, stderr, func() string {
		if *code == "" && *anon == "" {
			return "--code (or, on tt, --anonymous-code) is required"
		}
		if *keyOut != "" {
			var err error
			if out, err = createSecretFile(*keyOut); err != nil {
				return "--session-key-out " + *keyOut + ": " + err.Error()
			}
		}
		return ""
	})
	if c == nil {
		if out != nil {
			_ = out.Close()
			_ = os.Remove(out.Name())
		}
		return rc
	}
	defer closeStore()
	written := false
	if out != nil {
		defer func() {
			_ = out.Close()
			if !written {
				_ = os.Remove(out.Name()) // nothing to keep: the file was made for this call
			}
		}()
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: d.Platform(), Code: *code, AnonymousCode: *anon})
	fmt.Fprintln(stdout, res.ErrMsg)
	if err != nil {
		fmt.Fprintf(stderr, "taro login: %v\n", err)
		return exitFor(err)
	}
	fmt.Fprintf(stdout, "openid: %s\n", res.OpenID)
	if res.UnionID != "" {
		fmt.Fprintf(stdout, "unionid: %s\n", res.UnionID)
	}
	if res.AnonymousOpenID != "" {
		fmt.Fprintf(stdout, "anonymous_openid: %s\n", res.AnonymousOpenID)
	}
	if res.Session.SessionKey != "" {
		fmt.Fprintf(stdout, "session_key: [redacted], sha256 %s\n", taro.FingerprintOf(res.Session.SessionKey))
		if out != nil {
			if _, err := out.WriteString(res.Session.SessionKey); err != nil {
				fmt.Fprintf(stderr, "taro login: --session-key-out: %v\n", err)
				return exitUndecided
			}
			written = true
		}
	} else {
		fmt.Fprintln(stdout, "session_key: none (an anonymous login has no session key)")
	}
	return exitOK
}

func runDecrypt(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := newFlags("decrypt", stderr,
		"usage: taro decrypt --platform P --session-key-env VAR --data-env VAR --iv IV [--appid ID]",
		"",
		"Opens the encryptedData a client API (getUserInfo, getPhoneNumber …) handed the mini",
		"program and prints the JSON inside. It is offline: nothing is sent anywhere, and no app",
		"secret is needed. The session key and the encryptedData come from the variables the",
		"flags name: the key never goes on the command line. The app the data must be for",
		"(WeChat's watermark, Baidu's app-key suffix) is --appid, or TARO_<PLATFORM>_APPID.",
		"",
		exitHelp,
		"",
		"Example:",
		"  SK=.. DATA=.. taro decrypt --platform weapp --appid wx.. --session-key-env SK --data-env DATA --iv r7BXXKkLb8qrSNn05n0qiA==",
		"",
		"Flags:")
	platform := fs.String("platform", "", "platform: "+platformList()+" (required)")
	appID := fs.String("appid", "", "the app the data must be for; default $TARO_<PLATFORM>_APPID (its only app)")
	keyEnv := fs.String("session-key-env", "", "name of the environment variable holding the session key (required)")
	dataEnv := fs.String("data-env", "", "name of the environment variable holding the encryptedData (required)")
	iv := fs.String("iv", "", "the iv that came with the data (required)")
	fs.String("openid", "", "ignored (accepted for the scripts of earlier versions)")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	p := taro.Platform(*platform)
	idVar, _, _ := platforms.EnvNames(p)
	app := *appID
	if app == "" {
		if ids := env(idVar); ids != "" && !strings.Contains(ids, ",") {
			app = strings.TrimSpace(ids)
		}
	}
	var msg string
	switch {
	case p == "":
		msg = "--platform is required; valid platforms: " + platformList()
	case !slices.Contains(serverPlatforms, p):
		msg = fmt.Sprintf("unknown platform %q; valid platforms: %s", p, platformList())
	case keyless(p):
		msg = "not supported on " + string(p) + ": it has no session key, so there is no encrypted data to open"
	case *keyEnv == "":
		msg = "--session-key-env is required (the name of a variable holding the session key)"
	case env(*keyEnv) == "":
		msg = emptyVar("--session-key-env", *keyEnv)
	case *dataEnv == "":
		msg = "--data-env is required (the name of a variable holding the encryptedData)"
	case env(*dataEnv) == "":
		msg = emptyVar("--data-env", *dataEnv)
	case *iv == "":
		msg = "--iv is required"
	case app == "":
		msg = "--appid is required (or set " + idVar + " to the app's only id): the data must be for one app"
	}
	if msg != "" {
		fmt.Fprintf(stderr, "taro decrypt: %s\n", msg)
		return exitUsage
	}
	// Opening does no I/O: the driver is built without the app secret
	// (a placeholder satisfies its constructor) and sends nothing.
	d, err := platforms.Driver(p, platforms.Settings{AppID: app, Secret: "offline"})
	if err != nil {
		fmt.Fprintf(stderr, "taro decrypt: %v\n", err)
		return exitUsage
	}
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{d}})
	if err != nil {
		fmt.Fprintf(stderr, "taro decrypt: %v\n", err)
		return exitUsage
	}
	res, derr := c.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: taro.Session{SessionKey: env(*keyEnv)},
		EncryptedData: env(*dataEnv), IV: *iv})
	if derr != nil {
		fmt.Fprintln(stdout, res.ErrMsg)
		fmt.Fprintf(stderr, "taro decrypt: %v\n", derr)
		return exitFor(derr)
	}
	fmt.Fprintln(stdout, string(res.Data))
	return exitOK
}

// createSecretFile makes a new file at path with mode 0600, before the
// call whose secret it will hold, so that an existing file is refused
// before a single-use code is spent.
func createSecretFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot create the file (it must not exist): %w", errors.Unwrap(err))
	}
	return f, nil
}

// varName is what a variable's name looks like.
var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// emptyVar says that the variable a flag names is empty, naming it; a
// flag's value that is no variable name (a key pasted in by mistake) is
// not echoed.
func emptyVar(flagName, v string) string {
	if !varName.MatchString(v) {
		return flagName + " must name an environment variable (letters, digits and _), not hold the value itself"
	}
	return "the variable " + v + " (named by " + flagName + ") is empty or unset"
}
