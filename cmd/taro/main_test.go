package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func runArgs(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestDemo(t *testing.T) {
	code, out, errOut := runArgs(t, nil, "demo")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	table := out
	for _, line := range strings.Split(out, "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 80, "the table fits 80 columns: %q", line)
	}
	for _, p := range append(platforms.Names(), taro.H5, taro.RN, taro.Harmony) {
		assert.Contains(t, out, " "+string(p)+" ", "every platform of the bundle is walked")
	}
	assert.NotContains(t, out, "\x1b[", "no colour when stdout is not a terminal")
	assert.Contains(t, out, "checkSession:fail not supported on harmony")

	code, out, _ = runArgs(t, nil, "demo", "--json")
	require.Equal(t, exitOK, code)
	sc := bufio.NewScanner(strings.NewReader(out))
	require.True(t, sc.Scan())
	var first struct{ Version versionInfo }
	require.NoError(t, json.Unmarshal(sc.Bytes(), &first))
	assert.Equal(t, "github.com/tarogo/adapter", first.Version.Module, "the first line names the build")
	assert.NotEmpty(t, first.Version.Go)
	n := 0
	for sc.Scan() {
		var s demoStep
		require.NoError(t, json.Unmarshal(sc.Bytes(), &s))
		assert.True(t, s.OK, "%+v", s)
		n++
	}
	// At least six steps a platform with a session key (eight where the
	// server opens client data, nine where phone numbers go by code),
	// four on one without (Alipay, DingTalk), and three not-supported
	// targets.
	least := 3
	for _, p := range platforms.Names() {
		if pl, _ := driver.LookupPlugin(p); pl.Keyless {
			least += 4
		} else {
			least += 6
		}
	}
	assert.GreaterOrEqual(t, n, least)
	assert.Contains(t, table, fmt.Sprintf("all %d steps behaved as documented", n))
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		wantErr string
	}{
		{"no command", nil, nil, exitUsage, "usage: taro <command>"},
		{"unknown command", nil, []string{"deploy"}, exitUsage, `unknown command "deploy"`},
		{"bad flag", nil, []string{"demo", "--colour"}, exitUsage, "flag provided but not defined"},
		{"stray argument", nil, []string{"demo", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"check without platform", nil, []string{"check"}, exitUsage, "--platform is required; valid platforms: " + platformList()},
		{"unknown platform lists the valid ones", nil, []string{"check", "--platform", "wechatpay"}, exitUsage, "valid platforms: " + platformList()},
		{"the first missing flag is named before the credentials", nil, []string{"check", "--platform", "weapp"}, exitUsage, "--openid is required"},
		{"missing credentials name the variable", map[string]string{"SK": "k"}, []string{"check", "--platform", "weapp", "--openid", "o", "--session-key-env", "SK"}, exitUsage, "TARO_WEAPP_APPID is not set"},
		{"decrypt needs the data variable", map[string]string{"SK": "k"}, []string{"decrypt", "--platform", "weapp", "--session-key-env", "SK"}, exitUsage, "--data-env is required"},
		{"decrypt needs the iv", map[string]string{"SK": "k", "D": "d"}, []string{"decrypt", "--platform", "weapp", "--session-key-env", "SK", "--data-env", "D"}, exitUsage, "--iv is required"},
		{"decrypt needs the app", map[string]string{"SK": "k", "D": "d"}, []string{"decrypt", "--platform", "weapp", "--session-key-env", "SK", "--data-env", "D", "--iv", "i"}, exitUsage, "--appid is required"},
		{"decrypt has no network flags", nil, []string{"decrypt", "--redis"}, exitUsage, "flag provided but not defined: -redis"},
		{"version takes no argument", nil, []string{"version", "x"}, exitUsage, `unexpected argument "x"`},
		{"missing secret names the variable", map[string]string{"TARO_TT_APPID": "a"}, []string{"login", "--platform", "tt", "--code", "c"}, exitUsage, "TARO_TT_SECRET is not set"},
		{"check needs an openid", map[string]string{"TARO_WEAPP_APPID": "a", "TARO_WEAPP_SECRET": "s"}, []string{"check", "--platform", "weapp"}, exitUsage, "--openid is required"},
		{"check needs a key variable", map[string]string{"TARO_WEAPP_APPID": "a", "TARO_WEAPP_SECRET": "s"}, []string{"check", "--platform", "weapp", "--openid", "o"}, exitUsage, "--session-key-env is required"},
		{"an empty key variable", map[string]string{"TARO_WEAPP_APPID": "a", "TARO_WEAPP_SECRET": "s"}, []string{"check", "--platform", "weapp", "--openid", "o", "--session-key-env", "SK"}, exitUsage, "the variable SK (named by --session-key-env) is empty or unset"},
		{"a key pasted for a variable's name", map[string]string{"TARO_WEAPP_APPID": "a", "TARO_WEAPP_SECRET": "s"}, []string{"check", "--platform", "weapp", "--openid", "o", "--session-key-env", "HyVFkGl5F5OQWJZZaNzBBg=="}, exitUsage, "must name an environment variable"},
		{"check on a keyless platform, before credentials", nil, []string{"check", "--platform", "alipay"}, exitUsage, "not supported on alipay"},
		{"decrypt on a keyless platform, before --appid", nil, []string{"decrypt", "--platform", "alipay"}, exitUsage, "not supported on alipay"},
		{"no one-shot check on qq", map[string]string{"TARO_QQ_APPID": "a", "TARO_QQ_SECRET": "s", "SK": "k"}, []string{"check", "--platform", "qq", "--openid", "o", "--session-key-env", "SK"}, exitUsage, "qq documents no server-side session check"},
		{"login needs a code", map[string]string{"TARO_QQ_APPID": "a", "TARO_QQ_SECRET": "s"}, []string{"login", "--platform", "qq"}, exitUsage, "--code"},
		{"a bad base URL", map[string]string{"TARO_QQ_APPID": "a", "TARO_QQ_SECRET": "s"}, []string{"login", "--platform", "qq", "--code", "c", "--base-url", "ftp://x"}, exitUsage, "BaseURL"},
		{"sandbox on a bad address", nil, []string{"sandbox", "--addr", "256.0.0.1:x"}, exitUsage, "taro sandbox:"},
		{"several apps need --appid", map[string]string{"TARO_QQ_APPID": "a,b", "TARO_QQ_SECRET": "s1,s2"}, []string{"login", "--platform", "qq", "--code", "c"}, exitUsage, "several apps are configured (a, b): choose one with --appid"},
		{"an --appid not configured", map[string]string{"TARO_QQ_APPID": "a,b", "TARO_QQ_SECRET": "s1,s2"}, []string{"login", "--platform", "qq", "--code", "c", "--appid", "z"}, exitUsage, `--appid "z" is not among the configured apps (a, b)`},
		{"lists of different lengths", map[string]string{"TARO_QQ_APPID": "a,b", "TARO_QQ_SECRET": "s1"}, []string{"login", "--platform", "qq", "--code", "c"}, exitUsage, "TARO_QQ_APPID lists 2 apps and TARO_QQ_SECRET 1 secrets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runArgs(t, tt.env, tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errOut, tt.wantErr)
			assert.NotContains(t, out+errOut, "HyVFkGl5F5OQWJZZaNzBBg==", "a pasted key is never echoed")
		})
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runArgs(t, nil, "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "sandbox")
	for _, cmd := range []string{"demo", "sandbox", "check", "login", "decrypt", "version"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, errOut := runArgs(t, nil, cmd, "--help")
			assert.Equal(t, exitOK, code)
			assert.Contains(t, errOut, "usage: taro "+cmd)
			assert.Contains(t, errOut, "Example:")
			for _, p := range platforms.Names() {
				if cmd != "version" && cmd != "demo" {
					assert.Contains(t, errOut, string(p), "the help names every platform of the bundle")
				}
			}
			if cmd == "sandbox" {
				for _, route := range []string{"/admin/apps", "/admin/login", "/admin/faults", "/admin/requests", "/admin/advance", "/admin/phonecode", "/admin/encrypt"} {
					assert.Contains(t, errOut, route)
				}
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestSandboxCommandServesLoginAndCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0"}, &out, &errOut, func(string) string { return "" })
	}()

	var base string
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	require.Eventually(t, func() bool {
		// The whole banner: the table ends before the admin API line.
		o := out.String()
		m := re.FindStringSubmatch(o)
		if m != nil {
			base = m[1]
		}
		return m != nil && strings.Contains(o, "admin API:")
	}, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), base+"/weapp")
	assert.Contains(t, out.String(), fmt.Sprintf("(pid %d)", os.Getpid()), "the sandbox names its own process (not the go tool's)")
	assert.Contains(t, out.String(), sandbox.DefaultApps[taro.Weapp].Secret, "the sandbox prints the credentials it accepts")

	// Mint a code through the admin API, then log in and check with the CLI.
	resp, err := http.Post(base+"/admin/login", "application/json", strings.NewReader(`{"platform":"weapp","openid":"cli-user"}`))
	require.NoError(t, err)
	var minted struct{ Code string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&minted))
	resp.Body.Close()

	app := sandbox.DefaultApps[taro.Weapp]
	env := map[string]string{"TARO_WEAPP_APPID": app.ID, "TARO_WEAPP_SECRET": app.Secret}
	keyFile := filepath.Join(t.TempDir(), "sk")
	code, loginOut, loginErr := runArgs(t, env, "login", "--platform", "weapp", "--code", minted.Code, "--base-url", base+"/weapp", "--session-key-out", keyFile)
	require.Equal(t, exitOK, code, loginErr)
	written, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	st, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the key file is the owner's only")
	assert.NotContains(t, loginOut+loginErr, string(written), "the key is printed nowhere")
	env["SK"] = string(written)
	code, checkOut0, checkErr0 := runArgs(t, env, "check", "--platform", "weapp", "--openid", "cli-user", "--session-key-env", "SK", "--base-url", base+"/weapp")
	assert.Equal(t, exitOK, code, checkErr0)
	assert.Equal(t, "checkSession:ok\n", checkOut0, "login chains into check through the key file")
	code, _, _ = runArgs(t, env, "login", "--platform", "weapp", "--code", minted.Code, "--base-url", base+"/weapp", "--session-key-out", keyFile)
	assert.NotEqual(t, exitOK, code, "a used code, and the file exists")
	assert.Contains(t, loginOut, "code2Session:ok")
	assert.Contains(t, loginOut, "openid: cli-user")
	assert.NotContains(t, loginOut+loginErr, app.Secret)

	// The CLI never prints the key; fetch it from the sandbox's own state
	// through a fresh login code exchanged here.
	code2, _ := http.Post(base+"/admin/login", "application/json", strings.NewReader(`{"platform":"weapp","openid":"cli-user"}`))
	var m2 struct{ Code string }
	require.NoError(t, json.NewDecoder(code2.Body).Decode(&m2))
	code2.Body.Close()
	r, err := http.Get(base + "/weapp/sns/jscode2session?appid=" + app.ID + "&secret=" + app.Secret + "&js_code=" + m2.Code + "&grant_type=authorization_code")
	require.NoError(t, err)
	var sess struct {
		SessionKey string `json:"session_key"`
	}
	require.NoError(t, json.NewDecoder(r.Body).Decode(&sess))
	r.Body.Close()
	assert.NotContains(t, loginOut, sess.SessionKey)

	env["SK"] = sess.SessionKey
	code, checkOut, checkErr := runArgs(t, env, "check", "--platform", "weapp", "--openid", "cli-user", "--session-key-env", "SK", "--base-url", base+"/weapp")
	assert.Equal(t, exitOK, code, checkErr)
	assert.Equal(t, "checkSession:ok\n", checkOut)

	env["SK"] = "not-the-key"
	code, checkOut, checkErr = runArgs(t, env, "check", "--platform", "weapp", "--openid", "cli-user", "--session-key-env", "SK", "--base-url", base+"/weapp")
	assert.Equal(t, exitFail, code, "1: the user must log in again")
	assert.Equal(t, "checkSession:fail session invalid\n", checkOut)
	assert.NotContains(t, checkOut+checkErr, "not-the-key")
	assert.NotContains(t, checkOut+checkErr, app.Secret)

	// The base URL from the environment, as platforms.FromEnv reads it,
	// and --appid choosing among several apps: this call reaches the
	// sandbox (a wrong key is answered there), never the real platform.
	env["SK"] = sess.SessionKey
	env["TARO_WEAPP_APPID"], env["TARO_WEAPP_SECRET"] = "wx-other,"+app.ID, "other-secret,"+app.Secret
	env["TARO_WEAPP_BASE_URL"] = base + "/weapp"
	code, checkOut, checkErr = runArgs(t, env, "check", "--platform", "weapp", "--appid", app.ID, "--openid", "cli-user", "--session-key-env", "SK")
	assert.Equal(t, exitOK, code, checkErr)
	assert.Equal(t, "checkSession:ok\n", checkOut)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("taro sandbox did not stop after cancellation")
	}
	assert.Contains(t, out.String(), "taro sandbox stopped")
	_, err = http.Get(base + "/admin/apps")
	assert.Error(t, err, "the server is gone")
}

