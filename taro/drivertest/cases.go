package drivertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarogo/adapter/taro"
)

type kcase struct {
	name    string
	applies func(*env) bool
	run     func(*env)
}

var cases = []kcase{
	{
		name: "trust/an answer without the platform's explicit success marker is refused",
		applies: func(e *env) bool {
			_, ok := e.h.(ProbeHarness)
			return ok && e.isAuth()
		},
		run: func(e *env) {
			ph := e.h.(ProbeHarness)
			c := e.client(e.d)
			s := e.logIn(c, "user-marker")
			eps := []Endpoint{EndpointCode2Session}
			if e.isChecker() {
				eps = append(eps, EndpointCheckSession)
			}
			for _, ep := range eps {
				ph.ClearFaults()
				// Every attempt, retries included, lacks the marker.
				if !ph.InjectProbe(ep, FaultNoMarker, 100) {
					e.t.Errorf("rule: a fake declares its success marker — the fake declares none for %s (fake.Spec.Markers)", ep)
					continue
				}
				var err error
				if ep == EndpointCheckSession {
					err = e.checkSession(e.ctx, c, s).err
				} else {
					code, cerr := ph.LoginCode(e.ctx, "user-marker")
					if cerr != nil {
						e.t.Fatal(cerr)
					}
					err = e.code2Session(e.ctx, c, code).err
				}
				ph.ClearFaults()
				if err == nil {
					e.t.Errorf("rule: only an explicit yes — the driver took a %s answer without the platform's success marker as a success", ep)
				}
			}
		},
	},
	{
		name: "secrets/an app secret the platform echoes is scrubbed from the error, errMsg and logs",
		applies: func(e *env) bool {
			_, ok := e.h.(ProbeHarness)
			return ok && e.isAuth()
		},
		run: func(e *env) {
			ph := e.h.(ProbeHarness)
			var logs bytes.Buffer
			c, err := taro.New(taro.Config{Drivers: []taro.Driver{e.d}, Retry: kitRetry,
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				e.t.Fatal(err)
			}
			if !ph.InjectProbe(EndpointCode2Session, FaultEchoSecret, 100) {
				e.t.Fatalf("the harness cannot make the fake echo the secret on %s", EndpointCode2Session)
			}
			code, err := ph.LoginCode(e.ctx, "user-echo")
			if err != nil {
				e.t.Fatal(err)
			}
			res, err := c.Code2Session(e.ctx, taro.LoginOption{Platform: e.d.Platform(), Code: code})
			ph.ClearFaults()
			if err == nil {
				e.t.Fatalf("an error answer was taken for a success")
			}
			for where, text := range map[string]string{"the error": err.Error(), "the error (%+v)": fmt.Sprintf("%+v", err),
				"errMsg": res.ErrMsg, "the logs": logs.String()} {
				for _, sec := range e.h.Secrets() {
					if sec != "" && strings.Contains(text, sec) {
						e.t.Errorf("rule: secrets stay in — %s repeats the app's secret the platform echoed (hand every secret to driverkit.Request.Secrets)", where)
					}
				}
			}
		},
	},
	{
		name: "secrets/the driver and its Config print none under any fmt verb, json.Marshal or slog",
		run: func(e *env) {
			var out []string
			values := []any{e.d}
			if ch, ok := e.h.(ConfigHarness); ok {
				if cfg := ch.Config(); cfg != nil {
					values = append(values, cfg)
				}
			}
			for _, v := range values {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
					out = append(out, fmt.Sprintf(verb, v))
				}
				if b, err := json.Marshal(v); err == nil {
					out = append(out, string(b))
				}
				for _, h := range []func(*bytes.Buffer) slog.Handler{
					func(w *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(w, nil) },
					func(w *bytes.Buffer) slog.Handler { return slog.NewTextHandler(w, nil) },
				} {
					var buf bytes.Buffer
					slog.New(h(&buf)).Info("value", "v", v, slog.Any("nested", struct{ V any }{v}))
					out = append(out, buf.String())
				}
			}
			for _, o := range out {
				noSecrets(e.t, "the driver's printed form", o, e.h.Secrets()...)
				for _, sec := range e.h.Secrets() {
					if len(sec) >= 8 && strings.Contains(o, fmt.Sprintf("%x", sec)) {
						e.t.Errorf("the driver's printed form contains a secret in hex")
					}
				}
			}
		},
	},
	{
		name: "callbacks/exactly one of Success or Fail then Complete, all given the returned result",
		run: func(e *env) {
			c := e.client(e.d)
			e.checkSession(e.ctx, c, taro.Session{OpenID: "conformance-user", SessionKey: secret("sk")})
			if e.isAuth() {
				e.code2Session(e.ctx, c, "no-such-code-"+secret("c"))
			}
		},
	},
	{
		name: "callbacks/nil callbacks are skipped and change nothing",
		run: func(e *env) {
			c := e.client(e.d)
			s := taro.Session{OpenID: "conformance-user", SessionKey: secret("sk")}
			res1, err1 := c.CheckSession(e.ctx, taro.Option{Platform: e.d.Platform(), Session: s})
			res2, err2 := c.CheckSession(e.ctx, taro.Option{Platform: e.d.Platform(), Session: s, Fail: func(taro.CallbackResult) {}})
			if res1 != res2 || taro.CodeOf(err1) != taro.CodeOf(err2) {
				t := e.t
				t.Errorf("with Fail: %+v %v; without: %+v %v: passing Fail must not change what is returned", res2, err2, res1, err1)
			}
		},
	},
	{
		name: "input/bad input is rejected with InvalidArgument naming the field, before the driver is called",
		run: func(e *env) {
			spy, n := spyOn(e.d)
			c := e.client(spy)
			p := e.d.Platform()
			long := strings.Repeat("x", 1025)
			for _, tc := range []struct {
				opt   taro.Option
				field string
			}{
				{taro.Option{Session: taro.Session{OpenID: "u", SessionKey: "k"}}, "Platform"},
				{taro.Option{Platform: p, Session: taro.Session{SessionKey: "k"}}, "Session.OpenID"},
				{taro.Option{Platform: p, Session: taro.Session{OpenID: "u"}}, "Session.SessionKey"},
				{taro.Option{Platform: p, Session: taro.Session{OpenID: long, SessionKey: "k"}}, "Session.OpenID"},
				{taro.Option{Platform: p, Session: taro.Session{OpenID: "u", SessionKey: long}}, "Session.SessionKey"},
				{taro.Option{Platform: p, Session: taro.Session{OpenID: "u\n", SessionKey: "k"}}, "Session.OpenID"},
				{taro.Option{Platform: p, Session: taro.Session{OpenID: "u", SessionKey: "k\x00"}}, "Session.SessionKey"},
				{taro.Option{Platform: p, Session: taro.Session{OpenID: "u\xff", SessionKey: "k"}}, "Session.OpenID"},
			} {
				rec := &recorder[taro.CallbackResult]{}
				tc.opt.Success, tc.opt.Fail, tc.opt.Complete = rec.cb("success"), rec.cb("fail"), rec.cb("complete")
				res, err := c.CheckSession(e.ctx, tc.opt)
				checkCall(e.t, taro.APICheckSession, rec, res, res.ErrMsg, err)
				wantCode(e.t, err, taro.CodeInvalidArgument, "bad input is the caller's bug and must be named, not sent")
				if err != nil && !strings.Contains(err.Error(), tc.field) {
					e.t.Errorf("error %q does not name the field %s", err, tc.field)
				}
			}
			if e.isAuth() {
				for _, code := range []string{"", strings.Repeat("c", 1025), "c\r"} {
					_, err := c.Code2Session(e.ctx, taro.LoginOption{Platform: p, Code: code})
					wantCode(e.t, err, taro.CodeInvalidArgument, "a bad login code is rejected before any I/O")
				}
			}
			if got := n.n.Load(); got != 0 {
				e.t.Errorf("the driver was called %d times for bad input: validation happens before any I/O", got)
			}
		},
	},
	{
		name: "context/a canceled or expired context fails with the context's error before the driver is called",
		run: func(e *env) {
			spy, n := spyOn(e.d)
			c := e.client(spy)
			s := taro.Session{OpenID: "u", SessionKey: secret("sk")}
			ctx, cancel := context.WithCancel(e.ctx)
			cancel()
			r := e.checkSession(ctx, c, s)
			if !errors.Is(r.err, context.Canceled) {
				e.t.Errorf("canceled ctx gave %v; want errors.Is(err, context.Canceled)", r.err)
			}
			wantCode(e.t, r.err, taro.CodeCanceled, "cancellation has its own code")
			dctx, dcancel := context.WithDeadline(e.ctx, time.Now().Add(-time.Second))
			defer dcancel()
			r = e.checkSession(dctx, c, s)
			if !errors.Is(r.err, context.DeadlineExceeded) {
				e.t.Errorf("expired ctx gave %v; want errors.Is(err, context.DeadlineExceeded)", r.err)
			}
			if e.isAuth() {
				_, err := c.Code2Session(ctx, taro.LoginOption{Platform: e.d.Platform(), Code: "c"})
				if !errors.Is(err, context.Canceled) {
					e.t.Errorf("Code2Session with canceled ctx gave %v", err)
				}
			}
			if got := n.n.Load(); got != 0 {
				e.t.Errorf("the driver was called %d times with a dead context", got)
			}
		},
	},
	{
		name: "errors/every failure is a *taro.Error naming the platform and API, with a defined code",
		run: func(e *env) {
			c := e.client(e.d)
			r := e.checkSession(e.ctx, c, taro.Session{OpenID: "never-logged-in", SessionKey: secret("sk")})
			if r.err == nil {
				return
			}
			var te *taro.Error
			if errors.As(r.err, &te) && te.Platform != e.d.Platform() {
				e.t.Errorf("error platform %q, want %q", te.Platform, e.d.Platform())
			}
			if !errors.Is(r.err, sentinelOf(taro.CodeOf(r.err))) {
				e.t.Errorf("errors.Is(err, sentinel of %v) is false: sentinels must match their code", taro.CodeOf(r.err))
			}
		},
	},
	{
		name: "secrets/no session key, app secret, token or signature appears in an error or errMsg",
		run: func(e *env) {
			c := e.client(e.d)
			sk := secret("SESSIONKEY")
			secrets := append([]string{sk}, e.h.Secrets()...)
			r := e.checkSession(e.ctx, c, taro.Session{OpenID: "secret-user", SessionKey: sk})
			if r.err != nil {
				noSecrets(e.t, "error", r.err.Error()+fmt.Sprintf(" %+v %#v", r.err, r.err), secrets...)
			}
			noSecrets(e.t, "errMsg", r.res.ErrMsg, secrets...)
			if e.isAuth() {
				l := e.code2Session(e.ctx, c, "bad-code-"+secret("c"))
				if l.err != nil {
					noSecrets(e.t, "Code2Session error", l.err.Error(), secrets...)
				}
				noSecrets(e.t, "Code2Session errMsg", l.res.ErrMsg, secrets...)
			}
		},
	},
	{
		name:    "unsupported/a driver with no session capability fails every call with NotSupported, never Success",
		applies: (*env).supportsNothing,
		run: func(e *env) {
			c := e.client(e.d)
			r := e.checkSession(e.ctx, c, taro.Session{OpenID: "u", SessionKey: "k"})
			wantCode(e.t, r.err, taro.CodeNotSupported, "an unsupported target must never look like a valid session")
			if want := "checkSession:fail not supported on " + string(e.d.Platform()); r.res.ErrMsg != want {
				e.t.Errorf("errMsg %q, want %q", r.res.ErrMsg, want)
			}
			_, err := c.Code2Session(e.ctx, taro.LoginOption{Platform: e.d.Platform(), Code: "c"})
			wantCode(e.t, err, taro.CodeNotSupported, "Code2Session on an unsupported target")
		},
	},
	{
		name: "native/malformed client results are InvalidArgument and never panic",
		run: func(e *env) {
			c := e.client(e.d)
			for _, raw := range []string{"", "null", "[]", "{", "\"x\"", "{\"errMsg\":5}", "{\"errMsg\":\"\"}", "{\"errMsg\":\"login:ok\"}", strings.Repeat("[", 5000)} {
				_, err := c.FromNative(e.d.Platform(), taro.APICheckSession, []byte(raw))
				want := taro.CodeInvalidArgument
				if !e.isNative() && raw != "" {
					want = taro.CodeNotSupported
				}
				wantCode(e.t, err, want, fmt.Sprintf("FromNative(%q)", raw))
			}
		},
	},
	{
		name:    "login/a platform without session keys logs in by openid alone, records the login, and answers CheckSession NotSupported",
		applies: func(e *env) bool { _, ok := e.login(); return ok && e.isKeyless() },
		run: func(e *env) {
			c := e.client(e.d)
			s := e.logIn(c, "user-keyless")
			r := e.checkSession(e.ctx, c, taro.Session{OpenID: s.OpenID, SessionKey: secret("any")})
			wantCode(e.t, r.err, taro.CodeNotSupported, "there is no session key to check: a verdict would be invented")
			r = e.checkSession(e.ctx, c, s)
			wantCode(e.t, r.err, taro.CodeNotSupported, "not InvalidArgument for the empty key: the platform has none")
			if e.isChecker() {
				e.t.Errorf("a KeylessLogin driver is a SessionChecker: it has no key to check")
			}
		},
	},
	{
		name:    "login/a fresh code logs in and the new session checks ok",
		applies: func(e *env) bool { _, ok := e.login(); return ok && !e.isKeyless() },
		run: func(e *env) {
			c := e.client(e.d)
			s := e.logIn(c, "user-ok")
			r := e.checkSession(e.ctx, c, s)
			if r.err != nil {
				e.t.Errorf("a session just issued failed its check: %v", r.err)
			}
		},
	},
	{
		name:    "login/a code is single-use: the second exchange fails with InvalidCode",
		applies: func(e *env) bool { _, ok := e.login(); return ok },
		run: func(e *env) {
			c := e.client(e.d)
			lh, _ := e.login()
			code, err := lh.LoginCode(e.ctx, "user-once")
			if err != nil {
				e.t.Fatal(err)
			}
			if l := e.code2Session(e.ctx, c, code); l.err != nil {
				e.t.Fatalf("first exchange: %v", l.err)
			}
			l := e.code2Session(e.ctx, c, code)
			wantCode(e.t, l.err, taro.CodeInvalidCode, "platforms reject a used code; the caller must login() again")
		},
	},
	{
		name:    "login/a second login rotates the key and the old session is invalid",
		applies: func(e *env) bool { _, ok := e.login(); return ok && !e.isKeyless() },
		run: func(e *env) {
			c := e.client(e.d)
			old := e.logIn(c, "user-rot")
			cur := e.logIn(c, "user-rot")
			if old.SessionKey == cur.SessionKey {
				e.t.Fatalf("the harness did not rotate the session key on a new login")
			}
			r := e.checkSession(e.ctx, c, old)
			wantCode(e.t, r.err, taro.CodeSessionInvalid, "each platform keeps one valid session_key per user")
			if r = e.checkSession(e.ctx, c, cur); r.err != nil {
				e.t.Errorf("the newest session failed its check: %v", r.err)
			}
		},
	},
	{
		name:    "login/a client that never saw the login asks the platform if it can, and otherwise says the session is unknown",
		applies: func(e *env) bool { _, ok := e.login(); return ok && !e.isKeyless() },
		run: func(e *env) {
			s := e.logIn(e.client(e.d), "user-fresh")
			other := e.client(e.d)
			r := e.checkSession(e.ctx, other, s)
			if e.isChecker() {
				if r.err != nil {
					e.t.Errorf("a platform-checked session failed on a client with an empty store: %v", r.err)
				}
				bad := e.checkSession(e.ctx, e.client(e.d), taro.Session{OpenID: s.OpenID, SessionKey: secret("wrong")})
				wantCode(e.t, bad.err, taro.CodeSessionInvalid, "the platform must reject a key it did not issue (signature mismatch)")
			} else {
				wantCode(e.t, r.err, taro.CodeSessionInvalid, "a store-only platform cannot vouch for a session it never saw")
			}
		},
	},
	{
		name:    "tokens/200 concurrent checks on a cold cache share one token fetch, and later checks reuse it",
		applies: func(e *env) bool { _, ok := e.faults(); return ok && e.isTokens() && e.isChecker() },
		run: func(e *env) {
			fh, _ := e.faults()
			c := e.client(e.d)
			s := e.logIn(c, "user-tok")
			before := fh.Requests(EndpointToken)
			var wg sync.WaitGroup
			errs := make([]error, 200)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.CheckSession(e.ctx, taro.Option{Platform: e.d.Platform(), Session: s})
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					e.t.Fatalf("concurrent check failed: %v", err)
				}
			}
			if got := fh.Requests(EndpointToken) - before; got != 1 {
				e.t.Errorf("%d token fetches for 200 concurrent callers, want 1: concurrent callers share one fetch", got)
			}
			e.checkSession(e.ctx, c, s)
			if got := fh.Requests(EndpointToken) - before; got != 1 {
				e.t.Errorf("a later check fetched again (%d fetches): tokens are cached until shortly before expiry", got)
			}
		},
	},
	{
		name:    "tokens/a rejected token is dropped, refetched once, and the call succeeds",
		applies: func(e *env) bool { _, ok := e.faults(); return ok && e.isTokens() && e.isChecker() },
		run: func(e *env) {
			fh, _ := e.faults()
			c := e.client(e.d)
			s := e.logIn(c, "user-tokinv")
			e.checkSession(e.ctx, c, s) // warm the token
			tok0, chk0 := fh.Requests(EndpointToken), fh.Requests(EndpointCheckSession)
			if !fh.InjectFault(EndpointCheckSession, FaultTokenInvalid, 1) {
				e.t.Fatal("harness cannot inject token_invalid on checksession")
			}
			if r := e.checkSession(e.ctx, c, s); r.err != nil {
				e.t.Errorf("check after one token-invalid answer failed: %v", r.err)
			}
			if got := fh.Requests(EndpointToken) - tok0; got != 1 {
				e.t.Errorf("%d token fetches after a token-invalid answer, want exactly 1", got)
			}
			if got := fh.Requests(EndpointCheckSession) - chk0; got != 2 {
				e.t.Errorf("%d check requests, want 2 (the rejected one and one retry)", got)
			}
			fh.InjectFault(EndpointCheckSession, FaultTokenInvalid, 10)
			r := e.checkSession(e.ctx, c, s)
			wantCode(e.t, r.err, taro.CodeTokenInvalid, "a token rejected again after the refetch is not retried forever")
			fh.ClearFaults()
		},
	},
	{
		name:    "faults/each injected fault gives its documented code, with bounded retries and callbacks once",
		applies: func(e *env) bool { _, ok := e.faults(); return ok },
		run: func(e *env) {
			fh, _ := e.faults()
			for _, f := range Faults() {
				e.t.Run(string(f), func(t *testing.T) {
					sub := &env{t: t, ctx: e.ctx, h: e.h, d: e.d}
					runFault(sub, fh, f)
				})
			}
		},
	},
}
