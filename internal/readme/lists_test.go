package readme

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tarogo/adapter/platforms"
)

// complete marks a paragraph that claims to speak of every platform.
var complete = regexp.MustCompile(`(?i)\b(today|built-in (drivers|platforms)|every (built-in )?platform|each platform's base url|all (the )?platforms)\b`)

// paragraphs splits a file into paragraphs: Go comment blocks, or
// Markdown blocks between blank lines, list items and table rows.
func paragraphs(name, text string) []string {
	if !strings.HasSuffix(name, ".go") {
		return regexp.MustCompile(`\n\s*\n|\n\s*- |\n\|`).Split(text, -1)
	}
	var out, cur []string
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if c, ok := strings.CutPrefix(t, "//"); ok && strings.TrimSpace(c) != "" {
			cur = append(cur, c)
			continue
		}
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// Every list of platforms in a doc comment or under docs/ that claims to
// be whole ("the built-in platforms", "every platform", "… today") names
// every platform of the bundle, by its title or its name: a list written
// by hand cannot go stale unseen.
func TestPlatformListsAreWhole(t *testing.T) {
	root := filepath.Join("..", "..")
	out, err := exec.Command("git", "-C", root, "ls-files", "*.go", "*.md").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	type name struct{ title, code *regexp.Regexp }
	var names []name
	for _, p := range platforms.All {
		names = append(names, name{regexp.MustCompile(`\b` + regexp.QuoteMeta(p.Title) + `\b`), regexp.MustCompile("(^|[\\s`/(,])" + string(p.Platform) + "\\b")})
	}
	for _, f := range strings.Fields(string(out)) {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, para := range paragraphs(f, string(b)) {
			if !complete.MatchString(para) {
				continue
			}
			var have, missing []string
			for i, n := range names {
				if n.title.MatchString(para) || n.code.MatchString(para) {
					have = append(have, platforms.All[i].Title)
				} else {
					missing = append(missing, platforms.All[i].Title)
				}
			}
			if len(have) >= 3 && len(missing) > 0 {
				excerpt := para
				if len(excerpt) > 120 {
					excerpt = excerpt[:120] + "…"
				}
				t.Errorf("%s: a list of platforms misses %v: %q", f, missing, excerpt)
			}
		}
	}
}