func TestRedisFlags(t *testing.T) {
	mr := miniredis.RunT(t)
	redisURL := "redis://" + mr.Addr() + "/0"

	code, out, errOut := runArgs(t, map[string]string{"TARO_REDIS_URL": redisURL}, "demo", "--redis")
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "replica sharing Redis")
	code, _, errOut = runArgs(t, nil, "demo", "--redis")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--redis needs TARO_REDIS_URL")
	// A Redis that does not answer: one clear line, exit 3, no password.
	code, out, errOut = runArgs(t, map[string]string{"TARO_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"}, "demo", "--redis")
	assert.Equal(t, exitUndecided, code)
	assert.Empty(t, out)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %s", errOut)
	assert.Contains(t, errOut, "127.0.0.1:1 did not answer a PING")
	assert.NotContains(t, errOut, "hunter2")
	code, _, errOut = runArgs(t, map[string]string{"TARO_REDIS_URL": "http://x"}, "demo", "--redis")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "cannot parse the Redis URL")

	// A QQ login recorded through the shared store can then be checked by
	// a one-shot command, which QQ itself cannot answer.
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.QQ)
	env := map[string]string{"TARO_QQ_APPID": app.ID, "TARO_QQ_SECRET": app.Secret, "TARO_REDIS_URL": redisURL}
	loginCode, _ := sb.Login(taro.QQ, "qq-cli-user")
	code, out, errOut = runArgs(t, env, "login", "--platform", "qq", "--code", loginCode, "--base-url", sb.BaseURL(taro.QQ), "--redis")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "code2Session:ok")
	key, _ := sb.SessionKey(taro.QQ, "qq-cli-user")
	env["SK"] = key
	code, out, errOut = runArgs(t, env, "check", "--platform", "qq", "--openid", "qq-cli-user", "--session-key-env", "SK", "--redis")
	assert.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "checkSession:ok\n", out)
	env["SK"] = "old-key"
	code, out, _ = runArgs(t, env, "check", "--platform", "qq", "--openid", "qq-cli-user", "--session-key-env", "SK", "--redis")
	assert.Equal(t, exitFail, code)
	assert.Equal(t, "checkSession:fail session invalid: superseded by a newer login\n", out)
}

