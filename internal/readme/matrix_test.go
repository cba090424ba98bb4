package readme

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarogo/adapter/platforms"
)

// section returns the text of the README section that starts with heading.
func section(t *testing.T, readme, heading string) string {
	t.Helper()
	i := strings.Index(readme, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no section %q", heading)
	}
	rest := readme[i+len(heading)+2:]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// Every built-in platform of the bundle has its row in the support matrix
// and its column in the table of capabilities.
func TestSupportMatrixListsEveryPlatform(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	matrix := section(t, readme, "## Support matrix")
	use := section(t, readme, "## Use the session")
	header := ""
	for _, l := range strings.Split(use, "\n") {
		if strings.HasPrefix(l, "| capability |") {
			header = l
		}
	}
	if header == "" {
		t.Fatal("the capability table has no header row")
	}
	for _, p := range platforms.Names() {
		if !strings.Contains(matrix, "\n| `"+string(p)+"` ") {
			t.Errorf("the support matrix has no row for %s", p)
		}
		if !strings.Contains(header, "| `"+string(p)+"` |") {
			t.Errorf("the capability table has no column for %s", p)
		}
	}
}
