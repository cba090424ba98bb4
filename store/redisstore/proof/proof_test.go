package proof

// Proofs that several replicas sharing one Redis behave as one: each test
// asserts numbers, runs on loopback only, and is bounded in count and time.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// summarize describes errs in one short line: how many, by code, and the
// first; "" when there are none. A failing load assertion prints this, not
// thousands of errors.
func summarize(errs []error) string {
	if len(errs) == 0 {
		return ""
	}
	byCode := map[taro.Code]int{}
	for _, err := range errs {
		byCode[taro.CodeOf(err)]++
	}
	first := errs[0].Error()
	if len(first) > 300 {
		first = first[:300] + "…"
	}
	return fmt.Sprintf("%d errors %v; first: %s", len(errs), byCode, first)
}

func TestStampedeFetchesOneTokenAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, p := range []taro.Platform{taro.Weapp, taro.TT} {
		for _, tokenInvalidOnce := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/token-invalid-once=%v", p, tokenInvalidOnce), func(t *testing.T) {
				// The proof counts fetches, not latency: a loaded machine
				// may take longer than the default 2s per Redis call.
				st, _ := redistest.Store(t, redisstore.Options{OpTimeout: 30 * time.Second})
				sb := sandbox.NewServer(sandbox.Options{})
				defer sb.Close()
				var replicas []*taro.Client
				for range 4 {
					replicas = append(replicas, redistest.Replica(t, sb, p, st, nil))
				}
				s := redistest.Login(t, sb, replicas[0], p, "stampede-user")
				if tokenInvalidOnce {
					require.NoError(t, sb.Inject(p, sandbox.CheckSession, sandbox.TokenInvalid, 1))
				}
				var wg sync.WaitGroup
				var mu sync.Mutex
				var errs []error
				start := make(chan struct{})
				for _, c := range replicas {
					for range 500 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
							defer cancel()
							if _, err := c.CheckSession(ctx, taro.Option{Platform: p, Session: s}); err != nil {
								mu.Lock()
								errs = append(errs, err)
								mu.Unlock()
							}
						}()
					}
				}
				close(start)
				wg.Wait()
				require.Empty(t, summarize(errs), "failed checks")
				want := 1
				if tokenInvalidOnce {
					want = 2
				}
				assert.Equal(t, want, sb.Requests(p, sandbox.Token), "token fetches for 2000 concurrent checks on 4 replicas")
				assert.Equal(t, 2000+want-1, sb.Requests(p, sandbox.CheckSession))
				t.Logf("%s: %d token fetch(es) for 2000 checks across 4 replicas; %d check requests", p, sb.Requests(p, sandbox.Token), sb.Requests(p, sandbox.CheckSession))
			})
		}
	}
}

func TestLoadWithOnePercentBusy(t *testing.T) {
	t.Parallel()
	// Counts, not latency: no Redis call may fail for being slow on a
	// loaded machine.
	st, rdb := redistest.Store(t, redisstore.Options{OpTimeout: time.Minute})
	sb := sandbox.NewServer(sandbox.Options{})
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{redistest.MakeDriver(t, sb, taro.Weapp, hc)}, Tokens: st, Sessions: st,
		// A retry lands on a random request number, so about one in a
		// hundred retries meets the next busy answer too: with 3 attempts
		// a run fails about once in a hundred. Eight attempts make an
		// exhausted check a one-in-10^12 event, and the count below still
		// holds: every busy answer costs exactly one more request.
		Retry: taro.RetryPolicy{MaxAttempts: 8, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	require.NoError(t, err)
	s := redistest.Login(t, sb, c, taro.Weapp, "load-user")
	baseline := runtime.NumGoroutine()

	require.NoError(t, sb.InjectEvery(taro.Weapp, sandbox.CheckSession, sandbox.Busy, 100))
	const calls, workers = 10_000, 64
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if _, err := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: s}); err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}
		}()
	}
	start := time.Now()
	for range calls {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	assert.Empty(t, summarize(failures), "unexpected errors")
	checks := sb.Requests(taro.Weapp, sandbox.CheckSession)
	assert.Equal(t, calls+checks/100, checks, "every busy answer was retried, and every check succeeded")
	t.Logf("%d checks at concurrency %d in %v (%d platform requests, %d busy answers retried)", calls, workers, elapsed, checks, checks/100)

	// Release what the test itself holds open: the sandbox, the HTTP
	// client's idle connections and the Redis pool (whose connections
	// miniredis serves with a goroutine each). What remains above the
	// baseline would be the library's.
	sb.Close()
	hc.CloseIdleConnections()
	rdb.Close()
	ok := assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseline }, 10*time.Second, 20*time.Millisecond,
		"goroutines left behind: %d now, %d before the load", runtime.NumGoroutine(), baseline)
	if !ok {
		buf := make([]byte, 1<<20)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
}