// Exit codes tell a logged-out user (1) from an outage (3).
func TestExitCodes(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	base := sb.BaseURL(taro.Weapp)
	env := map[string]string{"TARO_WEAPP_APPID": app.ID, "TARO_WEAPP_SECRET": app.Secret}
	loginCode, _ := sb.Login(taro.Weapp, "exit-user")
	code, _, errOut := runArgs(t, env, "login", "--platform", "weapp", "--code", loginCode, "--base-url", base)
	require.Equal(t, exitOK, code, errOut)
	key, _ := sb.SessionKey(taro.Weapp, "exit-user")
	env["SK"] = key
	check := func() int {
		code, _, _ := runArgs(t, env, "check", "--platform", "weapp", "--openid", "exit-user", "--session-key-env", "SK", "--base-url", base, "--timeout", "5s")
		return code
	}
	assert.Equal(t, exitOK, check())
	require.NoError(t, sb.Inject(taro.Weapp, sandbox.CheckSession, sandbox.Busy, 100))
	assert.Equal(t, exitUndecided, check(), "3: the platform could not answer")
	sb.ClearFaults()
	require.NoError(t, sb.Inject(taro.Weapp, sandbox.CheckSession, sandbox.RateLimit, 1))
	assert.Equal(t, exitUndecided, check(), "3: rate limited")
	code, _, _ = runArgs(t, env, "login", "--platform", "weapp", "--code", loginCode, "--base-url", base)
	assert.Equal(t, exitFail, code, "1: the code was rejected")
	env["SK"] = "not-the-key"
	assert.Equal(t, exitFail, check(), "1: session invalid")
}

