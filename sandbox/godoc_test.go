package sandbox_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/sandbox"
)

// Sandbox is an alias, whose methods go doc shows only under
// sandbox/host: its doc comment lists every one of them, and this test
// keeps the list whole.
func TestSandboxDocListsItsMethods(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "sandbox.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var doc string
	ast.Inspect(f, func(n ast.Node) bool {
		if g, ok := n.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, s := range g.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == "Sandbox" {
					doc = g.Doc.Text()
				}
			}
		}
		return true
	})
	require.NotEmpty(t, doc)
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b[A-Z][A-Za-z]+\b`).FindAllString(doc, -1) {
		listed[m] = true
	}
	typ := reflect.TypeOf(&sandbox.Sandbox{})
	var missing []string
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; !listed[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "Sandbox's doc comment misses: %s", strings.Join(missing, ", "))
}
