package readme

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// shellBlock is a ```sh block of a document.
type shellBlock struct {
	file  string
	lines []string
}

var fence = regexp.MustCompile("(?s)```(?:sh|bash|shell)\n(.*?)```")

func shellBlocks(t *testing.T, root string) []shellBlock {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, filepath.Join(root, "README.md"), filepath.Join(root, "CONTRIBUTING.md"))
	var out []shellBlock
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range fence.FindAllStringSubmatch(string(b), -1) {
			var lines []string
			for _, l := range strings.Split(m[1], "\n") {
				if strings.TrimSpace(l) != "" {
					lines = append(lines, l)
				}
			}
			rel, _ := filepath.Rel(root, f)
			out = append(out, shellBlock{rel, lines})
		}
	}
	return out
}

// How each command line of the docs is treated: run (safe: it builds or
// runs the project's own program on loopback, and stops by itself), or
// left to another test (go test, fuzzing, a Redis of one's own, fetching
// the published module), or a setting rather than a command.
var (
	runnable = regexp.MustCompile(`^(go build -o bin/taro \./cmd/taro|go run \./cmd/taro (demo|version|--help)|bin/taro (sandbox|version|--help|demo)\b|kill %1)`)
	leftOut  = regexp.MustCompile(`^(go test |go get |go install |redis-server |TARO_[A-Z_]+=\S+ (TARO_[A-Z_]+=\S+ )?(go test|$)|TARO_[A-Z_]+=)`)
)

// Every command in README.md, docs/ and CONTRIBUTING.md runs as written:
// the blocks whose every line is safe run, as they stand, in a copy of the
// module in a temporary directory (building the CLI, its version and
// help, the demo, the sandbox started and stopped); every other line is
// one of the kinds other tests and CI run. A line of neither kind fails
// the test, so a new command is classified when it is written.
func TestDocsCommandsRunAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the CLI")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	blocks := shellBlocks(t, root)
	if len(blocks) == 0 {
		t.Fatal("no shell blocks found")
	}
	var copyDir string
	ran := 0
	for _, b := range blocks {
		var run []string
		mixed := false
		for _, l := range b.lines {
			switch {
			case runnable.MatchString(l):
				run = append(run, l)
			case leftOut.MatchString(l):
				mixed = true
			default:
				t.Errorf("%s: a command neither run nor left to another test: %q", b.file, l)
				mixed = true
			}
		}
		if len(run) == 0 || (mixed && strings.Contains(strings.Join(run, "\n"), "&")) {
			continue
		}
		if copyDir == "" {
			copyDir = copyModule(t, root)
		}
		// A block of safe lines runs whole; the safe lines of a mixed
		// block (the README's set-up: the demo, then the tests) run on
		// their own.
		script := strings.Join(run, "\n")
		if strings.Contains(script, "&") {
			// A server started in the background: wait (up to about 30 s)
			// until it answers HTTP, which it does only once its banner is
			// printed, then the block's own kill stops it.
			wait := `for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/8787 && printf 'GET /admin HTTP/1.0\r\n\r\n' >&3 && read -r -t 1 l <&3 && [[ $l == HTTP/* ]]) 2>/dev/null && break; sleep 0.1; done`
			script = strings.Replace(script, "\nkill %1", "\n"+wait+"\nkill %1", 1)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, bash, "-e", "-c", script)
		cmd.Dir = copyDir
		if raceBuild {
			// Under go test -race the commands build with the race
			// detector too, so that they reuse the dependencies the test
			// run has compiled already instead of compiling them all a
			// second time (most of this package's time on a cold cache).
			cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -race"))
		}
		out, err := cmd.CombinedOutput()
		cancel()
		text := string(out)
		if len(text) > 2000 {
			text = "…" + text[len(text)-2000:]
		}
		if err != nil {
			t.Errorf("%s: the block failed (%v):\n%s\n%s", b.file, err, script, text)
			continue
		}
		ran++
		if strings.Contains(script, "sandbox --addr") && !strings.Contains(text, "taro sandbox listening on http://127.0.0.1:8787") {
			t.Errorf("%s: the sandbox did not start:\n%s", b.file, text)
		}
		if _, err := os.Stat(filepath.Join(copyDir, "taro", "taro")); err == nil {
			t.Errorf("%s: a binary was written into the taro/ package directory", b.file)
		}
	}
	if ran == 0 {
		t.Error("no block ran")
	}
}

// copyModule copies the module's tracked files to a temporary directory.
func copyModule(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	dir := t.TempDir()
	for _, f := range strings.Fields(string(out)) {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the work tree
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