func TestDecryptCommand(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	for _, p := range []taro.Platform{taro.Weapp, taro.Swan} {
		app := sb.App(p)
		_, _ = sb.Login(p, "dec-user")
		key, _ := sb.SessionKey(p, "dec-user")
		data, iv, err := sb.Encrypt(p, "dec-user", []byte(`{"nickName":"cli"}`))
		require.NoError(t, err)
		// Offline: no secret, no openid; the app from --appid.
		env := map[string]string{"SK": key, "DATA": data}
		code, out, errOut := runArgs(t, env, "decrypt", "--platform", string(p), "--appid", app.ID, "--session-key-env", "SK", "--data-env", "DATA", "--iv", iv)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, `"nickName":"cli"`)
		assert.NotContains(t, out+errOut, key)
		env["SK"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		if p == taro.Weapp {
			env["SK"] = "AAAAAAAAAAAAAAAAAAAAAA=="
		}
		idVar, _ := envNames(p)
		env[idVar] = app.ID // the app from the environment
		code, out, _ = runArgs(t, env, "decrypt", "--platform", string(p), "--session-key-env", "SK", "--data-env", "DATA", "--iv", iv)
		assert.Equal(t, exitFail, code)
		assert.Contains(t, out, "data does not open with this session key")
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runArgs(t, nil, args...)
		assert.Equal(t, exitOK, code)
		assert.Contains(t, out, "github.com/tarogo/adapter")
		assert.Contains(t, out, "go1.")
	}
	code, out, _ := runArgs(t, nil, "version", "--json")
	assert.Equal(t, exitOK, code)
	var v versionInfo
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.NotEmpty(t, v.Version)
}

