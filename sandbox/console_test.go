package sandbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// GET / is the console page; GET /admin lists the admin API; the live
// log streams each request a fake answered, with no query.
func TestConsoleOverHTTP(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	resp, err := http.Get(sb.URL() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"))

	resp, err = http.Get(sb.URL() + "/admin")
	require.NoError(t, err)
	var idx struct {
		Routes []struct{ Method, Path, Curl string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&idx))
	resp.Body.Close()
	var paths []string
	for _, r := range idx.Routes {
		paths = append(paths, r.Method+" "+r.Path)
		assert.Contains(t, r.Curl, "curl")
	}
	for _, want := range []string{"POST /admin/login", "POST /admin/phonecode", "POST /admin/encrypt", "POST /admin/faults", "POST /admin/advance", "POST /admin/expire-tokens", "GET /admin/events"} {
		assert.Contains(t, paths, want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sb.URL()+"/admin/events", nil)
	stream, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer stream.Body.Close()
	c := client(t, sb)
	code, _ := sb.Login(taro.QQ, "console-user")
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: code})
	require.NoError(t, err)
	sc := bufio.NewScanner(stream.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var ev sandbox.Event
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev))
		if ev.Platform == taro.QQ && ev.Endpoint == sandbox.Code2Session {
			assert.Equal(t, "/qq/sns/jscode2session", ev.Path)
			assert.Equal(t, 200, ev.Status)
			assert.NotContains(t, line, sb.App(taro.QQ).Secret, "no query, no secret")
			break
		}
	}
	require.NoError(t, sc.Err())
}

