package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tarogo/adapter/sandbox"
)

func runSandbox(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := newFlags("sandbox", stderr,
		"usage: taro sandbox [--addr 127.0.0.1:8787] [--apps N] [--env]",
		"",
		"Serves the fake platforms ("+platformList()+") under /<platform>,",
		"a console for a browser at /, and an admin API under /admin, until interrupted (SIGINT",
		"or SIGTERM; the banner prints the pid). Point a driver's BaseURL, or any",
		"language's HTTP client, at the printed base URLs. Admin API:",
		"  GET    /                 the console: apps, users, codes, faults, clock, the live request log",
		"  GET    /admin            this list, as JSON (or text with ?text)",
		"  GET    /admin/apps       the default apps' ids, secrets, keys and base URLs",
		"  GET    /admin/apps/weapp every app of a platform, with its users",
		"  POST   /admin/apps       {\"platform\",\"appid\",\"secret\"} add an app",
		"  GET    /admin/users      each platform's users",
		"  GET    /admin/components WeChat third-party platforms; POST /admin/components,",
		"                           /admin/authorize and /admin/push-ticket manage them",
		"  GET    /admin/env        export lines for every app (also: taro sandbox --env)",
		"  GET    /admin/events     the live request log (server-sent events)",
		"  POST   /admin/expire-tokens {\"platform\":\"weapp\"} end every access token",
		"  POST   /admin/login      {\"platform\":\"weapp\",\"openid\":\"u1\"} → {\"code\":\"...\"} (\"appid\" for another app)",
		"  POST   /admin/faults     {\"platform\",\"endpoint\",\"kind\",\"count\"} inject a fault",
		"  DELETE /admin/faults     clear pending faults",
		"  GET    /admin/requests   request counters per platform and endpoint",
		"  DELETE /admin/requests   reset the counters",
		"  POST   /admin/advance    {\"seconds\":300} move the clock forward",
		"  POST   /admin/phonecode  {\"platform\",\"openid\",\"phoneNumber\"} → {\"code\"}",
		"  POST   /admin/encrypt    {\"platform\",\"openid\",\"data\"} → {\"encryptedData\",\"iv\"}",
		"",
		"Example:",
		"  taro sandbox --addr 127.0.0.1:8787 &",
		"  curl -s -XPOST localhost:8787/admin/login -d '{\"platform\":\"qq\",\"openid\":\"u1\"}'",
		"",
		"Flags:")
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on (port 0 picks a free port)")
	envOnly := fs.Bool("env", false, "print the export lines of the sandbox running at --addr and exit")
	apps := fs.Int("apps", 1, "apps per platform: the default app, then copies whose id and secret end in -2, -3, ... (at most 10000)")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if *envOnly {
		return printEnv(ctx, *addr, stdout, stderr)
	}
	if *apps < 1 || *apps > sandbox.MaxApps {
		fmt.Fprintf(stderr, "taro sandbox: --apps must be 1 to %d\n", sandbox.MaxApps)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "taro sandbox: %v\n", err)
		return exitUsage
	}
	sb := sandbox.New(sandbox.Options{AppsPerPlatform: *apps})
	base := "http://" + ln.Addr().String()
	sb.SetURL(base)
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}

	fmt.Fprintf(stdout, "taro sandbox listening on %s (pid %d)\n\n", base, os.Getpid())
	fmt.Fprintf(stdout, "%-8s %s\n", "PLATFORM", "BASE URL, then its app")
	for _, p := range serverPlatforms {
		app := sb.App(p)
		fmt.Fprintf(stdout, "%-8s %s\n", p, sb.BaseURL(p))
		cred := "secret " + app.Secret
		if app.Secret == "" {
			cred = "keys: GET /admin/apps, or taro sandbox --env"
		}
		for _, l := range wrap("appid "+app.ID+"  "+cred, "         ", "         ") {
			fmt.Fprintln(stdout, l)
		}
		if *apps > 1 {
			fmt.Fprintf(stdout, "         and %d more apps: GET /admin/apps/%s\n", *apps-1, p)
		}
	}
	fmt.Fprintf(stdout, "\nconsole: %s/ (in a browser)\nadmin API: %s/admin (see 'taro sandbox --help')\n", base, base)
	fmt.Fprintf(stdout, "environment: eval \"$(taro sandbox --env --addr %s)\"\nstop with Ctrl-C or kill %d\n", ln.Addr(), os.Getpid())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "taro sandbox: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "taro sandbox: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "taro sandbox stopped")
	return exitOK
}

// printEnv prints GET /admin/env of the sandbox at addr: export lines for
// every app, so that eval "$(taro sandbox --env --addr A)" configures a
// shell.
func printEnv(ctx context.Context, addr string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/admin/env", nil)
	if err != nil {
		fmt.Fprintf(stderr, "taro sandbox --env: --addr %q is not a host:port\n", addr)
		return exitUsage
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "taro sandbox --env: no sandbox answers at %s (start one with 'taro sandbox --addr %s')\n", addr, addr)
		return exitUndecided
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "taro sandbox --env: the sandbox at %s answered %s\n", addr, resp.Status)
		return exitUndecided
	}
	_, _ = stdout.Write(b)
	return exitOK
}