// The key file is created with mode 0600 and never overwrites a file.
func TestCreateSecretFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	f, err := createSecretFile(path)
	require.NoError(t, err)
	_, _ = f.WriteString("KEY")
	require.NoError(t, f.Close())
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	_, err = createSecretFile(path)
	require.Error(t, err)
	b, _ := os.ReadFile(path)
	assert.Equal(t, "KEY", string(b))
}

// An existing --session-key-out file is refused before the exchange: the
// single-use code is not spent (0 code2session requests), and it works
// afterwards.
func TestSessionKeyOutCheckedBeforeTheExchange(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	app := sb.App(taro.Weapp)
	env := map[string]string{"TARO_WEAPP_APPID": app.ID, "TARO_WEAPP_SECRET": app.Secret}
	code, err := sb.Login(taro.Weapp, "keep-code")
	require.NoError(t, err)
	existing := filepath.Join(t.TempDir(), "sk")
	require.NoError(t, os.WriteFile(existing, []byte("precious"), 0o600))
	rc, out, errOut := runArgs(t, env, "login", "--platform", "weapp", "--code", code, "--base-url", sb.BaseURL(taro.Weapp), "--session-key-out", existing)
	assert.Equal(t, exitUsage, rc)
	assert.Contains(t, errOut, "--session-key-out "+existing)
	assert.NotContains(t, out, "code2Session:ok")
	assert.Equal(t, 0, sb.Requests(taro.Weapp, sandbox.Code2Session), "no code was spent")
	b, _ := os.ReadFile(existing)
	assert.Equal(t, "precious", string(b), "the file is left as it was")

	fresh := filepath.Join(t.TempDir(), "sk2")
	rc, _, errOut = runArgs(t, env, "login", "--platform", "weapp", "--code", code, "--base-url", sb.BaseURL(taro.Weapp), "--session-key-out", fresh)
	require.Equal(t, exitOK, rc, errOut)
	key, _ := sb.SessionKey(taro.Weapp, "keep-code")
	b, _ = os.ReadFile(fresh)
	assert.Equal(t, key, string(b), "the same code, not spent before")

	// A rejected code leaves no empty file behind.
	gone := filepath.Join(t.TempDir(), "sk3")
	rc, _, _ = runArgs(t, env, "login", "--platform", "weapp", "--code", code, "--base-url", sb.BaseURL(taro.Weapp), "--session-key-out", gone)
	assert.Equal(t, exitFail, rc)
	_, err = os.Stat(gone)
	assert.True(t, os.IsNotExist(err), "no file is left for a failed login")
}

