package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// oneShotFlags are the flags check and login share.
type oneShotFlags struct {
	fs       *flag.FlagSet
	platform *string
	baseURL  *string
	timeout  *time.Duration
	redis    *bool
}

func newOneShotFlags(name string, stderr io.Writer, help string) *oneShotFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &oneShotFlags{fs: fs,
		platform: fs.String("platform", "", "platform: "+platformList()+" (required)"),
		baseURL:  fs.String("base-url", "", "send requests here instead of the platform (e.g. a taro sandbox base URL)"),
		timeout:  fs.Duration("timeout", 15*time.Second, "give up after this long"),
		redis:    fs.Bool("redis", false, "share tokens and session records with your services through the Redis at $TARO_REDIS_URL"),
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		fs.PrintDefaults()
	}
	return f
}

// client parses args and builds a client for the chosen platform from the
// environment; it prints what is wrong and returns a nil client and a
// non-zero code when it cannot. The returned func releases the Redis
// connection, if any.
func (f *oneShotFlags) client(args []string, env func(string) string, stderr io.Writer) (*taro.Client, taro.Driver, func(), int) {
	noop := func() {}
	if err := f.fs.Parse(args); err != nil {
		return nil, nil, noop, flagExit(err)
	}
	name := f.fs.Name()
	if f.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "taro %s: unexpected argument %q\n", name, f.fs.Arg(0))
		return nil, nil, noop, exitUsage
	}
	p := taro.Platform(*f.platform)
	if p == "" {
		fmt.Fprintf(stderr, "taro %s: --platform is required; valid platforms: %s\n", name, platformList())
		return nil, nil, noop, exitUsage
	}
	if !slices.Contains(serverPlatforms, p) {
		fmt.Fprintf(stderr, "taro %s: unknown platform %q; valid platforms: %s\n", name, p, platformList())
		return nil, nil, noop, exitUsage
	}
	idVar, secretVar := envNames(p)
	appID, secret := env(idVar), env(secretVar)
	if appID == "" || secret == "" {
		missing := idVar
		if appID != "" {
			missing = secretVar
		}
		fmt.Fprintf(stderr, "taro %s: missing credentials: %s is not set (%s needs %s and %s)\n", name, missing, p, idVar, secretVar)
		return nil, nil, noop, exitUsage
	}
	d, err := newDriver(p, appID, secret, *f.baseURL, nil)
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
			return nil, nil, noop, exitUsage
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

func runCheck(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	f := newOneShotFlags("check", stderr, lines(
		"usage: taro check --platform P --openid ID --session-key-env VAR [--base-url URL]",
		"",
		"Asks the platform whether a session is valid. The app id and secret come from",
		"TARO_<PLATFORM>_APPID and TARO_<PLATFORM>_SECRET (e.g. TARO_WEAPP_APPID), the session key",
		"from the variable --session-key-env names: secrets never go on the command line. Only",
		"weapp and tt have a server-side check; qq and swan are answered by a session store: pass",
		"--redis to ask the one your services share at $TARO_REDIS_URL. Exit status: 0 valid, 1 not,",
		"2 usage.",
		"",
		"Example:",
		"  TARO_WEAPP_APPID=wx.. TARO_WEAPP_SECRET=.. SK=.. taro check --platform weapp --openid o6zAJs.. --session-key-env SK",
		"",
		"Flags:"))
	openid := f.fs.String("openid", "", "the user's openid (required)")
	keyEnv := f.fs.String("session-key-env", "", "name of the environment variable holding the session key (required)")
	c, d, closeStore, code := f.client(args, env, stderr)
	if c == nil {
		return code
	}
	defer closeStore()
	switch {
	case *openid == "":
		fmt.Fprintln(stderr, "taro check: --openid is required")
		return exitUsage
	case *keyEnv == "":
		fmt.Fprintln(stderr, "taro check: --session-key-env is required (the name of a variable holding the session key)")
		return exitUsage
	case env(*keyEnv) == "":
		fmt.Fprintf(stderr, "taro check: the variable %s is empty or unset\n", *keyEnv)
		return exitUsage
	case !hasServerCheck(d) && !*f.redis:
		fmt.Fprintf(stderr, "taro check: %s documents no server-side session check; only a session store can answer (pass --redis to ask the one your services share)\n", d.Platform())
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	res, err := c.CheckSession(ctx, taro.Option{Platform: d.Platform(), Session: taro.Session{OpenID: *openid, SessionKey: env(*keyEnv)}})
	fmt.Fprintln(stdout, res.ErrMsg)
	if err != nil {
		fmt.Fprintf(stderr, "taro check: %v\n", err)
		return exitFail
	}
	return exitOK
}

func runLogin(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	f := newOneShotFlags("login", stderr, lines(
		"usage: taro login --platform P --code CODE [--anonymous-code CODE] [--base-url URL]",
		"",
		"Exchanges a login code (from the mini program's login()) for a session and prints the",
		"openid, unionid and the SHA-256 fingerprint of the session key — never the key itself.",
		"Credentials come from TARO_<PLATFORM>_APPID and TARO_<PLATFORM>_SECRET. With --redis the",
		"login is recorded in the session store your services share at $TARO_REDIS_URL.",
		"",
		"Example:",
		"  TARO_QQ_APPID=.. TARO_QQ_SECRET=.. taro login --platform qq --code 0a1b2c..",
		"",
		"Flags:"))
	code := f.fs.String("code", "", "the login code")
	anon := f.fs.String("anonymous-code", "", "the anonymous login code (tt only)")
	c, d, closeStore, rc := f.client(args, env, stderr)
	if c == nil {
		return rc
	}
	defer closeStore()
	if *code == "" && *anon == "" {
		fmt.Fprintln(stderr, "taro login: --code (or, on tt, --anonymous-code) is required")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: d.Platform(), Code: *code, AnonymousCode: *anon})
	fmt.Fprintln(stdout, res.ErrMsg)
	if err != nil {
		fmt.Fprintf(stderr, "taro login: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "openid: %s\n", res.OpenID)
	if res.UnionID != "" {
		fmt.Fprintf(stdout, "unionid: %s\n", res.UnionID)
	}
	if res.AnonymousOpenID != "" {
		fmt.Fprintf(stdout, "anonymous_openid: %s\n", res.AnonymousOpenID)
	}
	fmt.Fprintf(stdout, "session_key: [redacted], sha256 %s\n", taro.FingerprintOf(res.Session.SessionKey))
	return exitOK
}