func TestNoSecretOnAnyErrorPath(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer // the platforms log side by side
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	apps := map[taro.Platform]sandbox.App{}
	defaults := sandbox.New(sandbox.Options{})
	for _, p := range sandbox.Platforms() {
		a := defaults.App(p)
		a.ID = "app-" + string(p)
		if a.Secret != "" { // a platform that signs with a private key keeps its keys
			a.Secret = "APPSECRET-" + string(p) + "-7f3a9c"
		}
		apps[p] = a
	}
	defaults.Close()
	st, _ := redistest.Store(t, redisstore.Options{})

	var mu sync.Mutex // guards texts, secrets and tokens
	var texts, tokens []string
	secrets := []string{}
	add := func(to *[]string, v ...string) {
		mu.Lock()
		*to = append(*to, v...)
		mu.Unlock()
	}
	// The platforms run side by side, each on a sandbox of its own (a
	// fault is the sandbox's, and ClearFaults clears them all).
	t.Run("platforms", func(t *testing.T) {
		for _, p := range sandbox.Platforms() {
			t.Run(string(p), func(t *testing.T) {
				t.Parallel()
				sb := sandbox.NewServer(sandbox.Options{Apps: apps, SlowDelay: time.Second})
				defer sb.Close()
				c := redistest.Replica(t, sb, p, st, logger)
				s := redistest.Login(t, sb, c, p, "secret-user")
				add(&secrets, apps[p].Secret, s.SessionKey, driverkit.SignLoginState(s.SessionKey, ""))
				_, _ = c.CheckSession(context.Background(), taro.Option{Platform: p, Session: s}) // fetches a token where there is one
				for _, kind := range sandbox.FaultKinds() {
					for _, ep := range []sandbox.Endpoint{sandbox.Code2Session, sandbox.CheckSession, sandbox.Token} {
						if sb.Inject(p, ep, kind, 10) != nil {
							continue
						}
						ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
						if ep == sandbox.Token {
							sb.ExpireTokens(p) // force a refetch into the fault
						}
						res, err := c.CheckSession(ctx, taro.Option{Platform: p, Session: s})
						add(&texts, res.ErrMsg, fmt.Sprint(err), fmt.Sprintf("%+v %#v", err, err))
						code, _ := sb.Login(p, "secret-user-2")
						lres, err := c.Code2Session(ctx, taro.LoginOption{Platform: p, Code: code})
						add(&texts, lres.ErrMsg, fmt.Sprint(err), fmt.Sprintf("%+v %#v %v", err, lres, lres))
						cancel()
						sb.ClearFaults()
					}
				}
				// Wrong credentials and a wrong key.
				wrong := apps[p].Secret + "-wrong"
				if apps[p].Secret == "" {
					wrong = otherRSAKey(t)
				}
				bad := makeDriverWithSecret(t, sb, p, wrong)
				bc, _ := taro.New(taro.Config{Drivers: []taro.Driver{bad}, Retry: redistest.Fast, Logger: logger})
				code, _ := sb.Login(p, "secret-user-3")
				_, err := bc.Code2Session(context.Background(), taro.LoginOption{Platform: p, Code: code})
				add(&texts, fmt.Sprint(err))
				add(&secrets, wrong)
				if apps[p].PrivateKey != "" {
					add(&secrets, apps[p].PrivateKey, apps[p].AESKey)
				}
				res, err := c.CheckSession(context.Background(), taro.Option{Platform: p, Session: taro.Session{OpenID: "secret-user", SessionKey: "WRONG-KEY-9d2e"}})
				add(&texts, res.ErrMsg, fmt.Sprint(err))
				add(&secrets, "WRONG-KEY-9d2e")
				add(&texts, fmt.Sprintf("%v %+v %#v", bad, bad, bad))
				add(&tokens, sb.IssuedTokens(p)...)
			})
		}
	})
	// Every access token the platforms issued.
	require.GreaterOrEqual(t, len(tokens), 2, "tokens were fetched")
	secrets = append(secrets, tokens...)
	texts = append(texts, logs.String())
	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		if s == "" {
			continue // Alipay has no app secret and no session key
		}
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("a secret leaked, in: %q", all[max(0, i-200):min(len(all), i+len(s)+50)])
		}
	}
	t.Logf("%d texts from every error path checked against %d secret values", len(texts), len(secrets))
	assert.Contains(t, all, "platform unavailable", "the error paths were driven")
	assert.Contains(t, all, "app credentials rejected")
}

func makeDriverWithSecret(t testing.TB, sb *sandbox.Sandbox, p taro.Platform, secret string) taro.Driver {
	t.Helper()
	app := sb.App(p)
	s := sandbox.AppSettings(app, sb.BaseURL(p), nil)
	if p == taro.TT {
		s = s.With("MiniGame", "1")
	}
	s.Secret = secret
	if app.Secret == "" {
		s.Options["PrivateKey"] = secret // a platform whose secret is its private key
	}
	d, err := platforms.Driver(p, s)
	require.NoError(t, err)
	return d
}

// otherRSAKey is a fresh RSA private key (PEM): wrong credentials for a
// platform whose secret is its private key.
func otherRSAKey(t testing.TB) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
