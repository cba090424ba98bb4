package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// demoStep is one row of the demo: what was done, what came back, how it
// was decided, and whether that is what the documentation promises.
type demoStep struct {
	Platform  taro.Platform `json:"platform"`
	Step      string        `json:"step"`
	ErrMsg    string        `json:"errMsg"`
	Code      string        `json:"code"`
	DecidedBy string        `json:"decidedBy"`
	LatencyMS float64       `json:"latencyMs"`
	Expected  string        `json:"expected"`
	OK        bool          `json:"ok"`
}

func runDemo(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", stderr,
		"usage: taro demo [--json] [--no-color] [--redis]",
		"",
		"Starts the sandbox in-process and walks every platform,",
		"  "+platformList()+",",
		"through login code → Code2Session → CheckSession → a second login rotating the key →",
		"the old session rejected → a busy fault retried; then h5, rn and harmony fail with",
		"not-supported. No network, no credentials. Exits 0 when every step behaved as documented.",
		"",
		"Example:",
		"  go run ./cmd/taro demo",
		"  go run ./cmd/taro demo --json | jq -c 'select(.ok == false)'",
		"",
		"Flags:")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a table")
	noColor := fs.Bool("no-color", false, "never colour the output (NO_COLOR is honoured too)")
	useRedis := fs.Bool("redis", false, "keep tokens and sessions in the Redis at $TARO_REDIS_URL, shared by the demo's replicas")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	var st *redisstore.Store
	if *useRedis {
		u := env("TARO_REDIS_URL")
		if u == "" {
			fmt.Fprintln(stderr, "taro demo: --redis needs TARO_REDIS_URL (redis://[user:password@]host:port/db)")
			return exitUsage
		}
		var err error
		// A prefix of its own keeps the demo's keys apart from anything else.
		if st, err = redisstore.Open(u, redisstore.Options{Prefix: fmt.Sprintf("taro-demo:%d:", time.Now().UnixNano())}); err != nil {
			fmt.Fprintf(stderr, "taro demo: %v\n", err)
			return storeExit(err)
		}
		defer st.Close()
	}
	steps, err := demo(ctx, st)
	if err != nil {
		fmt.Fprintf(stderr, "taro demo: %v\n", err)
		return exitFail
	}
	failed := 0
	for _, s := range steps {
		if !s.OK {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		// The first line says which build produced the rest.
		_ = enc.Encode(struct {
			Version versionInfo `json:"version"`
		}{buildInfo()})
		for _, s := range steps {
			_ = enc.Encode(s)
		}
	} else {
		color := !*noColor && env("NO_COLOR") == "" && isTerminal(stdout)
		printTable(stdout, steps, color)
		if failed == 0 {
			fmt.Fprintf(stdout, "\nall %d steps behaved as documented\n", len(steps))
		} else {
			fmt.Fprintf(stdout, "\n%d of %d steps did NOT behave as documented\n", failed, len(steps))
		}
	}
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// printTable prints two lines a step, to fit an 80-column terminal: the
// step, its code, who answered and how long it took; then, indented, the
// errMsg a mini program would see.
func printTable(w io.Writer, steps []demoStep, color bool) {
	wp, ws, wc, wd := len("PLATFORM"), len("STEP"), len("CODE"), len("ANSWERED BY")
	for _, s := range steps {
		wp = max(wp, len(s.Platform))
		ws = max(ws, utf8.RuneCountInString(s.Step))
		wc = max(wc, len(s.Code))
		wd = max(wd, utf8.RuneCountInString(shortDecided(s.DecidedBy)))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s))) }
	fmt.Fprintf(w, "%s  %s  %s  %s  %s  TIME\n", pad("", 4), pad("PLATFORM", wp), pad("STEP", ws), pad("CODE", wc), pad("ANSWERED BY", wd))
	for _, s := range steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		if color {
			if s.OK {
				mark = "\x1b[32m" + mark + "\x1b[0m"
			} else {
				mark = "\x1b[31m" + mark + "\x1b[0m"
			}
		}
		latency := fmt.Sprintf("%.1fms", s.LatencyMS)
		if s.LatencyMS >= 100 {
			latency = fmt.Sprintf("%.0fms", s.LatencyMS)
		}
		fmt.Fprintf(w, "%s  %s  %s  %s  %s  %s\n", mark, pad(string(s.Platform), wp), pad(s.Step, ws), pad(s.Code, wc), pad(shortDecided(s.DecidedBy), wd), latency)
		msg := s.ErrMsg
		if !s.OK {
			msg += "   (want " + s.Expected + ")"
		}
		fmt.Fprintf(w, "%s%s\n", strings.Repeat(" ", 6), msg)
	}
}