// chromium finds a Chromium binary.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// The console in a real headless Chromium: mint a WeChat code with the
// button, exchange it with taro.Code2Session against the same sandbox and
// see the request in the live log; inject a fault with the form and see
// the next call fail with it; save a screenshot.
func TestConsoleInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("TARO_REQUIRE_CHROMIUM") != "" {
			t.Fatal("no Chromium binary, and TARO_REQUIRE_CHROMIUM is set (CI installs Debian's chromium)")
		}
		t.Skip("no Chromium binary on PATH (Debian: apt-get install chromium); CI installs one")
	}
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := client(t, sb)
	require.NoError(t, sb.AddComponent(sandbox.Component{AppID: "wx-console-comp", Secret: "s", Token: "t", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}))
	_, err := sb.Authorize("wx-console-comp", sb.App(taro.Weapp).ID)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless,
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	require.NoError(t, chromedp.Do(bctx,
		chromedp.Navigate(sb.URL()+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#apps tbody tr`)),
	))
	// No action without a deliberate choice: the forms start with no
	// platform, and inject does nothing until one is chosen.
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`[...document.querySelectorAll("#components tbody tr.component")].some(r => r.textContent.includes("wx-console-comp") && r.textContent.includes("wx-sandbox-app"))`))
	require.NoError(t, err, "the console lists the component and its authorized app")
	none, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(`#fault select[name=platform]`)))
	require.NoError(t, err)
	assert.Empty(t, none, "no default platform")
	require.NoError(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`#inject`))))
	time.Sleep(300 * time.Millisecond)
	assert.Empty(t, sb.PendingFaults(), "an unchosen form injects nothing")
	require.NoError(t, chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#login select[name=platform]`), "weapp"),
		chromedp.SetValue(chromedp.CSS(`#login input[name=openid]`), "browser-user"),
		chromedp.Click(chromedp.CSS(`#mint-login`)),
	))
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("out").textContent.includes("code")`))
	require.NoError(t, err)
	minted, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS(`#out`)))
	require.NoError(t, err)
	var got struct{ Code string }
	require.NoError(t, json.Unmarshal([]byte(minted), &got), minted)
	res, err := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: got.Code})
	var code string
	require.NoError(t, err, "the code the button minted logs in")
	assert.Equal(t, "browser-user", res.OpenID)
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`[...document.querySelectorAll("#log tbody tr")].some(r => r.textContent.includes("/weapp/sns/jscode2session"))`))
	require.NoError(t, err, "the exchange appears in the live log")

	// A fault injected with the form fails the next call.
	require.NoError(t, chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#fault select[name=platform]`), "weapp"),
		chromedp.SetValue(chromedp.CSS(`#fault select[name=endpoint]`), "code2session"),
		chromedp.SetValue(chromedp.CSS(`#fault select[name=kind]`), "rate_limit"),
		chromedp.Click(chromedp.CSS(`#inject`)),
	))
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("done").textContent === "done: rate_limit fault on weapp code2session, 1 time"`))
	require.NoError(t, err, "the console says what it did")
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.querySelector("#faults tbody").textContent.includes("rate_limit")`))
	require.NoError(t, err, "the pending fault is listed")
	code, err = sb.Login(taro.Weapp, "browser-user")
	require.NoError(t, err)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	assert.ErrorIs(t, err, taro.ErrRateLimited, "the fault the form injected")
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: got.Code}) // a used code: refused
	assert.ErrorIs(t, err, taro.ErrInvalidCode)
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`(() => { const t = document.querySelector("#log tbody").textContent;
		return t.includes("accepted") && t.includes("fault: rate_limit") && t.includes("refused (errcode 40"); })()`))
	require.NoError(t, err, "the log shows each outcome")
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("clock").textContent.includes("the real time")`))
	require.NoError(t, err, "the sandbox clock is shown")

	// Many apps: an app added with the form is listed, chosen for a code,
	// and that code logs in on that app only.
	require.NoError(t, chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#addapp select[name=platform]`), "qq"),
		chromedp.SetValue(chromedp.CSS(`#addapp input[name=appid]`), "qq-shop-9"),
		chromedp.SetValue(chromedp.CSS(`#addapp input[name=secret]`), "shop-9-secret"),
		chromedp.Click(chromedp.CSS(`#add-app`)),
	))
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("done").textContent === "done: app qq-shop-9 added on qq"`))
	require.NoError(t, err, "the console says it added the app")
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`[...document.querySelectorAll("#apps tbody tr.app")].some(r => r.textContent.includes("qq-shop-9"))`))
	require.NoError(t, err, "the app is listed")
	require.NoError(t, chromedp.Do(bctx, chromedp.SetValue(chromedp.CSS(`#login select[name=platform]`), "qq")))
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`[...document.querySelectorAll("#login select[name=appid] option")].some(o => o.value === "qq-shop-9")`))
	require.NoError(t, err, "the login form offers the app")
	require.NoError(t, chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#login select[name=appid]`), "qq-shop-9"),
		chromedp.SetValue(chromedp.CSS(`#login input[name=openid]`), "shop-user"),
		chromedp.Click(chromedp.CSS(`#mint-login`)),
	))
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("done").textContent === "done: a login code for shop-user on qq app qq-shop-9"`))
	require.NoError(t, err, "the console names the app")
	minted, err = chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS(`#out`)))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(minted), &got), minted)
	shop, err := platforms.Driver(taro.QQ, platforms.Settings{AppID: "qq-shop-9", Secret: "shop-9-secret", BaseURL: sb.BaseURL(taro.QQ), HTTPClient: sb.HTTPClient()})
	require.NoError(t, err)
	sc, err := taro.New(taro.Config{Drivers: []taro.Driver{shop}})
	require.NoError(t, err)
	_, err = c.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: got.Code})
	assert.ErrorIs(t, err, taro.ErrInvalidCode, "the default app cannot redeem the shop's code")
	res, err = sc.Code2Session(ctx, taro.LoginOption{Platform: taro.QQ, Code: got.Code})
	require.NoError(t, err, "the shop's code logs in on the shop")
	assert.Equal(t, "shop-user", res.OpenID)

	// /admin in a browser is a page.
	req, _ := http.NewRequest("GET", sb.URL()+"/admin", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(page), "<table>")
	assert.Contains(t, string(page), "/admin/faults")

	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("taro-console-%d.png", os.Getpid()))
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("console screenshot: %s (%d bytes)", path, len(png))
}
