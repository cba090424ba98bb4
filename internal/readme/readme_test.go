package readme

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var marker = regexp.MustCompile(`^<!-- from: ([^#\s]+)#([\w-]+) -->$`)

// region returns the lines between the begin and end comments of name in
// file, with their common indentation removed.
func region(t *testing.T, root, file, name string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return "", false
	}
	var lines []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case trimmed == "// readme:begin "+name:
			in = true
			continue
		case trimmed == "// readme:end "+name:
			return dedent(lines), true
		}
		if in {
			lines = append(lines, l)
		}
	}
	return "", false
}

func dedent(lines []string) string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	prefix := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if prefix < 0 || n < prefix {
			prefix = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= prefix && prefix > 0 {
			l = l[prefix:]
		}
		out[i] = l
	}
	return strings.Join(out, "\n")
}

func TestREADMEGoBlocksMatchTheirSources(t *testing.T) {
	root := filepath.Join("..", "..")
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	for _, f := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) != "README.md" && !strings.Contains(string(b), "```go") {
			continue // a page without Go
		}
		t.Run(filepath.Base(f), func(t *testing.T) { checkBlocks(t, root, string(b)) })
	}
}

// The README is a front page: at most 250 lines, the depth in docs/.
func TestREADMEIsShort(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 250 {
		t.Errorf("README.md has %d lines; at most 250 (move depth to docs/)", n)
	}
}

// The checker itself: a block that drifted from its region fails.
func TestCheckerCatchesDrift(t *testing.T) {
	dir := t.TempDir()
	src := "package x\n\nfunc f() {\n\t// readme:begin s\n\tprintln(1)\n\t// readme:end s\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for readme, wantFail := range map[string]bool{
		"<!-- from: x.go#s -->\n```go\nprintln(1)\n```\n":    false,
		"<!-- from: x.go#s -->\n```go\nprintln(2)\n```\n":    true,
		"```go\nprintln(1)\n```\n":                           true,
		"<!-- from: x.go#nope -->\n```go\nprintln(1)\n```\n": true,
	} {
		ft := &testing.T{}
		done := make(chan struct{})
		go func() { defer close(done); checkBlocks(ft, dir, readme) }()
		<-done
		if ft.Failed() != wantFail {
			t.Errorf("checkBlocks(%q) failed=%v, want %v", readme, ft.Failed(), wantFail)
		}
	}
}

// checkBlocks reports every Go block of readme that has no marker or
// differs from its region under root.
func checkBlocks(t *testing.T, root, readme string) {
	t.Helper()
	lines := strings.Split(readme, "\n")
	blocks := 0
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		blocks++
		start := i + 1
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		body := strings.Join(lines[start:end], "\n")
		i = end
		j := start - 2
		for j >= 0 && strings.TrimSpace(lines[j]) == "" {
			j--
		}
		m := []string(nil)
		if j >= 0 {
			m = marker.FindStringSubmatch(strings.TrimSpace(lines[j]))
		}
		if m == nil {
			t.Errorf("README.md:%d: a Go block without a <!-- from: file#name --> marker above it", start)
			continue
		}
		want, ok := region(t, root, m[1], m[2])
		if !ok {
			t.Errorf("README.md:%d: %s has no region %q", start, m[1], m[2])
			continue
		}
		if body != want {
			t.Errorf("README.md:%d: the block differs from %s#%s; copy the region into the README:\n%s", start, m[1], m[2], want)
		}
	}
	if blocks == 0 {
		t.Fatal("no Go blocks found in README.md")
	}
}