// shortDecided abbreviates "platform checksession, 2 requests" to
// "checksession ×2" for the table.
func shortDecided(d string) string {
	d = strings.TrimPrefix(d, "platform ")
	if ep, n, ok := strings.Cut(d, ", "); ok {
		return ep + " ×" + strings.TrimSuffix(n, " requests")
	}
	return d
}

// demo runs every step and reports each; an error means the demo itself
// could not run.
//
// With a store, every client (the main one and each "replica") shares it.
func demo(ctx context.Context, st *redisstore.Store) ([]demoStep, error) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	// Drivers hold no per-client state: the main client and each
	// "replica" share them, and nothing else.
	var ds []taro.Driver
	serverCheck := map[taro.Platform]bool{}
	phones := map[taro.Platform]bool{}  // phone numbers by code
	keyless := map[taro.Platform]bool{} // no session key (Alipay, DingTalk)
	opens := map[taro.Platform]bool{}   // client data the server opens
	for _, p := range serverPlatforms {
		app := sb.App(p)
		set := sandbox.AppSettings(app, sb.BaseURL(p), sb.HTTPClient())
		d, err := platforms.Driver(p, set)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
		phones[p] = driver.Has(d, driver.CapPhoneNumber)
		keyless[p] = driver.TraitsOf(d).Keyless
		opens[p] = driver.Has(d, driver.CapDecrypter)
		serverCheck[p] = hasServerCheck(d)
	}
	newClient := func() (*taro.Client, error) {
		cfg := taro.Config{Drivers: ds, Retry: taro.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}}
		if st != nil {
			cfg.Sessions, cfg.Tokens = st, st
		}
		return taro.New(cfg)
	}
	client, err := newClient()
	if err != nil {
		return nil, err
	}
	var steps []demoStep
	record := func(p taro.Platform, step string, want taro.Code, start time.Time, errMsg string, err error, decided string) {
		got := taro.CodeOf(err)
		var te *taro.Error
		if errors.As(err, &te) && te.Detail == taro.DetailStoreUnavailable {
			decided = "session store" // the platform answered; the store failed
		}
		steps = append(steps, demoStep{Platform: p, Step: step, ErrMsg: errMsg, Code: got.String(), DecidedBy: decided,
			LatencyMS: float64(time.Since(start).Microseconds()) / 1000, Expected: want.String(), OK: got == want})
	}
	// decided says who answered, from the sandbox's request counters.
	decided := func(p taro.Platform, ep sandbox.Endpoint, before int) string {
		switch n := sb.Requests(p, ep) - before; {
		case n == 0:
			return "session store"
		case n == 1 && ep == sandbox.PhoneNumber:
			return "platform phone"
		case n == 1:
			return "platform " + string(ep)
		default:
			return fmt.Sprintf("platform %s, %d requests", ep, n)
		}
	}
	login := func(c *taro.Client, p taro.Platform, step string) (taro.Session, bool) {
		code, err := sb.Login(p, "demo-user")
		if err != nil {
			return taro.Session{}, false
		}
		before, start := sb.Requests(p, sandbox.Code2Session), time.Now()
		res, err := c.Code2Session(ctx, taro.LoginOption{Platform: p, Code: code})
		record(p, step, taro.CodeOK, start, res.ErrMsg, err, decided(p, sandbox.Code2Session, before))
		return res.Session, err == nil
	}
	check := func(c *taro.Client, p taro.Platform, step string, s taro.Session, want taro.Code) {
		before, start := sb.Requests(p, sandbox.CheckSession), time.Now()
		res, err := c.CheckSession(ctx, taro.Option{Platform: p, Session: s})
		record(p, step, want, start, res.ErrMsg, err, decided(p, sandbox.CheckSession, before))
	}

	for _, p := range serverPlatforms {
		first, ok := login(client, p, "Code2Session (a code)")
		if !ok {
			continue
		}
		if keyless[p] {
			// No session key: no check to make, no data to open; on
			// Alipay the phone number comes signed and encrypted from the
			// client.
			check(client, p, "CheckSession: no key", first, taro.CodeNotSupported)
			if phones[p] {
				resp, err := sb.PhoneCode(p, "demo-user", "13800138000")
				if err != nil {
					return nil, err
				}
				start := time.Now()
				ph, err := client.GetPhoneNumber(ctx, taro.PhoneOption{Platform: p, Response: resp, OpenID: "demo-user"})
				record(p, "GetPhoneNumber, signed", taro.CodeOK, start, ph.ErrMsg, err, "no I/O")
			}
			login(client, p, "2nd login")
			if err := sb.Inject(p, sandbox.Code2Session, sandbox.Busy, 1); err != nil {
				return nil, err
			}
			login(client, p, "busy answer retried")
			continue
		}
		check(client, p, "CheckSession", first, taro.CodeOK)

		// What a client API (getUserInfo …) hands over, opened with the key.
		var data, iv string
		if opens[p] {
			var err error
			data, iv, err = sb.Encrypt(p, "demo-user", []byte(`{"nickName":"demo","gender":1}`))
			if err != nil {
				return nil, err
			}
			start := time.Now()
			dec, err := client.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: first, EncryptedData: data, IV: iv})
			record(p, "Decrypt encryptedData", taro.CodeOK, start, dec.ErrMsg, err, "no I/O")
		}
		if phones[p] {
			code, err := sb.PhoneCode(p, "demo-user", "13800138000")
			if err != nil {
				return nil, err
			}
			before, start := sb.Requests(p, sandbox.PhoneNumber), time.Now()
			ph, err := client.GetPhoneNumber(ctx, taro.PhoneOption{Platform: p, Code: code})
			record(p, "GetPhoneNumber by code", taro.CodeOK, start, ph.ErrMsg, err, decided(p, sandbox.PhoneNumber, before))
		}
		second, ok := login(client, p, "2nd login: a new key")
		if !ok {
			continue
		}
		if second.SessionKey == first.SessionKey {
			steps = append(steps, demoStep{Platform: p, Step: "key rotated", Expected: "a new key", ErrMsg: "same key twice"})
		}
		check(client, p, "CheckSession, old key", first, taro.CodeSessionInvalid)
		if opens[p] {
			start := time.Now()
			dec, err := client.Decrypt(ctx, taro.DecryptOption{Platform: p, Session: second, EncryptedData: data, IV: iv})
			record(p, "Decrypt, old key", taro.CodeSessionInvalid, start, dec.ErrMsg, err, "no I/O")
		}
		replica, err := newClient()
		if err != nil {
			return nil, err
		}
		step := "replica without login"
		if st != nil {
			step = "replica sharing Redis"
		}
		check(replica, p, step, first, taro.CodeSessionInvalid)

		// One busy answer, retried: on the check where the platform
		// checks, on the login where the store does.
		ep := sandbox.CheckSession
		if !serverCheck[p] {
			ep = sandbox.Code2Session
		}
		if err := sb.Inject(p, ep, sandbox.Busy, 1); err != nil {
			return nil, err
		}
		if ep == sandbox.CheckSession {
			check(client, p, "busy answer retried", second, taro.CodeOK)
		} else {
			login(client, p, "busy answer retried")
		}
	}
	for _, p := range []taro.Platform{taro.H5, taro.RN, taro.Harmony} {
		start := time.Now()
		res, err := client.CheckSession(ctx, taro.Option{Platform: p, Session: taro.Session{OpenID: "demo-user", SessionKey: "k"}})
		record(p, "CheckSession", taro.CodeNotSupported, start, res.ErrMsg, err, "portable layer")
	}
	return steps, nil
}

// newFlags is a command's flag set: errors go to stderr, and its help is
// the text of help (as lines formats it) followed by the flags.
func newFlags(name string, stderr io.Writer, help ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	text := lines(help...)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), text)
		printDefaults(fs)
	}
	return fs
}

// parseFlags parses a command's args, which must all be flags. When the
// command stops there (help, a bad flag, an argument), it says so on
// stderr and returns false with the exit code.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	if err := fs.Parse(args); err != nil {
		return flagExit(err), false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "taro %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}

// flagExit maps a flag parsing error to an exit code: --help is success.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
