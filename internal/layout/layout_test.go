// Package layout holds the tests of the module's import graph: the
// portable layer imports no platform, the sandbox's neutral host imports
// no platform's fake, and no fake reaches a production binary.
package layout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/tarogo/adapter/"

// deps lists the packages pkgs import, directly or not (tests aside).
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...).CombinedOutput()
	require.NoError(t, err, string(out))
	return strings.Fields(string(out))
}

func TestThePortableLayerImportsNoPlatform(t *testing.T) {
	for _, p := range deps(t, module+"taro/...", module+"login", module+"store/...", module+"sandbox/host", module+"sandbox/fake") {
		assert.False(t, strings.HasPrefix(p, module+"platforms"), "imports %s", p)
	}
}

func TestTheNeutralHostImportsNoFake(t *testing.T) {
	for _, p := range deps(t, module+"sandbox/host") {
		assert.False(t, strings.HasPrefix(p, module+"platforms"), "sandbox/host imports %s", p)
		assert.NotEqual(t, module+"sandbox", p)
	}
}

// No fake in a production binary: a service (examples/loginservice), and
// any program that imports the bundle, the login state and the Redis
// store, links no package of the sandbox and no platform's fake; nor do
// the bundle and the conformance kit.
func TestNoFakeInAProductionBinary(t *testing.T) {
	for _, set := range [][]string{
		{module + "examples/loginservice"},
		{module + "platforms", module + "login", module + "store/redisstore"},
		{module + "examples/checksession"},
		{module + "taro/drivertest"},
	} {
		for _, p := range deps(t, set...) {
			last := p[strings.LastIndex(p, "/")+1:]
			assert.False(t, strings.HasPrefix(p, module+"sandbox"), "%v links %s", set, p)
			assert.False(t, strings.HasSuffix(last, "fake"), "%v links %s", set, p)
		}
	}
}

// No non-test source file is over 500 lines: files split along their
// seams (the login state's ticket, verdict, sessions and manager, a
// driver's gateway, certificates and phone numbers).
func TestNoFileOver500Lines(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "--", "../../*.go").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	for _, f := range strings.Fields(string(out)) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		if n := strings.Count(string(b), "\n"); n > 500 {
			t.Errorf("%s has %d lines", f, n)
		}
	}
}

// A fake verifies what it receives with its own code: no package of the
// sandbox and no platform's fake calls the driver kit's checks, so that a
// driver bug cannot hide behind the same bug in its fake.
func TestFakesVerifyWithTheirOwnCode(t *testing.T) {
	checks := []string{"VerifyLoginState", "SignLoginState", "VerifyRSA2", "VerifyRawData", "RawDataSignature", "OpenWeChat", "OpenBaidu", "SigMethod"}
	out, err := exec.Command("git", "ls-files", "--", "../../sandbox/*.go", "../../platforms/*fake/*.go").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	files := strings.Fields(string(out))
	require.NotEmpty(t, files)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "driverkit" {
					assert.NotContains(t, checks, sel.Sel.Name, "%s checks with driverkit.%s", f, sel.Sel.Name)
				}
			}
			return true
		})
	}
}
