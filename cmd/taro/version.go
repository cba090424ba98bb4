package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// versionInfo is what `taro version` prints.
type versionInfo struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// buildInfo reads the version from the binary: the module version when
// built with `go install …@version`, "(devel)" from a checkout, and the VCS
// revision when the build recorded one.
func buildInfo() versionInfo {
	v := versionInfo{Module: "github.com/tarogo/adapter", Version: "(unknown)", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func runVersion(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) int {
	asJSON := false
	for _, a := range args {
		switch a {
		case "--json", "-json":
			asJSON = true
		case "-h", "--help", "-help":
			fmt.Fprint(stderr, lines("usage: taro version [--json]", "",
				"Prints the module version, the VCS revision the binary was built from and the Go version.",
				"", "Example:", "  taro version", "  taro --version"))
			return exitOK
		default:
			fmt.Fprintf(stderr, "taro version: unexpected argument %q\n", a)
			return exitUsage
		}
	}
	v := buildInfo()
	if asJSON {
		_ = json.NewEncoder(stdout).Encode(v)
		return exitOK
	}
	rev := v.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		rev = "no VCS revision recorded"
	}
	if v.Modified {
		rev += ", modified"
	}
	fmt.Fprintf(stdout, "taro %s (%s; %s) %s\n", v.Version, rev, v.Module, v.Go)
	return exitOK
}