// onlyHost is a transport that fails any request to a host other than
// allowed, counting them.
type onlyHost struct {
	allowed string
	foreign *atomic.Int64
	next    http.RoundTripper
}

func (o onlyHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != o.allowed {
		o.foreign.Add(1)
		return nil, fmt.Errorf("dialled a foreign host")
	}
	return o.next.RoundTrip(r)
}

// No command ever dials a host other than the one configured, whether the
// base URL comes from --base-url or from TARO_<PLATFORM>_BASE_URL.
func TestNoCommandDialsAForeignHost(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	u, err := url.Parse(sb.URL())
	require.NoError(t, err)
	var foreign atomic.Int64
	cliHTTPClient = &http.Client{Transport: onlyHost{allowed: u.Host, foreign: &foreign, next: http.DefaultTransport}}
	defer func() { cliHTTPClient = nil }()

	for _, p := range platforms.Names() {
		app := sb.App(p)
		_, _, baseVar := platforms.EnvNames(p)
		for _, viaEnv := range []bool{true, false} {
			env := sandbox.AppEnv(p, app, sb.BaseURL(p))
			var flags []string
			if !viaEnv {
				delete(env, baseVar)
				flags = []string{"--base-url", sb.BaseURL(p)}
			}
			code, _ := sb.Login(p, "host-user")
			rc, _, errOut := runArgs(t, env, append([]string{"login", "--platform", string(p), "--code", code}, flags...)...)
			assert.Equal(t, exitOK, rc, "%s: %s", p, errOut)
			key, _ := sb.SessionKey(p, "host-user")
			env["SK"] = key
			check := append([]string{"check", "--platform", string(p), "--openid", "host-user", "--session-key-env", "SK"}, flags...)
			if p == taro.TT {
				check = append(check, "--tt-minigame")
			}
			_, _, _ = runArgs(t, env, check...) // store-only platforms refuse without --redis; none dials out
			if d, err := platforms.Driver(p, sandbox.AppSettings(app, sb.BaseURL(p), sb.HTTPClient())); err != nil || !driver.Has(d, driver.CapDecrypter) {
				require.NoError(t, err)
				continue // no session key, or no client data to open: nothing to decrypt
			}
			data, iv, err := sb.Encrypt(p, "host-user", []byte(`{"a":1}`))
			require.NoError(t, err)
			env["DATA"] = data
			rc, _, errOut = runArgs(t, env, "decrypt", "--platform", string(p), "--session-key-env", "SK", "--data-env", "DATA", "--iv", iv)
			assert.Equal(t, exitOK, rc, "%s: %s", p, errOut)
		}
	}
	assert.Zero(t, foreign.Load(), "requests to a host other than the configured one")
}

