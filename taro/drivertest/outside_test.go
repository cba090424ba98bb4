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

// A platform is one directory, also outside this module: testdata/toy is a
// driver and its sandbox fake written with the public packages only
// (taro/driver, taro/driverkit, sandbox/fake, sandbox/sandboxtest,
// taro/drivertest). This test builds it as a module of its own, with a
// replace directive pointing at this repository, and runs its
// conformance test: the whole kit against the toy's fake in the sandbox.
func TestADriverOutsideTheModulePassesTheKit(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join("testdata", "toy")
	err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/toy\n\ngo 1.24\n\nrequire github.com/tarogo/adapter v0.0.0-00010101000000-000000000000\n\nreplace github.com/tarogo/adapter => " + root + "\n"
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
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "./...")
	cmd.Dir = dir
	// Offline: the modules come from the local cache, which building this
	// module filled.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOSUMDB=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in the outside module failed: %v\n%s", err, tail(string(out), 40))
	}
	if !strings.Contains(string(out), "ok  \texample.com/toy") {
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
