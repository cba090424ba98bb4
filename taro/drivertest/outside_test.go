package drivertest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A platform is one directory, also outside this module:
// example_sandbox_test.go is a driver and its sandbox fake written with the
// public packages only (taro/driver, taro/driverkit, sandbox/fake,
// sandbox/sandboxtest, taro/drivertest). This test copies it into a module
// of its own, with a replace directive pointing at this repository, and
// runs it there: the whole kit against the fake in the sandbox, and the
// Example.
func TestADriverOutsideTheModulePassesTheKit(t *testing.T) {
	t.Parallel() // a go test of its own, in a module of its own
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, err := os.ReadFile("example_sandbox_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme_test.go"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/acme\n\ngo 1.24\n\nrequire github.com/tarogo/adapter v0.0.0-00010101000000-000000000000\n\nreplace github.com/tarogo/adapter => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	// Nothing imported may be under internal/ (the go tool would refuse
	// it anyway: internal packages cannot be imported from another module).
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-vet=off", "./...")
	cmd.Dir = dir
	// Offline: the modules come from the local cache, which building this
	// module filled.
	flags := "-mod=mod"
	if raceBuild {
		// Under go test -race the outside module builds with the race
		// detector too, so that it reuses the packages the test run has
		// compiled already instead of compiling them all again (most of
		// this package's time on a cold cache).
		flags += " -race"
	}
	cmd.Env = append(os.Environ(), "GOFLAGS="+flags, "GOPROXY=off", "GOWORK=off", "GOSUMDB=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in the outside module failed: %v\n%s", err, tail(string(out), 40))
	}
	if !strings.Contains(string(out), "ok  \texample.com/acme") {
		t.Fatalf("the outside module's test did not run:\n%s", tail(string(out), 20))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