// taro sandbox --env --addr A prints the export lines of the sandbox at A
// (GET /admin/env): a shell that evaluates them reaches every platform
// through platforms.FromEnv.
func TestSandboxEnv(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	u, err := url.Parse(sb.URL())
	require.NoError(t, err)
	rc, out, errOut := runArgs(t, nil, "sandbox", "--env", "--addr", u.Host)
	require.Equal(t, exitOK, rc, errOut)
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\nexport ") {
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		require.True(t, strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'"), "quoted for a shell: %s", k)
		vars[k] = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
	}
	for _, p := range platforms.Names() {
		idVar, _, baseVar := platforms.EnvNames(p)
		assert.Equal(t, sb.App(p).ID, vars[idVar])
		assert.Equal(t, sb.BaseURL(p), vars[baseVar])
	}
	ds, err := platforms.FromEnv(func(k string) string { return vars[k] })
	require.NoError(t, err, "the lines configure every platform")
	if bash, err := exec.LookPath("bash"); err == nil {
		// A shell reads them back exactly, multi-line keys included.
		file := filepath.Join(t.TempDir(), "env")
		require.NoError(t, os.WriteFile(file, []byte(out), 0o600))
		_, secretVar, _ := platforms.EnvNames(taro.Alipay)
		got, err := exec.Command(bash, "-c", `eval "$(cat "$1")"; printf %s "$`+secretVar+`"`, "sh", file).Output()
		require.NoError(t, err)
		assert.Equal(t, vars[secretVar], string(got))
		assert.Contains(t, string(got), "PRIVATE KEY")
	}
	assert.Len(t, ds, len(platforms.Names()))

	rc, _, errOut = runArgs(t, nil, "sandbox", "--env", "--addr", "127.0.0.1:1")
	assert.Equal(t, exitUndecided, rc)
	assert.Contains(t, errOut, "no sandbox answers at 127.0.0.1:1")
}

// Every help text and the sandbox's banner fit 80 columns, and lists of
// platforms come from the bundle.
func TestHelpFits80Columns(t *testing.T) {
	check := func(what, text string) {
		t.Helper()
		for _, l := range strings.Split(text, "\n") {
			assert.LessOrEqual(t, utf8.RuneCountInString(l), 80, "%s: %q", what, l)
		}
	}
	_, out, _ := runArgs(t, nil, "--help")
	check("taro --help", out)
	for _, c := range []string{"demo", "sandbox", "check", "login", "decrypt", "version"} {
		rc, out, errOut := runArgs(t, nil, c, "--help")
		assert.Equal(t, exitOK, rc, c)
		check(c+" --help", out+errOut)
		if c != "version" && c != "sandbox" {
			assert.Contains(t, out+errOut, strings.Join(func() []string {
				var s []string
				for _, p := range platforms.Names() {
					s = append(s, string(p))
				}
				return s
			}(), ", "), "%s names every platform of the bundle", c)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var buf safeBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0"}, &buf, &buf, func(string) string { return "" })
	}()
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "stop with Ctrl-C") }, 10*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	check("the sandbox banner", buf.String())
	for _, p := range platforms.Names() {
		assert.Contains(t, buf.String(), "/"+string(p)+"\n", "the banner lists %s", p)
	}
}

// safeBuffer is a bytes.Buffer for one writer and one reader.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *safeBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// taro sandbox --apps N serves N apps per platform; a code minted for the
// third logs in with the third's credentials.
func TestSandboxServesManyApps(t *testing.T) {
	code, _, errOut := runArgs(t, nil, "sandbox", "--apps", "0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--apps must be 1 to 10000")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--apps", "3"}, &out, &stderr, func(string) string { return "" })
	}()
	var base string
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	require.Eventually(t, func() bool {
		m := re.FindStringSubmatch(out.String())
		if m != nil {
			base = m[1]
		}
		return m != nil && strings.Contains(out.String(), "admin API:")
	}, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), "and 2 more apps: GET /admin/apps/qq")

	resp, err := http.Get(base + "/admin/apps/qq")
	require.NoError(t, err)
	var apps []struct{ AppID, Secret string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apps))
	resp.Body.Close()
	require.Len(t, apps, 3)
	third := apps[2]
	assert.Equal(t, sandbox.DefaultApps[taro.QQ].ID+"-3", third.AppID)

	resp, err = http.Post(base+"/admin/login", "application/json", strings.NewReader(`{"platform":"qq","appid":"`+third.AppID+`","openid":"u3"}`))
	require.NoError(t, err)
	var minted struct{ Code string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&minted))
	resp.Body.Close()
	env := map[string]string{"TARO_QQ_APPID": third.AppID, "TARO_QQ_SECRET": third.Secret}
	code, loginOut, loginErr := runArgs(t, env, "login", "--platform", "qq", "--code", minted.Code, "--base-url", base+"/qq")
	require.Equal(t, exitOK, code, loginErr)
	assert.Contains(t, loginOut, "openid: u3")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("taro sandbox did not stop after cancellation")
	}
}
