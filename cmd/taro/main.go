// Command taro shows, serves and uses the library from a shell.
//
//	taro demo      walk every platform through login and session checks against an in-process sandbox
//	taro sandbox   serve the fake platforms for any language's tests
//	taro check     check one session against a platform (real or --base-url)
//	taro login     exchange one login code for a session (real or --base-url)
//	taro decrypt   open a client API's encryptedData with a session key
//	taro version   print the module version, VCS revision and Go version
//
// It uses the standard flag package: six subcommands with a handful of
// flags each need no framework, and the binary stays dependency-free.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit codes, the same for every command, so that a script can tell a
// logged-out user from an outage.
const (
	exitOK        = 0
	exitFail      = 1 // the answer is no: the session is invalid, the code was rejected (or a demo step misbehaved)
	exitUsage     = 2 // bad flags, missing credentials or an unsupported call: fix the command
	exitUndecided = 3 // no answer: platform, network or store unavailable, rate limited, deadline, credentials rejected
)

// exitHelp documents the exit codes in every command's --help.
const exitHelp = "Exit status: 0 yes/ok, 1 no (session invalid, code rejected, data not for this key),\n" +
	"2 usage (bad flags, missing credentials, not supported), 3 could not decide (platform, network\n" +
	"or store unavailable, rate limited, deadline, app credentials rejected)."

// storeExit is the exit code of a store that could not be opened: a Redis
// that does not answer is an outage (3), a wrong URL a usage error (2).
func storeExit(err error) int {
	if errors.Is(err, redisstore.ErrUnreachable) {
		return exitUndecided
	}
	return exitUsage
}

// exitFor maps a call's error to the exit code.
func exitFor(err error) int {
	switch taro.CodeOf(err) {
	case taro.CodeOK:
		return exitOK
	case taro.CodeSessionInvalid, taro.CodeInvalidCode:
		return exitFail
	case taro.CodeInvalidArgument, taro.CodeNoDriver, taro.CodeNotSupported:
		return exitUsage
	}
	return exitUndecided
}

type command struct {
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int
}

var commands = map[string]command{
	"demo":    {"walk every platform through login and checks against a sandbox", runDemo},
	"sandbox": {"serve the fake platforms and an admin API until interrupted", runSandbox},
	"check":   {"check one session against a platform (credentials from env)", runCheck},
	"login":   {"exchange one login code for a session (credentials from env)", runLogin},
	"decrypt": {"open a client API's encryptedData with a session key (no network)", runDecrypt},
	"version": {"print the module version, VCS revision and Go version", runVersion},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: taro <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'taro <command> --help' for a command's flags and an example.")
}

// run is the whole program, minus the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return exitOK
	case "--version", "-version", "-v":
		return runVersion(ctx, args[1:], env, stdout, stderr)
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "taro: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(ctx, args[1:], env, stdout, stderr)
}

// helpWidth is the width every help text and banner fits.
const helpWidth = 80

// lines joins help text, fitted to helpWidth: consecutive lines of prose
// are one paragraph, re-flowed; an indented line (an example, a route)
// too long is broken, a shell command with a trailing backslash.
func lines(s ...string) string {
	var out []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, wrap(strings.Join(para, " "), "", "")...)
			para = nil
		}
	}
	for _, l := range s {
		switch {
		case l == "" || strings.HasSuffix(l, ":") && !strings.Contains(l, " "):
			flush()
			out = append(out, l)
		case strings.HasPrefix(l, "usage: "):
			flush()
			out = append(out, wrap(l, "", "      ")...)
		case strings.HasPrefix(l, " "):
			flush()
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			if strings.Contains(l, "taro ") || strings.Contains(l, "curl ") {
				out = append(out, wrapCommand(l, indent+"    ")...)
			} else {
				out = append(out, wrap(l, "", strings.Repeat(" ", hangAt(l)))...)
			}
		default:
			para = append(para, l)
		}
	}
	flush()
	return strings.Join(out, "\n") + "\n"
}

// hangAt is where an indented listing's description starts (after its
// second run of spaces), for its continuation lines.
func hangAt(l string) int {
	i := len(l) - len(strings.TrimLeft(l, " "))
	for runs := 0; i < len(l); i++ {
		if l[i] == ' ' && (i+1 < len(l) && l[i+1] == ' ') {
			for i < len(l) && l[i] == ' ' {
				i++
			}
			runs++
			if runs == 2 || i > 30 {
				return min(i, 40)
			}
		}
	}
	return 8
}

// wrap breaks text at spaces so that each line fits helpWidth: first
// prefixes the first line, rest the others.
func wrap(text, first, rest string) []string {
	var out []string
	line := first
	prefix := first
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(text, " ") && len(out) == 0 && line == first {
			lead := text[:len(text)-len(strings.TrimLeft(text, " "))]
			line, prefix = lead, lead
		}
		switch {
		case line == prefix:
			line += w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= helpWidth:
			line += " " + w
		default:
			out = append(out, line)
			line, prefix = rest+w, rest
		}
	}
	return append(out, line)
}

// wrapCommand breaks a shell command with trailing backslashes.
func wrapCommand(cmd, rest string) []string {
	if utf8.RuneCountInString(cmd) <= helpWidth {
		return []string{cmd}
	}
	lead := cmd[:len(cmd)-len(strings.TrimLeft(cmd, " "))]
	var out []string
	line := lead
	for _, w := range strings.Fields(cmd) {
		switch {
		case line == lead || line == rest:
			line += w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w)+2 <= helpWidth:
			line += " " + w
		default:
			out = append(out, line+" \\")
			line = rest + w
		}
	}
	return append(out, line)
}

// printDefaults is flag.PrintDefaults fitted to helpWidth.
func printDefaults(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if name != "" {
			head += " " + name
		}
		fmt.Fprintln(fs.Output(), head)
		text := usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			text += " (default " + f.DefValue + ")"
		}
		for _, l := range wrap(text, "      ", "      ") {
			fmt.Fprintln(fs.Output(), l)
		}
	})
}
